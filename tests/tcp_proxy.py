"""A TCP proxy in the test's own threads, between the app and PostgreSQL, that a test can cut: a database
outage without stopping the PostgreSQL server that other tests (and people) share."""

import socket
import struct
import threading
from urllib.parse import urlsplit, urlunsplit


class CuttableProxy:
    """Forwards a free loopback port to the database's address; cut() closes every connection and refuses new
    ones (reset at once, as a server that went away), restore() lets them through again."""

    def __init__(self, database_url: str):
        parts = urlsplit(database_url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = self.listener.getsockname()[1]
        credentials = parts.netloc.rpartition("@")[0]
        self.url = urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{self.port}" if credentials
                                             else f"127.0.0.1:{self.port}"))
        self.is_cut = False
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, name="db-proxy", daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            self.is_cut = True
            sockets, self.open = self.open, set()
        for sock in sockets:
            self._reset(sock)

    def restore(self) -> None:
        with self.lock:
            self.is_cut = False

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                refused = self.is_cut
            if refused:
                self._reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                self._reset(client)
                continue
            upstream.settimeout(None)
            with self.lock:
                if self.is_cut:
                    refused = True
                else:
                    self.open.update((client, upstream))
            if refused:
                self._reset(client)
                self._reset(upstream)
                continue
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with self.lock:
                self.open.discard(sock)
            self._reset(sock)

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        """Close with a reset rather than a goodbye: what a crashed server or a cut cable looks like."""
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

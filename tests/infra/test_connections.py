"""Connections the real server (`corrections serve`) holds open: idle ones do not lock everyone else out."""

import socket
import statistics
import time
import urllib.request

import pytest

from tests.live import LiveServer

IDLE = 300
CHECKS = 20


def health_check(url: str) -> float:
    """Seconds /healthz took to answer 200 on a connection of its own (at most 5 s: then it fails)."""
    started = time.perf_counter()
    with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
        assert response.status == 200
    return time.perf_counter() - started


@pytest.mark.slow
def test_health_checks_answer_while_300_idle_connections_are_open(tmp_path):
    server = LiveServer(tmp_path, MAIL_SEND_INTERVAL=0, WEBHOOK_SEND_INTERVAL=0).start()
    idle: list[socket.socket] = []
    try:
        for n in range(IDLE):
            connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            # Half of them start a request and stop, as a slow client does; the others never say a word.
            if n % 2:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(connection)
        times = [health_check(server.url) for _ in range(CHECKS)]
        print(f"{IDLE} idle connections held; {CHECKS} health checks: median "
              f"{statistics.median(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms")
        assert max(times) < 2
        # The idle connections are still open: the server did not get its room by dropping them early.
        idle[0].sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert idle[0].recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for connection in idle:
            connection.close()
        server.stop()


@pytest.mark.slow
def test_the_connection_limit_and_idle_timeout_come_from_the_settings(tmp_path):
    server = LiveServer(tmp_path, CONNECTION_LIMIT=10, CHANNEL_TIMEOUT=2, MAIL_SEND_INTERVAL=0,
                        WEBHOOK_SEND_INTERVAL=0).start()
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(10)]
    try:
        # Ten silent connections fill the limit: the check waits until the server closes them, CHANNEL_TIMEOUT
        # seconds after their last word (looked for every second), and is then answered.
        waited = health_check(server.url)
        assert 1.5 < waited < 5
        assert "up to 10 connections, idle ones closed after 2 s" in server.log.read_text()
    finally:
        for connection in idle:
            connection.close()
        server.stop()

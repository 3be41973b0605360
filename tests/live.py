"""The real server (`corrections serve`) in a subprocess, on a database of its own."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CORRECTIONS = Path(sys.executable).parent / "corrections"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Save a screenshot (of the whole page, or of what the window shows) in test-artifacts/ for a person to
    look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen | None) -> None:
    """Ask a child process to end, and kill it if it has not within 10 s."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class LiveServer:
    def __init__(self, folder: Path, database_url: str | None = None, **settings):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CORRECTIONS_INSTANCE_PATH": str(folder / "instance"),
            "CORRECTIONS_DATABASE_URL": database_url or f"sqlite:///{folder / 'live.sqlite3'}",
            **{f"CORRECTIONS_{key}": str(value) for key, value in settings.items()},
        }
        self.process: subprocess.Popen | None = None
        self.log = folder / "server.log"

    def command(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(CORRECTIONS), *args], env=self.env, capture_output=True, text=True, check=True,
                              input=input)

    def start(self, threads: int = 4) -> "LiveServer":
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [str(CORRECTIONS), "serve", "--port", str(self.port), "--threads", str(threads)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer in 30 s: {self.log.read_text()}")

    def stop(self) -> None:
        stop_process(self.process)

"""The real server (`corrections serve`) in a subprocess, on a database of its own.

Its commands run in processes forked by a command server that has imported the app already
(tests/command_server.py); CORRECTIONS_TEST_FORK_COMMANDS=0 starts the `corrections` script for each instead.
"""

import atexit
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

CORRECTIONS = Path(sys.executable).parent / "corrections"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FORK_COMMANDS = os.environ.get("CORRECTIONS_TEST_FORK_COMMANDS", "1") != "0"


# Screenshots are for a person to look at, and encoding them costs the suite's CPU: taken when asked for.
SCREENSHOTS = os.environ.get("CORRECTIONS_TEST_SCREENSHOTS", "") not in ("", "0")


def screenshot(page, name: str, full_page: bool = True) -> None:
    """Save a screenshot (of the whole page, or of what the window shows) in test-artifacts/ for a person to
    look at, when CORRECTIONS_TEST_SCREENSHOTS is set."""
    if not SCREENSHOTS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def log_in(page, base_url: str, email: str, password: str) -> None:
    """Log in through the dashboard's login form, as an editor does, and wait for the queue."""
    page.goto(base_url + "/editor/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base_url + "/editor/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: "subprocess.Popen | ForkedProcess | None") -> None:
    """Ask a child process to end, and kill it if it has not within 10 s."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class ForkedProcess:
    """A process the command server forked, with what the tests use of subprocess.Popen's."""

    def __init__(self, args: list[str], pid: int, status: Path, server: subprocess.Popen):
        self.args = args
        self.pid = pid
        self.status = status
        self.server = server
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and self.status.exists():
            self.returncode = int(self.status.read_text())
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            if self.server.poll() is not None:  # nobody is left to say how the process ended
                raise RuntimeError(f"the command server ended before {self.args[1:]}")
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class CommandServer:
    """This test process's command server (tests/command_server.py), started at its first command."""

    _started: "CommandServer | None" = None
    _starting = threading.Lock()

    @classmethod
    def get(cls) -> "CommandServer":
        with cls._starting:
            if cls._started is None:
                cls._started = cls()
                atexit.register(cls._started.close)
            return cls._started

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="corrections-commands-"))
        self.numbers = itertools.count()
        self.lock = threading.Lock()
        requests, self.requests = os.pipe()
        replies, answers = os.pipe()
        self.replies = open(replies, "rb")
        self.log = self.folder / "command-server.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("command_server.py")), str(requests), str(answers),
                 str(CORRECTIONS.parent)],
                pass_fds=(requests, answers), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        os.close(requests)
        os.close(answers)

    def start(self, args: list[str], env: dict, *, stdin: Path | None, stdout: Path, stderr: Path) -> ForkedProcess:
        status = self.folder / f"{next(self.numbers)}.status"
        request = json.dumps({"argv": args, "env": env, "cwd": os.getcwd(), "stdin": stdin and str(stdin),
                              "stdout": str(stdout), "stderr": str(stderr), "status": str(status)}).encode() + b"\n"
        with self.lock:
            while request:
                request = request[os.write(self.requests, request):]
            answer = self.replies.readline()
        if not answer:
            raise RuntimeError(f"the command server ended: {self.log.read_text()}")
        return ForkedProcess(args, int(answer), status, self.process)

    def run(self, args: list[str], env: dict, input: str | None) -> subprocess.CompletedProcess:
        """What subprocess.run(args, env=env, input=input, capture_output=True, text=True, check=True) does."""
        files = self.folder / f"run-{next(self.numbers)}"
        files.mkdir()
        stdin = None
        if input is not None:
            stdin = files / "stdin"
            stdin.write_text(input)
        process = self.start(args, env, stdin=stdin, stdout=files / "stdout", stderr=files / "stderr")
        process.wait()
        stdout, stderr = ((files / name).read_text() if (files / name).exists() else "" for name in ("stdout",
                                                                                                      "stderr"))
        shutil.rmtree(files)
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, args, stdout, stderr)
        return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)

    def close(self) -> None:
        os.close(self.requests)  # the server ends when it reads the end of its requests
        self.replies.close()
        stop_process(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)


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
        self.process: subprocess.Popen | ForkedProcess | None = None
        self.log = folder / "server.log"

    def command(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        if FORK_COMMANDS:
            return CommandServer.get().run([str(CORRECTIONS), *args], self.env, input)
        return subprocess.run([str(CORRECTIONS), *args], env=self.env, capture_output=True, text=True, check=True,
                              input=input)

    def migrate(self, template: Path | None = None) -> None:
        """The database at the migrations' head: a copy of `template` (the tests' migrated SQLite file, see
        conftest's sqlite_template) when this server has the default SQLite file, else `corrections db upgrade`.
        Copying saves a command's run per server; the tests of the command itself run it."""
        default = f"sqlite:///{self.folder / 'live.sqlite3'}"
        if template is not None and self.env["CORRECTIONS_DATABASE_URL"] == default:
            self.folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, self.folder / "live.sqlite3")
            return
        self.command("db", "upgrade")

    def start(self, threads: int = 4) -> "LiveServer":
        args = [str(CORRECTIONS), "serve", "--port", str(self.port), "--threads", str(threads)]
        with open(self.log, "w") as log:
            if FORK_COMMANDS:
                self.process = CommandServer.get().start(args, self.env, stdin=None, stdout=self.log,
                                                         stderr=self.log)
            else:
                self.process = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)
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

"""Runs `corrections` commands for the tests (tests/live.py) without paying for Python's start each time.

Started once per test process, it imports what the `corrections` console script imports, then waits for
commands on a pipe. For each it forks: the copy takes the command's working folder, environment, arguments
and standard streams, and runs the console script's own code, `sys.exit(main())`, so it ends as that process
would (exit code, atexit handlers, threads). Importing the app took a second a command, and the suite runs
a hundred and more (`serve`, `db upgrade`, `seed-demo`, `create-editor`, ...).

Protocol: one JSON object a line on the request pipe (argv, env, cwd, stdin, stdout, stderr: file paths,
stdin possibly null; status: where to write the exit code, written once the process has ended); the answer,
one line on the reply pipe, is the process id.
"""

import json
import os
import select
import sys
import time
from pathlib import Path


def wait_for_requests(requests: int, replies: int) -> dict:
    """Fork a copy for each request; returns, in the copy only, the request it is to run."""
    status_files: dict[int, str] = {}
    pending = b""
    while True:
        reap(status_files)
        if not select.select([requests], [], [], 0.02)[0]:
            continue
        chunk = os.read(requests, 1 << 16)
        if not chunk:  # the test process has ended
            sys.exit(0)
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                os.close(requests)
                os.close(replies)
                return request
            status_files[pid] = request["status"]
            os.write(replies, f"{pid}\n".encode())


def reap(status_files: dict[int, str]) -> None:
    while status_files:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        path = status_files.pop(pid, None)
        if path is not None:
            # Written whole, then renamed: a reader sees no file or the whole exit code.
            Path(path + ".part").write_text(str(os.waitstatus_to_exitcode(status)))
            os.replace(path + ".part", path)


def become(request: dict) -> None:
    """Take the command's working folder, environment, arguments and standard streams."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    streams = [os.open(request["stdin"] or os.devnull, os.O_RDONLY),
               os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)]
    streams.append(streams[1] if request["stderr"] == request["stdout"]
                   else os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644))
    for number, stream in enumerate(streams):
        os.dup2(stream, number)
    for stream in set(streams):
        os.close(stream)
    sys.argv = request["argv"]


if __name__ == "__main__":
    requests, replies = int(sys.argv[1]), int(sys.argv[2])
    # Where the console script's own process has it: the folder of the script, not this one's.
    sys.path[0] = sys.argv[3]
    import waitress  # noqa: F401 - `serve` imports it when it runs

    from corrections import main

    become(wait_for_requests(requests, replies))
    # What the `corrections` console script runs.
    sys.exit(main())

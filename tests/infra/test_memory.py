"""The server gives the memory of big freed blocks back to the system (infra/memory.py).

Each case runs in a process of its own, as the server does: a worker thread frees one big block (which, by
default, raises glibc's threshold for mapping blocks on their own), then allocates 48 MB in blocks of 256 KB
(a CSV export's batches) and frees all but the last. What stays resident after is compared."""

import gc
import platform
import subprocess
import sys
import textwrap

import pytest

from corrections.infra import memory

CHILD = textwrap.dedent("""
    import sys, threading
    from pathlib import Path
    from corrections.infra import memory

    def anonymous_kb():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])

    if sys.argv[1] == "fixed":
        assert memory.keep_heaps_small()
    kept = []

    def export():
        big = bytearray(8 << 20)
        del big
        blocks = [bytearray(256 << 10) for _ in range(192)]
        kept.append(blocks[-1])
        del blocks

    before = anonymous_kb()
    worker = threading.Thread(target=export)
    worker.start()
    worker.join()
    print(anonymous_kb() - before)
""")

glibc_only = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="the threshold is glibc's")


def kept_after_the_export_kb(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, timeout=60,
                          check=True)
    return int(done.stdout)


@glibc_only
def test_big_freed_blocks_go_back_to_the_system_once_the_threshold_is_fixed():
    assert kept_after_the_export_kb("fixed") < 8 * 1024


@glibc_only
def test_without_it_the_worker_heap_keeps_them():
    """What the fix is for, so the test above can fail: glibc's default keeps the export's memory resident."""
    assert kept_after_the_export_kb("default") > 32 * 1024


@glibc_only
def test_the_threshold_is_set_on_glibc():
    assert memory.keep_heaps_small() is True


class Stopped(Exception):
    pass


@pytest.mark.databases("sqlite")
def test_serve_fixes_the_threshold_first(app, runner, monkeypatch):
    """`corrections serve` fixes it before anything else (stopped right there: no server, no thread started)."""
    def stop():
        raise Stopped

    monkeypatch.setattr(memory, "keep_heaps_small", stop)
    monkeypatch.setattr("waitress.serve", lambda *args, **kwargs: pytest.fail("served"))

    result = runner.invoke(args=["serve", "--port", "8999"])

    assert isinstance(result.exception, Stopped)


@pytest.mark.databases("sqlite")
def test_serve_leaves_the_startup_objects_out_of_full_collections(make_app, monkeypatch):
    """What is built before serving is frozen by the time waitress gets the app: a full collection then walks only
    what requests made since, not the hundreds of thousands of objects that live as long as the process. (The test
    process freezes its own heap after its first test, tests/conftest.py: this app's objects are the ones to see.)"""
    frozen = []
    monkeypatch.setattr("waitress.serve", lambda *args, **kwargs: frozen.append(gc.get_freeze_count()))
    app = make_app(REQUEST_LOG=False, SPOOL_FILE_INTERVAL=0)
    before = gc.get_freeze_count()
    result = app.test_cli_runner().invoke(args=["serve", "--port", "8999"])
    assert result.exception is None, result.output
    # An app alone is tens of thousands of objects (its routes, config, extensions, Jinja environment).
    assert frozen and frozen[0] > before + 10_000

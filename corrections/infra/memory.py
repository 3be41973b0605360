"""The server process's memory: give freed memory back to the system instead of keeping it for later, and keep
what lives as long as the process out of the garbage collector's full passes.

glibc's malloc serves blocks of 128 KB and more by mapping memory of their own, returned when freed; but each
time such a block is freed it raises that size (up to 32 MB), so later blocks as big come from the worker
threads' heaps instead, and a heap only shrinks from its end: one block still in use keeps everything under
it. A long CSV export (psycopg's batches of rows, the chunks sent) left a server 30 to 40 MB bigger for good
that way. Fixing the size at 128 KB keeps big blocks out of the heaps, at the cost of a mapping per big block.
"""

import ctypes
import ctypes.util
import gc

M_MMAP_THRESHOLD = -3  # mallopt's parameter, from glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value


def keep_heaps_small() -> bool:
    """Fix glibc's threshold for mapping big blocks on their own (the size above which freed memory goes straight
    back to the system). True when it was set; False where the C library is not glibc (nothing to do)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1


def freeze_startup_objects() -> None:
    """Leave what the process built before serving (modules, the app, its mappers, templates and compiled
    statements: hundreds of thousands of objects that live as long as it does) out of the collector's full
    passes. Each full pass otherwise walks them all (116 ms over 176,000 objects on a slow machine), and one fell
    inside a request now and then."""
    gc.collect()
    gc.freeze()

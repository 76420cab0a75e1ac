"""Keep a long session's memory from creeping up frame after frame.

glibc serves an allocation of at least its *mmap threshold* with pages of its own,
returned to the system on free.  By default that threshold grows to the size of the
largest block freed (up to 32 MB), so after the first 1080p frame every label map and
mask (2-8 MB) comes from the heap instead, and the heap fragments: resident memory
grew by about 4 MB per frame coloured, with nothing alive to show for it.  Setting the
threshold once, at start-up, turns the adjustment off.  Nothing to do on other systems.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

#: Allocations of at least this many bytes get pages of their own: every frame-sized
#: array (a 512 x 512 mask and up), not the small tables.
MMAP_THRESHOLD = 256 * 1024
_M_MMAP_THRESHOLD = -3  # mallopt parameter, glibc's malloc.h

_done = False


def limit_heap_growth() -> bool:
    """Fix glibc's mmap threshold (once per process); True when it was set."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _done = bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        _done = False
    return _done

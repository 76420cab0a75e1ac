"""limit_heap_growth: frame-sized arrays freed go back to the system, as they do not under
glibc's default (a threshold that grows after the first large free)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = r"""
import sys
import numpy as np

def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096

if sys.argv[1] == "limit":
    from linepaint.core.heap import limit_heap_growth
    assert limit_heap_growth()
big = np.ones(8 << 20, np.uint8)
del big  # a large free: glibc's default raises its mmap threshold past 4 MB
base = rss()
keep, frame = [], []
for _ in range(32):
    frame.append(np.ones(4 << 20, np.uint8))  # one frame's arrays
    keep.append(np.ones(1000, np.uint8))  # small results that outlive them
frame.clear()
print((rss() - base) / 2**20)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")
def test_freed_frame_arrays_leave_the_process():
    def retained(mode: str) -> float:
        out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
        return float(out.stdout)

    if retained("default") < 64:  # of 128 MB allocated and freed
        pytest.skip("this allocator returns freed arrays by itself")
    assert retained("limit") < 8

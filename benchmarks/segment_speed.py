"""Segmentation speed as a ratio to one cv2.connectedComponents pass on the same frame.

Frames: a procedural character frame at 1920x1080 and 3840x2160 (always available), and
the real a0242 line art cropped to 1920x1080 when ../shared is present.  Each round
times one connectedComponents pass and then the segmentation; it prints the medians and
the median of the per-round ratios.  Last line: ``segment/cc ratio 1080p: X``
(procedural frame).

    .venv/bin/python benchmarks/segment_speed.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import cv2
import numpy as np

from linepaint.core.lineart import line_art_from_rgba, read_line_art
from linepaint.core.segment import segment
from linepaint.synth import generate_clip

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "a0242" / "line" / "0242.png"


def paired(fn, ref, rounds: int = 21) -> tuple[float, float, float]:
    """(median ms of ``fn``, median ms of ``ref``, median of their per-round ratio).  Each
    round times ``ref`` and ``fn`` back to back, so a slow spell of this noisy machine
    slows both alike and the ratio holds."""
    fn()
    ref()
    times, refs, ratios = [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        ref()
        t1 = time.perf_counter()
        fn()
        t2 = time.perf_counter()
        times.append(t2 - t1)
        refs.append(t1 - t0)
        ratios.append((t2 - t1) / (t1 - t0))
    return statistics.median(times) * 1000, statistics.median(refs) * 1000, statistics.median(ratios)


def measure(name: str, ink: np.ndarray) -> float:
    free = (~ink).astype(np.uint8)

    def cc():
        return cv2.connectedComponents(free)

    def full():
        s = segment(ink)
        return s.filled, s.area, s.bbox, s.centroid, s.adjacency

    seg_ms, cc_ms, ratio = paired(lambda: segment(ink), cc)
    whole_ms, _, whole_ratio = paired(full, cc, rounds=7)
    s = segment(ink)
    print(
        f"{name}: {s.n} regions; cc {cc_ms:.1f} ms; segment {seg_ms:.1f} ms (ratio {ratio:.2f}); "
        f"with fill-under-line, table and adjacency {whole_ms:.1f} ms (ratio {whole_ratio:.2f})"
    )
    return ratio


def main() -> None:
    frames = {}
    for label, size in (("1080p", (1920, 1080)), ("2160p", (3840, 2160))):
        clip = generate_clip(11, frames=1, size=size, difficulty=0.3)
        frames[label] = line_art_from_rgba(clip.lines[0]).ink
    if REAL.exists():
        real = read_line_art(REAL).ink[420:1500]
        measure("a0242 1920x1080 crop", np.ascontiguousarray(real))
    ratio_4k = measure("procedural 3840x2160", frames["2160p"])
    ratio = measure("procedural 1920x1080", frames["1080p"])
    print(f"segment/cc ratio 2160p: {ratio_4k:.2f}")
    print(f"segment/cc ratio 1080p: {ratio:.2f}")


if __name__ == "__main__":
    main()

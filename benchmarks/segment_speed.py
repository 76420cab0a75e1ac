"""Segmentation speed as a ratio to one cv2.connectedComponents pass on the same frame.

Frames: a procedural character frame at 1920x1080 and 3840x2160 (always available), and
the real a0242 line art cropped to 1920x1080 when ../shared is present.  Prints the
median of repeated runs; last line: ``segment/cc ratio 1080p: X`` (procedural frame).

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


def median_ms(fn, repeat: int = 15) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def measure(name: str, ink: np.ndarray) -> float:
    free = (~ink).astype(np.uint8)
    cc = median_ms(lambda: cv2.connectedComponents(free))
    seg = median_ms(lambda: segment(ink))

    def full():
        s = segment(ink)
        return s.filled, s.area, s.bbox, s.centroid, s.adjacency

    whole = median_ms(full, repeat=5)
    s = segment(ink)
    print(
        f"{name}: {s.n} regions; cc {cc:.1f} ms; segment {seg:.1f} ms (ratio {seg / cc:.2f}); "
        f"with fill-under-line, table and adjacency {whole:.1f} ms (ratio {whole / cc:.2f})"
    )
    return seg / cc


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

"""Bucket click repaint at 4K: recolour one region of a cached colour buffer through the
label map and repaint the view.  Target (DESIGN §8): <= 30 ms on a 3840x2160 frame.

Prints figures and ratios against one ``np.copyto`` of the frame's RGBA buffer (a memory
bandwidth yardstick on the same machine).  Run: ``python benchmarks/bucket_speed.py``.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402


def line_art(w: int = 3840, h: int = 2160) -> np.ndarray:
    """A busy 4K frame: a grid of cells with circles in them (thousands of regions)."""
    img = np.full((h, w, 4), 255, np.uint8)
    rng = np.random.default_rng(0)
    for x in range(0, w, 160):
        cv2.line(img, (x, 0), (x, h - 1), (0, 0, 0, 255), 4)
    for y in range(0, h, 120):
        cv2.line(img, (0, y), (w - 1, y), (0, 0, 0, 255), 4)
    for _ in range(1500):
        c = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.circle(img, c, int(rng.integers(8, 50)), (0, 0, 0, 255), 3, cv2.LINE_AA)
    # A few big regions, the worst case for one click.
    cv2.rectangle(img, (200, 200), (2200, 1800), (255, 255, 255, 255), -1)
    cv2.rectangle(img, (200, 200), (2200, 1800), (0, 0, 0, 255), 5)
    return img


def timeit(fn, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)) * 1000


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from linepaint.core.lineart import line_art_from_rgba
    from linepaint.core.segment import segment
    from linepaint.gui.canvas import FrameView, boxes_for

    app = QApplication.instance() or QApplication(sys.argv[:1])
    line = line_art_from_rgba(line_art())
    t = time.perf_counter()
    seg = segment(line)
    t_seg = time.perf_counter() - t
    _ = seg.filled
    t = time.perf_counter()
    boxes_for(seg)  # done by the display worker before the frame is shown
    t_boxes = time.perf_counter() - t
    rng = np.random.default_rng(1)
    colours = rng.integers(0, 256, (seg.n + 1, 4), dtype=np.uint8)
    colours[:, 3] = 255
    view = FrameView("target")
    view.resize(1600, 900)
    view.show()
    view.set_frame(0, line, seg, colours)
    view.fit()
    app.processEvents()

    big = int(np.argmax(seg.area[1:])) + 1
    typical = int(np.argsort(seg.area[1:])[len(seg.area) // 2]) + 1
    state = {"c": colours.copy()}

    def click(region: int, paint: bool):
        c = state["c"].copy()
        c[region] = (c[region].astype(np.int32) + 37) % 256
        c[region, 3] = 255
        state["c"] = c
        view.set_colours(c)
        if paint == "full":
            view.viewport().repaint()
        elif paint:
            app.processEvents()  # the real path: only the region's rect is repainted

    frame = np.empty((2160, 3840, 4), np.uint8)
    src = np.ones_like(frame)
    ref = timeit(lambda: np.copyto(frame, src))
    full = timeit(lambda: np.take(colours, seg.filled, axis=0, out=view.colour_item.array))
    rows = [
        ("typical region, recolour only", timeit(lambda: click(typical, False))),
        ("typical region, recolour + repaint of its rect", timeit(lambda: click(typical, True))),
        (
            f"largest region ({seg.area[big] / seg.area.sum():.0%} of frame), recolour + repaint",
            timeit(lambda: click(big, True)),
        ),
        (
            "typical region, recolour + whole-view repaint (worst case)",
            timeit(lambda: click(typical, "full")),
        ),
        ("full-frame recolour colours[filled] (propagation result)", full),
    ]
    print(
        f"4K frame 3840x2160, {seg.n} regions; segmentation {t_seg:.2f} s (worker), "
        f"region boxes {t_boxes * 1000:.0f} ms (worker)"
    )
    print(f"reference op: one np.copyto of the RGBA frame = {ref:.2f} ms")
    for name, ms in rows:
        flag = "ok" if ms <= 30 else "OVER 30 ms"
        if "full-frame" in name or "worst" in name:
            flag = "info"
        print(f"  {name:62s} {ms:7.2f} ms  = {ms / ref:5.2f}x copyto  [{flag}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())

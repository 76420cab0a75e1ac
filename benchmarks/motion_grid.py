"""A picture of the procedural "real" motion next to a studio run cycle, to judge by eye.

Rows: for each seed, the line art and the ground truth of drawings 0..N-1 of
``generate_clip(seed, motion="real", background=False)``, cropped to the figure; last, the six drawings of
../shared/data/real/dwanko (line and gt) when that folder is there.

    .venv/bin/python benchmarks/motion_grid.py [-o /tmp/motion-grid.png] [--seeds 7100000 ...]
        [--frames 9] [--cell 200]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from linepaint.core.image_io import read_rgba, write_png
from linepaint.synth import generate_clip

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def _on_white(rgba: np.ndarray, cell: int) -> np.ndarray:
    """uint8[cell, cell, 4] opaque: the picture composited on white, fitted and centred."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    rgb = rgba[..., :3].astype(np.float32) * a + 255.0 * (1 - a)
    h, w = rgb.shape[:2]
    k = cell / max(h, w)
    small = cv2.resize(rgb, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    out = np.full((cell, cell, 3), 255.0, np.float32)
    y, x = (cell - small.shape[0]) // 2, (cell - small.shape[1]) // 2
    out[y : y + small.shape[0], x : x + small.shape[1]] = small
    out[:, -1] = out[-1, :] = 200  # cell border
    return np.concatenate([out.round().astype(np.uint8), np.full((cell, cell, 1), 255, np.uint8)], 2)


def _crop(images: list[np.ndarray], box) -> list[np.ndarray]:
    y0, y1, x0, x1 = box
    return [im[y0:y1, x0:x1] for im in images]


def _box(gts: list[np.ndarray], margin: int = 8) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1) around what any frame paints, so the figures fill their cells."""
    ys, xs = np.nonzero(np.any([g[..., 3] > 0 for g in gts], axis=0))
    h, w = gts[0].shape[:2]
    return (
        max(ys.min() - margin, 0),
        min(ys.max() + margin, h),
        max(xs.min() - margin, 0),
        min(xs.max() + margin, w),
    )


def _row(images: list[np.ndarray], cell: int, width: int) -> np.ndarray:
    cells = [_on_white(im, cell) for im in images]
    cells += [np.full((cell, cell, 4), 255, np.uint8)] * (width - len(cells))
    return np.concatenate(cells, 1)


def motion_grid(seeds: list[int], frames: int = 9, cell: int = 200, size=(512, 384)) -> np.ndarray:
    """uint8[H, W, 4]: two rows (line, gt) per seed, then dwanko's two rows."""
    rows = []
    width = max(frames, 6)
    for s in seeds:
        c = generate_clip(s, frames=frames, size=size, difficulty=0.5, motion="real", background=False)
        box = _box(c.gt)
        rows += [_row(_crop(c.lines, box), cell, width), _row(_crop(c.gt, box), cell, width)]
    dw = REAL / "dwanko"
    if dw.is_dir():
        lines, gts = ([read_rgba(p) for p in sorted((dw / sub).glob("*.png"))] for sub in ("line", "gt"))
        box = _box(gts)
        rows += [_row(_crop(lines, box), cell, width), _row(_crop(gts, box), cell, width)]
    return np.concatenate(rows, 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", default="/tmp/motion-grid.png")
    ap.add_argument("--seeds", nargs="+", type=int, default=[7_100_001, 7_100_004, 7_100_007])
    ap.add_argument("--frames", type=int, default=9)
    ap.add_argument("--cell", type=int, default=200)
    a = ap.parse_args()
    write_png(a.out, motion_grid(a.seeds, a.frames, a.cell))
    print(a.out)


if __name__ == "__main__":
    main()

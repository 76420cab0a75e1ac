"""A colour model sheet as a palette source: the flat patches a studio paints its
swatches in (square-ish boxes of one exact colour) found on the sheet image, in reading
order, each a swatch; the rest of the sheet (the drawn character, text) is left out."""

from __future__ import annotations

import cv2
import numpy as np

from .palette import Swatch, default_name
from .render import pack_colours, unpack_colours


def sheet_patches(
    rgba: np.ndarray, min_side: int = 12, solidity: float = 0.9, limit: int = 64
) -> list[tuple[tuple[int, int, int, int], tuple[int, int, int, int]]]:
    """[(RGBA, (x, y, w, h))]: the flat patches of a model sheet (uint8[H, W, 4]):
    connected areas of one exact opaque colour at least ``min_side`` px on each side that
    fill at least ``solidity`` of their box.  One per colour (its largest), ordered top
    to bottom, then left to right by rows."""
    code = pack_colours(rgba)
    opaque = rgba[..., 3] == 255
    uniq, counts = np.unique(code[opaque], return_counts=True)
    found = []
    for c in uniq[counts >= min_side * min_side]:
        mask = (code == c) & opaque
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=4)
        best = None
        for x, y, w, h, area in stats[1:]:
            if w >= min_side and h >= min_side and area >= solidity * w * h and 0.25 <= w / h <= 4:
                if best is None or area > best[4]:
                    best = (x, y, w, h, area)
        if best is not None:
            colour = tuple(int(v) for v in unpack_colours(np.array([c]))[0])
            found.append((colour, tuple(int(v) for v in best[:4])))
    rows = max(1, min_side * 2)
    found.sort(key=lambda f: (f[1][1] // rows, f[1][0]))
    return found[:limit]


def sheet_swatches(rgba: np.ndarray, **kw) -> list[Swatch]:
    """Swatches from a model sheet's flat patches, named by their colour (rename them)."""
    return [Swatch(default_name(c), c) for c, _ in sheet_patches(rgba, **kw)]

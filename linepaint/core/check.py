"""Checks a colourist runs before handing a shot on: regions left unpainted (Harmony's
and OpenToonz's check views) and dust, the specks of paper too small to click that, left
unpainted, take their largest painted neighbour's colour (or the line's) at export, as
Clip Studio's "fill unpainted areas" does.  Pure numpy on a segmentation and its colour
table; Qt-free."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .palette import Swatch
from .render import CONTOUR
from .segment import Segmentation

#: What an unpainted dust speck becomes at export: its largest painted neighbour's colour,
#: or the line's.
DUST_TO = ("neighbour", "line")


@dataclass(frozen=True)
class Dust:
    """Specks smaller than ``size`` pixels are dust (0: none); ``to`` is one of
    :data:`DUST_TO`."""

    size: int = 5
    to: str = "neighbour"

    def to_json(self) -> dict:
        return {"size": self.size, "to": self.to}

    @staticmethod
    def from_json(d) -> Dust:
        try:
            size = int(np.clip(int(d.get("size", 5)), 0, 10_000))
            to = d.get("to", "neighbour")
        except (AttributeError, TypeError, ValueError, OverflowError):
            return Dust()
        return Dust(size, to if to in DUST_TO else "neighbour")


def dust_regions(seg: Segmentation, size: int) -> np.ndarray:
    """bool[n + 1]: regions of fewer than ``size`` pixels (row 0, the ink, False)."""
    out = np.zeros(seg.n + 1, bool)
    if size > 0:
        out[1:] = seg.area[1:] < size
    return out


def background_regions(seg: Segmentation) -> np.ndarray:
    """bool[n + 1]: regions touching the frame's edge: the paper around the drawing, left
    transparent by convention."""
    h, w = seg.shape
    x, y, bw, bh = seg.bbox.T
    out = (x <= 0) | (y <= 0) | (x + bw >= w) | (y + bh >= h)
    out[0] = False
    return out & (seg.area > 0)


def painted_clear(swatches: np.ndarray, palette: list[Swatch] | None) -> np.ndarray:
    """bool[len(swatches)]: regions painted on purpose with a transparent swatch of
    ``palette`` (``swatches``: each region's swatch id): clear, yet painted."""
    ids = [s.id for s in palette or () if s.id > 0 and s.rgba[3] == 0]
    return np.isin(swatches, ids)


def unpainted(
    seg: Segmentation,
    colours: np.ndarray | None,
    swatches: np.ndarray | None = None,
    palette: list[Swatch] | None = None,
    dust: int = 0,
) -> np.ndarray:
    """int[k]: regions left unpainted: clear, not the paper around the drawing, not dust,
    and not painted on purpose with a transparent swatch of ``palette``."""
    n = seg.n + 1
    if colours is None or len(colours) != n:
        clear = np.ones(n, bool)
    else:
        clear = np.asarray(colours)[:, 3] == 0
    if swatches is not None and len(swatches) == n:
        clear &= ~painted_clear(swatches, palette)
    clear[0] = False
    clear &= ~background_regions(seg) & ~dust_regions(seg, dust)
    return np.nonzero(clear)[0]


def review_progress(project, i: int) -> tuple[int, int]:
    """(reviewed, to review) of coloured frame ``i`` of ``project``: regions the colourist
    accepted or painted, out of those plus the regions still doubtful
    (:meth:`~linepaint.core.project.Project.doubtful`; keyframes: (0, 0))."""
    state = project.state(i)
    if state.keyframe or state.confidence is None:
        return 0, 0
    locked = [r for r in state.locks if 0 < r < len(state.confidence)]
    return len(locked), len(locked) + len(project.doubtful(i))


def settle_dust(
    seg: Segmentation, colours: np.ndarray, dust: Dust, painted: np.ndarray | None = None
) -> np.ndarray:
    """uint8[n + 1, 4]: ``colours`` with every unpainted dust speck (clear) in its largest
    painted neighbour's colour (the one with the most pixels, across the stroke) or in
    the line's colour.

    A speck that has a colour keeps it: a colourist's click, a keyframe's paint, or what
    propagation matched it to (on real art the match is right far more often than the
    neighbour: a studio paints the pockets in its strokes, and a 3D toon render's
    specks are highlights and shadows).  ``painted``: bool[n + 1], clear regions
    painted on purpose (a transparent swatch), which stay clear."""
    colours = np.asarray(colours, np.uint8)
    clear = colours[:, 3] == 0
    dust_specks = dust_regions(seg, dust.size)
    specks = dust_specks & clear
    if painted is not None and len(painted) == len(specks):
        specks &= ~painted
    if not specks.any():
        return colours
    out = colours.copy()
    if dust.to == "line":
        out[specks] = CONTOUR
        return out
    adj = np.asarray(seg.adjacency, np.int64).reshape(-1, 2)
    if not len(adj):
        return out
    # Both directions: (speck, neighbour), neighbours that are painted and not dust.
    pairs = np.concatenate([adj, adj[:, ::-1]])
    filler = ~clear & ~dust_specks
    pairs = pairs[specks[pairs[:, 0]] & filler[pairs[:, 1]]]
    if not len(pairs):
        return out
    area = seg.area[pairs[:, 1]]
    order = np.lexsort((area, pairs[:, 0]))
    pairs = pairs[order]
    last = np.append(pairs[1:, 0] != pairs[:-1, 0], True)
    speck, neighbour = pairs[last, 0], pairs[last, 1]
    out[speck] = colours[neighbour]
    return out

"""What a region looks like, whatever its place in the frame: descriptors that a swinging
limb keeps from one drawing to the next (size, elongation, the kind of line around it,
how much of it lies on the outline), for matching when the motion is too large for a
dense warp to follow.  Vectorised over regions; no Qt, no torch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .flow import ink_moments
from .lineart import LineArt
from .segment import PerSegmentation, Segmentation

#: Names of the columns of :attr:`RegionShape.features`.
FEATURES = ("log_area", "elongation", "outline", "black", "red", "green", "blue", "degree")


@dataclass(frozen=True)
class RegionShape:
    """Per-region descriptors of one segmented frame.

    features: float64[n + 1, len(FEATURES)] (row 0, ink, unused):
        log_area: log of the pixel count;
        elongation: half the log ratio of the principal second moments (0: round);
        outline: share of the region's border shared with regions that reach the frame
            edge (the paper around a character);
        black, red, green, blue: share of the strokes around the region that are black
            line or red, green, blue colour-trace line;
        degree: log(1 + number of neighbours).
    position: float64[n + 1, 2] centroid relative to the frame's ink (centre at 0, one
        unit = the ink's spread), so a camera move or zoom leaves it alone.
    """

    features: np.ndarray
    position: np.ndarray


_recent = PerSegmentation(6)


def region_shape(line: LineArt, seg: Segmentation) -> RegionShape:
    """The :class:`RegionShape` of ``seg`` (segmented from ``line``), remembered for the
    last few segmentations by identity: a keyframe is described once for every target.
    The memory holds no frame alive (a long cut keeps its label maps on disk)."""
    return _recent.get(seg, lambda: _describe(line, seg))


def _describe(line: LineArt, seg: Segmentation) -> RegionShape:
    n = seg.n
    area = np.maximum(seg.area.astype(np.float64), 1.0)
    cx, cy = seg.centroid[:, 0], seg.centroid[:, 1]
    sxx = seg.moments[:, 2] / area - cx * cx
    syy = seg.moments[:, 3] / area - cy * cy
    sxy = seg.moments[:, 4] / area - cx * cy
    half_tr = 0.5 * (sxx + syy)
    disc = np.sqrt(np.maximum(0.25 * (sxx - syy) ** 2 + sxy * sxy, 0.0))
    l1, l2 = half_tr + disc, np.maximum(half_tr - disc, 0.0)
    elongation = 0.5 * np.log((l1 + 1.0 / 12) / (l2 + 1.0 / 12))

    # The strokes around each region: ink pixels belong to their nearest region (filled).
    ink = seg.ink
    owner = seg.filled[ink]
    rgb = line.rgba[..., :3][ink].astype(np.int16)
    trace = line.trace[ink]
    hue = np.argmax(rgb, axis=1)  # 0 red, 1 green, 2 blue, for trace pixels
    kinds = np.where(trace, hue + 1, 0)  # 0 black, 1 red, 2 green, 3 blue
    counts = np.zeros((n + 1, 4))
    for k in range(4):
        counts[:, k] = np.bincount(owner[kinds == k], minlength=n + 1)[: n + 1]
    stroke = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)

    # Outline: border shared with regions that reach the frame edge.
    edge = np.zeros(n + 1, bool)
    lab = seg.labels
    edge[np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])] = True
    edge[0] = False
    a, b = seg.adjacency[:, 0].astype(np.int64), seg.adjacency[:, 1].astype(np.int64)
    bw = seg.boundary.astype(np.float64)
    total = np.bincount(a, bw, n + 1) + np.bincount(b, bw, n + 1)
    outer = np.bincount(a, bw * edge[b], n + 1) + np.bincount(b, bw * edge[a], n + 1)
    outline = outer / np.maximum(total, 1.0)
    degree = np.log1p(np.bincount(a, minlength=n + 1) + np.bincount(b, minlength=n + 1))

    features = np.column_stack(
        [np.log(area), elongation, outline, stroke[:, 0], stroke[:, 1], stroke[:, 2], stroke[:, 3], degree]
    )
    centre, spread = ink_moments(ink)
    position = (seg.centroid - centre) / spread
    return RegionShape(features=features, position=position)

"""Leaks split by the reference: where a gap no closer bridged has merged two regions of
the target, the aligned keyframe still knows they are two.

A target region that receives two coherent, different colours from the warped
reference (an arm and the background behind it) is split along the weakest line
evidence between them: a watershed on the target's darkness map, seeded by the warped
reference regions (the idea of R2R's region step, DESIGN §2).  A split is kept only when
the pieces meet along a short cut that passes by a stroke end, as two regions joined
through a gap do (the cut runs across the gap, from a broken or short stroke's end); a
closed region the warp merely smears across, or a narrow neck of one between two
unbroken lines, is left whole.  The split regions are returned so
the caller can flag them as doubtful.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

from .flow import align
from .gaps import stroke_ends
from .lineart import LineArt
from .render import pack_colours
from .segment import Segmentation, default_gap, gap_pixels, segment, touching_pairs
from .strokes import Stroke

#: Smallest area of a coherent colour, as a share of the frame's shorter side squared
#: (0.0001 of 1080² is about 120 px): a small region leaking into a big one counts.
MIN_AREA = 0.0001
#: Erosion (px) of each warped colour before it seeds the watershed: the warp is least
#: sure along reference boundaries.
SEED_EROSION = 2
#: Longest cut, as a share of the frame's shorter side (2 % of 1080 is 22 px): two
#: regions joined through a gap meet only across the gap.
MAX_CUT = 0.02
#: Largest share of a piece's outline the cut may be: a leaked region is bounded by
#: ink but for the gap; a blob of colour the warp smeared inside a region is all cut.
MAX_CUT_SHARE = 0.3
#: How near a cut must pass to a stroke end, as a multiple of the frame's default gap:
#: a gap lies between a stroke's end and the line it should meet (or the other end of
#: a broken stroke), so its cut runs within about a gap's width of an end.
END_REACH = 1.5


def split_leaks(
    target_line: LineArt, target_seg: Segmentation, ref_colours: np.ndarray, warped_ref_labels: np.ndarray
) -> tuple[Segmentation, np.ndarray]:
    """Split target regions that the aligned reference says are two regions leaking
    into each other.

    target_line, target_seg: the target frame and its segmentation.
    ref_colours: uint8[ref.n + 1, 4], the reference's region colours.
    warped_ref_labels: int32[H, W], the reference region seen from each target pixel
        (``flow.align(target.ink, ref.seg.ink).warp_labels(ref.seg.filled)``).
    Returns (segmentation, int32[k] ids of the regions that were split: each original
    id and every new piece).  The pieces of a split region keep its id for the largest
    and take new ids n + 1, ... for the others; no other region changes.  Without a
    split, ``target_seg`` itself is returned.
    """
    labels = target_seg.labels
    h, w = labels.shape
    side = min(h, w)
    min_area = max(32, int(MIN_AREA * side * side))
    max_cut = max(16, int(MAX_CUT * side))
    # Each pixel's warped colour, as an index into the reference's distinct colours.
    _, colour_of = np.unique(pack_colours(ref_colours), return_inverse=True)
    n_colours = int(colour_of.max()) + 1
    codes = colour_of.astype(np.int32)[np.clip(warped_ref_labels, 0, len(ref_colours) - 1)]
    n = target_seg.n
    regions = _two_coloured(labels, codes, n_colours, n, min_area)
    if len(regions) == 0:
        return target_seg, np.zeros(0, np.int32)
    near_end = _near_stroke_ends(target_seg.ink, int(round(END_REACH * default_gap(labels.shape))))
    # A leak's cut passes by a stroke end: a region with none near it is not split (the
    # closed shapes of a drawing, whatever the warp says), and costs no watershed.
    regions = regions[np.bincount(labels[near_end], minlength=n + 1)[regions] > 0]
    if len(regions) == 0:
        return target_seg, np.zeros(0, np.int32)
    new_labels = labels.copy()
    elevation = cv2.GaussianBlur(target_line.darkness, (0, 0), 1.0)
    boxes = ndimage.find_objects(labels, n)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * SEED_EROSION + 1,) * 2)
    split: list[int] = []
    cuts: list[np.ndarray] = []
    for r in regions:
        sl = boxes[r - 1]
        y0, x0 = max(sl[0].start - 1, 0), max(sl[1].start - 1, 0)
        y1, x1 = min(sl[0].stop + 1, h), min(sl[1].stop + 1, w)
        mask = labels[y0:y1, x0:x1] == r
        pieces = _watershed(mask, codes[y0:y1, x0:x1], elevation[y0:y1, x0:x1], kernel, min_area)
        if pieces is None:
            continue
        count, comp = _short_cuts(*pieces, max_cut, near_end[y0:y1, x0:x1])
        if count < 2:
            continue
        sizes = np.bincount(comp.ravel(), minlength=count + 1)
        keep = int(np.argmax(sizes[1:])) + 1
        ids = np.zeros(count + 1, np.int32)
        others = np.array([i for i in range(1, count + 1) if i != keep])
        ids[others] = np.arange(n + 1, n + count)
        ids[keep] = r
        n += count - 1
        box = new_labels[y0:y1, x0:x1]
        box[mask] = ids[comp[mask]]
        split.extend(ids[1:].tolist())
        cuts.append(touching_pairs(box, ids[1:]))
    if not split:
        return target_seg, np.zeros(0, np.int32)
    seg = Segmentation(new_labels, target_seg.ink, n, list(target_seg.cut_pairs) + cuts)
    return seg, np.array(sorted(split), np.int32)


#: Width (px) of the gap line drawn along a cut, and how far past each end of the cut it
#: reaches into the strokes it joins (so the line closes the gap whatever the angle).
CUT_WIDTH = 2.0
CUT_OVERSHOOT = 2.0


def leak_cuts(target_line: LineArt, target_seg: Segmentation, ref_seg: Segmentation, ref_colours: np.ndarray):
    """Gap lines that close the leaks the reference shows in the target.

    The target is aligned to the reference (``ref_seg`` coloured ``ref_colours``), its
    leaks split (:func:`split_leaks`), and each cut between two pieces becomes a straight
    gap line from one end of the cut to the other, a little past both into the strokes:
    the frame, re-segmented with the lines, keeps the pieces apart, and the colourist
    sees where linepaint closed a gap and can take the line back like one of their own.
    Returns (tuple of :class:`~linepaint.core.strokes.Stroke`, int32 ids of the target
    regions that were split).
    """
    warped = align(target_seg.ink, ref_seg.ink).warp_labels(ref_seg.filled)
    new, ids = split_leaks(target_line, target_seg, ref_colours, warped)
    if len(ids) == 0:
        return (), np.zeros(0, np.int32)
    old, lab = target_seg.labels, new.labels
    edge = np.zeros(lab.shape, bool)
    for a, b, oa, ob, ea, eb in (
        (lab[:, 1:], lab[:, :-1], old[:, 1:], old[:, :-1], edge[:, 1:], edge[:, :-1]),
        (lab[1:, :], lab[:-1, :], old[1:, :], old[:-1, :], edge[1:, :], edge[:-1, :]),
    ):
        cut = (a != b) & (a > 0) & (b > 0) & (oa == ob)
        ea |= cut
        eb |= cut
    count, comp = cv2.connectedComponents(edge.view(np.uint8), connectivity=8)
    strokes = []
    for k in range(1, count):
        ys, xs = np.nonzero(comp == k)
        pts = np.stack([xs, ys], axis=1).astype(np.float64)
        centre = pts.mean(axis=0)
        # The cut's two ends: the extremes along its main direction.
        _, _, vt = np.linalg.svd(pts - centre, full_matrices=False)
        along = (pts - centre) @ vt[0]
        p0, p1 = pts[np.argmin(along)], pts[np.argmax(along)]
        u = (p1 - p0) / max(float(np.linalg.norm(p1 - p0)), 1e-9)
        p0, p1 = p0 - CUT_OVERSHOOT * u, p1 + CUT_OVERSHOOT * u
        strokes.append(Stroke((tuple(p0.round(1).tolist()), tuple(p1.round(1).tolist())), CUT_WIDTH))
    # The split ids are the regions that were split (kept for their largest piece) and
    # the new pieces (above the target's n).
    return tuple(strokes), ids[ids <= target_seg.n]


def _near_stroke_ends(ink: np.ndarray, reach: int) -> np.ndarray:
    """bool[H, W]: within ``reach`` px of an end of a stroke of ``ink``."""
    near = np.zeros(ink.shape, np.uint8)
    pos, _ = stroke_ends(ink)
    for x, y in np.rint(pos).astype(np.int64).tolist():
        cv2.circle(near, (x, y), reach, 1, -1)
    return near.view(bool)


def _short_cuts(count: int, comp: np.ndarray, max_cut: int, near_end: np.ndarray) -> tuple[int, np.ndarray]:
    """The pieces whose cut to the other pieces is short (at most ``max_cut`` pixel
    edges, and MAX_CUT_SHARE of the piece's outline) and passes by a stroke end (bool
    ``near_end``), renumbered 1..k; the rest go back to the largest piece.  Two regions
    joined through a gap meet only across the gap, and a gap opens at a stroke's end."""
    pairs = []
    at_end = np.zeros(count + 1, bool)  # pieces with a cut pixel near a stroke end
    for a, b in ((comp[:, 1:], comp[:, :-1]), (comp[1:, :], comp[:-1, :])):
        e = a != b
        pairs.append(np.stack([a[e], b[e]], axis=1).astype(np.int64))
        by_end = (
            e
            & (a > 0)
            & (b > 0)
            & (near_end[: a.shape[0], : a.shape[1]] | near_end[-a.shape[0] :, -a.shape[1] :])
        )
        at_end[a[by_end]] = True
        at_end[b[by_end]] = True
    p = np.concatenate(pairs)
    p = np.concatenate([p, p[:, ::-1]])  # each edge counts for both its pieces
    outline = np.bincount(p[:, 0], minlength=count + 1)
    cut = np.bincount(p[:, 0], weights=(p[:, 1] > 0), minlength=count + 1)
    sizes = np.bincount(comp.ravel(), minlength=count + 1)
    sizes[0] = 0
    keep = int(np.argmax(sizes))
    ok = (cut <= max_cut) & (cut <= MAX_CUT_SHARE * outline) & at_end
    ok[keep], ok[0] = True, False
    new = np.zeros(count + 1, np.int32)
    new[ok] = np.arange(1, int(ok.sum()) + 1)
    new[~ok] = new[keep]
    new[0] = 0
    return int(ok.sum()), new[comp]


def _two_coloured(labels: np.ndarray, codes: np.ndarray, n_colours: int, n: int, min_area: int) -> np.ndarray:
    """int64[k]: regions of which at least two warped colours (``codes``, 0..n_colours-1
    per pixel) each cover ``min_area`` px (one whole-frame count, no sort, no loop over
    regions)."""
    inside = labels > 0
    pair = labels[inside].astype(np.int64) * n_colours + codes[inside]
    count = np.bincount(pair, minlength=(n + 1) * n_colours).reshape(n + 1, n_colours)
    return np.nonzero((count >= min_area).sum(axis=1) >= 2)[0]


def _watershed(
    mask: np.ndarray, codes: np.ndarray, elevation: np.ndarray, kernel: np.ndarray, min_area: int
) -> tuple[int, np.ndarray] | None:
    """Pieces of one region (bool ``mask`` in its box): (count, int32 piece per pixel,
    0 outside), one per connected piece of the watershed seeded by each coherent warped
    colour; None when fewer than two colours seed it."""
    from skimage.segmentation import watershed

    vals, counts = np.unique(codes[mask], return_counts=True)
    markers = np.zeros(mask.shape, np.int32)
    k = 0
    for v, c in zip(vals, counts, strict=True):
        if c < min_area:
            continue
        seed = cv2.erode(((codes == v) & mask).view(np.uint8), kernel)
        if seed.sum() < min_area // 4:
            continue
        k += 1
        markers[seed > 0] = k
    if k < 2:
        return None
    from skimage.measure import label

    flooded = watershed(elevation, markers, mask=mask, connectivity=1)
    # Pieces: the basins, split further where a basin is not connected.
    comp = label(flooded, background=0, connectivity=1).astype(np.int32)
    pieces = int(comp.max())
    return (pieces, comp) if pieces >= 2 else None


#: Gap size (at 1080p) a bucket click tries before it paints a region that reaches the
#: frame's edge: the top of the user's range.
LEAK_CHECK_GAP_1080P = 10


def bucket_leak(seg: Segmentation, region: int, x: int, y: int, gap: int | None = None) -> np.ndarray | None:
    """bool[H, W]: the part of ``region`` a bucket click at (x, y) was meant for, when the
    region leaks into the frame's background: it reaches the frame's edge, and closing
    wider gaps (``gap`` px; default LEAK_CHECK_GAP_1080P scaled, at least three times the
    frame's default) cuts it into pieces of which one, at least, is enclosed away from
    the edge (a character's part the background flows into, through a gap).  None when
    the region does not reach the edge, or the wider closing leaves it whole or every
    piece on the edge (a character cut by the frame, or the background itself)."""
    labels = seg.labels
    h, w = labels.shape

    def on_edge(lab: np.ndarray) -> np.ndarray:
        return np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])

    if not (on_edge(labels) == region).any():
        return None
    if gap is None:
        gap = max(gap_pixels(LEAK_CHECK_GAP_1080P, labels.shape), 3 * default_gap(labels.shape))
    wide = segment(seg.ink, gap).labels
    mine = labels == region
    pieces, area = np.unique(wide[mine], return_counts=True)
    min_area = max(32, int(MIN_AREA * min(h, w) ** 2))
    pieces = pieces[(pieces > 0) & (area >= min_area)]
    if len(pieces) < 2 or np.isin(pieces, on_edge(wide)).all():
        return None
    # The piece under the click (an ink pixel: the nearest piece).
    inside = mine & (wide == wide[y, x]) if wide[y, x] > 0 else None
    if inside is None or not inside.any():
        ys, xs = np.nonzero(mine & np.isin(wide, pieces))
        k = int(np.argmin((xs - x) ** 2 + (ys - y) ** 2))
        inside = mine & (wide == wide[ys[k], xs[k]])
    return inside

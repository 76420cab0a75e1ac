"""Split a line-art frame into line-enclosed regions: a label map plus a region table.

Regions are the 4-connected components of non-ink pixels (so a diagonal one-pixel stroke
still separates them).  Strokes that do not quite meet are closed twice over: stroke
ends are taped to the line ahead of them (:mod:`.gaps`), then trapped-ball gap closing
cuts regions that still leak.  Fill-under-line gives the colour layer no white seams
under the strokes.

:func:`segment` does the label map eagerly (a handful of whole-image OpenCV passes; the
only loop is over *leaky* regions, inside their seeds' boxes).  What only some callers
need -- the filled map, the region table, adjacency -- is computed on first use and
cached, so the paint bucket never pays for the matcher's needs.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import cached_property
from typing import TypeVar

import cv2
import numpy as np
from scipy import ndimage

from .errors import LinepaintError
from .gaps import tape_gaps
from .lineart import LineArt

#: Widest stroke gap closed by default at 1080p, in pixels.  Scaled with frame size.
DEFAULT_GAP_1080P = 5
#: Largest gap size a user sets, in pixels at 1080p.
MAX_GAP_1080P = 10
#: Share of ink above which fill-under-line does one whole-frame distance transform
#: instead of growing regions layer by layer (measured: growing is 4x faster at 1.6% ink
#: and 2.5x slower at 12%).
THICK_INK = 0.06


def gap_pixels(gap_1080p: float, shape: tuple[int, int]) -> int:
    """A gap size given at 1080p (the user's setting, 0-10 px) in pixels of a frame of
    ``shape`` (H, W): scaled with its shorter side."""
    return int(round(gap_1080p * min(shape) / 1080))


def default_gap(shape: tuple[int, int]) -> int:
    """Gap width (px) that suits a frame of ``shape`` (H, W): 5 px at 1080p, at least 2."""
    return max(2, gap_pixels(DEFAULT_GAP_1080P, shape))


def max_gap(shape: tuple[int, int]) -> int:
    """Widest gap (px) worth closing in a frame of ``shape`` (H, W): an eighth of its short
    side.  A wider ball fits no region of a drawing, and its kernel and windows grow with
    the square of the gap (100000 px asked for tens of gigabytes)."""
    return max(2, min(shape) // 8)


def check_gap(gap: int, shape: tuple[int, int]) -> int:
    """``gap`` as an int when a frame of ``shape`` can use it; else :class:`LinepaintError`."""
    try:
        value = int(gap)
    except (TypeError, ValueError, OverflowError):
        raise LinepaintError(f"the gap must be a whole number of pixels, not {gap!r}.") from None
    limit = max_gap(shape)
    if not 0 <= value <= limit:
        raise LinepaintError(
            f"a gap of {value} px does not suit a {shape[1]}x{shape[0]} frame (0 to {limit} px)."
        )
    return value


class Segmentation:
    """Regions of one frame.

    labels: int32[H, W], 0 on ink, 1..n for regions.
    ink: bool[H, W], the ink mask it was made from (gap-line strokes included).
    n: number of regions.

    Derived on first use (cached):
    filled: int32[H, W], like ``labels`` but ink pixels carry a nearest region
        (fill-under-line: the colour layer has no seams).  0 only if there is no region.
    area: int64[n + 1], pixel count per label (area[0] = ink pixels).
    bbox: int32[n + 1, 4], x, y, w, h per label.
    moments: float64[n + 1, 5], sums of x, y, x², y², xy per label.
    centroid: float64[n + 1, 2], x, y per label.
    adjacency: int32[m, 2] pairs (a < b) of regions that touch across a stroke.
    boundary: int64[m], length in pixels of each adjacency's shared border in ``filled``.
    """

    def __init__(self, labels: np.ndarray, ink: np.ndarray, n: int, cut_pairs=()):
        self.labels = labels
        self.ink = ink
        self.n = int(n)
        # int[m, 2] arrays, or (window, id) of a piece the trapped ball cut off: its pairs
        # are read from labels[window] on first use (a label map is often only filled).
        self._cuts = list(cut_pairs)

    @cached_property
    def cut_pairs(self) -> list[np.ndarray]:
        """int[m, 2] arrays of regions that touch along a gap closer's cut (no ink between)."""
        out = []
        for cut in self._cuts:
            if isinstance(cut, np.ndarray):
                out.append(cut)
                continue
            window, piece = cut
            pairs = touching_pairs(self.labels[window], [piece])
            # A border between two pieces is counted once, in the later piece's window.
            out.append(pairs[pairs.min(axis=1) < piece])
        return out

    @property
    def shape(self) -> tuple[int, int]:
        return self.labels.shape  # type: ignore[return-value]

    @cached_property
    def filled(self) -> np.ndarray:
        return fill_under_line(self.labels)

    @cached_property
    def area(self) -> np.ndarray:
        return np.bincount(self.labels.ravel(), minlength=self.n + 1).astype(np.int64)

    @cached_property
    def bbox(self) -> np.ndarray:
        out = np.zeros((self.n + 1, 4), np.int32)
        for i, sl in enumerate(ndimage.find_objects(self.labels, self.n), start=1):
            if sl is not None:
                out[i] = (sl[1].start, sl[0].start, sl[1].stop - sl[1].start, sl[0].stop - sl[0].start)
        return out

    @cached_property
    def moments(self) -> np.ndarray:
        """float64[n + 1, 5]: sums of x, y, x², y² and xy over each label's pixels."""
        return region_moments(self.labels, self.n)

    @cached_property
    def centroid(self) -> np.ndarray:
        return self.moments[:, :2] / np.maximum(self.area, 1)[:, None]

    @cached_property
    def _adjacency(self) -> tuple[np.ndarray, np.ndarray]:
        return adjacency(self.filled, self.ink, self.n, self.cut_pairs)

    @property
    def adjacency(self) -> np.ndarray:
        return self._adjacency[0]

    @property
    def boundary(self) -> np.ndarray:
        return self._adjacency[1]

    def neighbours(self, region: int) -> np.ndarray:
        """int32[k]: regions that touch ``region``."""
        a, b = self.adjacency[:, 0], self.adjacency[:, 1]
        return np.concatenate([b[a == region], a[b == region]])

    def region_at(self, x: int, y: int) -> int:
        """Region under pixel (x, y), ink resolved to its nearest region; 0 if outside."""
        h, w = self.labels.shape
        if not (0 <= x < w and 0 <= y < h):
            return 0
        return int(self.filled[y, x])


_T = TypeVar("_T")


class PerSegmentation:
    """Values derived from a segmentation, remembered for the last ``size`` segmentations
    by identity: a keyframe is looked at again for every target it colours.  The
    references are weak, so the memory keeps no frame alive (a long cut keeps its label
    maps on disk) and a dead entry never matches a new segmentation that reuses its
    memory."""

    def __init__(self, size: int):
        self.size = size
        self._entries: list[tuple[weakref.ref, object]] = []

    def get(self, seg: Segmentation, make: Callable[[], _T]) -> _T:
        """The value remembered for ``seg``, or ``make()`` remembered now."""
        for ref, value in self._entries:
            if ref() is seg:
                return value
        value = make()
        alive = [e for e in self._entries if e[0]() is not None]
        self._entries[:] = [(weakref.ref(seg), value)] + alive[: self.size - 1]
        return value


def _split_leaky(labels: np.ndarray, free255: np.ndarray, n: int, gap: int) -> tuple[int, list]:
    """Trapped-ball gap closing, in place on ``labels``; returns (new n, cuts).

    A ball of diameter ``gap + 1`` cannot pass a gap of ``gap`` pixels: the free space
    eroded by the ball falls apart into *seeds* at each gap.  A region holding two or
    more substantial seeds leaks through a gap; the largest seed keeps the region's
    label and the pixels nearest each other seed become a new region, so the cut runs
    across the gap (pixels of thin parts the ball never reaches follow their nearest
    seed too: no specks are created).

    The frame-sized work happens at half resolution (a half pixel is free only when
    its four pixels are, so strokes never thin out; the ball halves too): one
    erosion and one labelling.  Nearest seeds are found in a window around each
    split-off seed, and its pixels relabelled at full resolution inside that window
    only.  Each cut is (window, piece): :class:`Segmentation` reads from it, when asked,
    the region pairs that touch along the cut (no ink between them).
    """
    H, W = labels.shape
    h2, w2 = H // 2, W // 2
    k = gap + 1
    free_half = cv2.compare(cv2.resize(free255, (w2, h2), interpolation=cv2.INTER_AREA), 255, cv2.CMP_EQ)
    kh = max(2, round(k / 2))
    seeds = cv2.erode(free_half, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kh, kh)))
    # One pass gives the seeds' areas and boxes (a bincount and find_objects over the
    # label map cost twice the labelling).
    ns, slab, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        seeds, 4, cv2.CV_32S, cv2.CCL_SPAGHETTI
    )
    if ns <= 2:
        return n, []
    # A seed is substantial when the ball can roll about in it; smaller ones are bulges
    # of thin regions, not the far side of a gap.  (Areas here are quarter-size.)
    area = stats[:, cv2.CC_STAT_AREA]
    min_seed = max(2, int(np.pi * k * k / 16))
    big = np.nonzero(area[1:] >= min_seed)[0] + 1
    if len(big) < 2:
        return n, []
    x0, y0 = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    boxes = [None] + [(slice(y, y + hh), slice(x, x + ww)) for x, y, ww, hh in stats[1:, :4].tolist()]
    # Region of each big seed: read at its first pixel on its top row (a half pixel in a
    # seed is free at all four of its full-resolution pixels, so any of them carries the
    # label).  The first ``look`` columns of every top row are read at once; a seed whose
    # top row starts further in is looked up alone.
    look = 32
    ty, tx = y0[big], x0[big]
    row = slab[ty[:, None], np.minimum(tx[:, None] + np.arange(look), w2 - 1)] == big[:, None]
    found = row.any(axis=1)
    first_x = tx + np.argmax(row, axis=1)
    for i in np.flatnonzero(~found).tolist():
        s = big[i]
        first_x[i] = tx[i] + int(np.argmax(slab[ty[i], tx[i] : boxes[s][1].stop] == s))
    seed_region = labels[2 * ty, 2 * first_x].astype(np.int64)
    counts = np.bincount(seed_region, minlength=n + 1)
    counts[0] = 0
    if not (counts >= 2).any():
        return n, []
    cuts: list = []
    margin = 2 * k  # half-res pixels: thin parts reach a ball's width or so beyond seeds
    for region in np.nonzero(counts >= 2)[0]:
        mine = big[seed_region == region]
        keep = mine[np.argmax(area[mine])]
        for p in mine:
            if p == keep:
                continue
            ys, xs = boxes[p]
            # Window: the seed's box plus a margin; rivals within twice the margin.
            wy0, wx0 = max(ys.start - 2 * margin, 0), max(xs.start - 2 * margin, 0)
            wy1, wx1 = min(ys.stop + 2 * margin, h2), min(xs.stop + 2 * margin, w2)
            win = slab[wy0:wy1, wx0:wx1]
            rivals = np.isin(win, mine)
            _, nearest = cv2.distanceTransformWithLabels(
                cv2.compare(rivals.view(np.uint8), 0, cv2.CMP_EQ),
                cv2.DIST_L2,
                3,
                labelType=cv2.DIST_LABEL_PIXEL,
            )
            owned = (np.concatenate([np.zeros(1, slab.dtype), win[rivals]]) == p)[nearest]
            by0, bx0 = 2 * max(ys.start - margin, 0), 2 * max(xs.start - margin, 0)
            by1 = H if ys.stop + margin >= h2 else 2 * (ys.stop + margin)
            bx1 = W if xs.stop + margin >= w2 else 2 * (xs.stop + margin)
            # Owners brought to full resolution inside the box (odd edges replicate).
            oy = np.minimum(np.arange(by0, by1) // 2 - wy0, owned.shape[0] - 1)
            ox = np.minimum(np.arange(bx0, bx1) // 2 - wx0, owned.shape[1] - 1)
            box = labels[by0:by1, bx0:bx1]
            m = (box == region) & owned[np.ix_(oy, ox)]
            if not m.any():
                continue
            n += 1
            box[m] = n
            # The new piece touches its neighbours along the cut with no ink between:
            # looked for, when asked, in the piece's own box one pixel wider.
            rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
            ey0, ex0 = max(by0 + rows[0] - 1, 0), max(bx0 + cols[0] - 1, 0)
            ey1, ex1 = by0 + rows[-1] + 2, bx0 + cols[-1] + 2
            cuts.append(((slice(ey0, ey1), slice(ex0, ex1)), n))
    return n, cuts


def region_moments(labels: np.ndarray, n: int) -> np.ndarray:
    """float64[n + 1, 5]: the sums of x, y, x², y² and xy over the pixels of each label
    0..n of ``labels`` (int[H, W]).

    Summed over runs of one label along the rows, each run's sums in closed form: a line
    art frame has a few runs per stroke crossed, some tens of times fewer than pixels,
    and no whole-frame coordinate arrays are made."""
    h, w = labels.shape
    change = np.empty((h, w), bool)
    change[:, 0] = True
    np.not_equal(labels[:, 1:], labels[:, :-1], out=change[:, 1:])
    starts = np.flatnonzero(change)
    # A run ends where the next begins: every row's first pixel starts a run.
    ends = np.append(starts[1:], h * w)
    y = (starts // w).astype(np.float64)
    x0 = (starts % w).astype(np.float64)
    x1 = (ends - starts) + x0  # one past the run's last pixel
    count = x1 - x0

    def square_sum(m: np.ndarray) -> np.ndarray:  # 0² + 1² + ... + (m - 1)²
        return (m - 1) * m * (2 * m - 1) / 6

    sx = (x0 + x1 - 1) * count / 2
    sxx = square_sum(x1) - square_sum(x0)
    lab = labels.ravel()[starts]
    out = np.empty((n + 1, 5))
    for k, weights in enumerate((sx, count * y, sxx, count * y * y, sx * y)):
        out[:, k] = np.bincount(lab, weights=weights, minlength=n + 1)[: n + 1]
    return out


def touching_pairs(labels: np.ndarray, ids) -> np.ndarray:
    """int32[m, 2]: the label pairs of 4-neighbouring pixels of int32 ``labels`` (a window)
    that differ, are both regions, and involve one of ``ids`` -- regions that touch along
    a cut, with no ink between them."""
    ids = np.asarray(ids)
    out = []
    for pa, pb in ((labels[:, :-1], labels[:, 1:]), (labels[:-1, :], labels[1:, :])):
        # Differing neighbours are few (region borders): test the rest on them only.
        differ = pa != pb
        a, b = pa[differ], pb[differ]
        e = (a > 0) & (b > 0) & (np.isin(a, ids) | np.isin(b, ids))
        if e.any():
            out.append(np.stack([a[e], b[e]], axis=1))
    return np.concatenate(out).astype(np.int32) if out else np.zeros((0, 2), np.int32)


def fill_under_line(labels: np.ndarray, max_steps: int = 48) -> np.ndarray:
    """int32[H, W]: every ink pixel (label 0) takes the label of a nearest region pixel.

    Grows regions into the ink one pixel layer at a time, touching only ink pixels (a
    few percent of the frame); large solid ink areas left after ``max_steps`` layers, and
    frames so heavily inked that growing costs more than one whole-frame pass, take one
    exact distance transform.
    """
    h, w = labels.shape
    pending = np.flatnonzero(labels.ravel() == 0)
    if len(pending) == 0 or len(pending) == labels.size:
        return labels.copy()
    if len(pending) > THICK_INK * labels.size:
        return _nearest_region(labels)
    flat = labels.ravel().copy()
    px = pending % w
    offsets = []
    for dy, dx in ((0, -1), (0, 1), (-1, 0), (1, 0), (-1, -1), (-1, 1), (1, -1), (1, 1)):
        offsets.append((dy * w + dx, dx, dy))
    for _ in range(max_steps):
        py = pending // w
        best = np.zeros(len(pending), np.int32)
        for off, dx, dy in offsets:
            ok = (px + dx >= 0) & (px + dx < w) & (py + dy >= 0) & (py + dy < h)
            nb = np.zeros(len(pending), np.int32)
            nb[ok] = flat[pending[ok] + off]
            np.copyto(best, nb, where=best == 0)
        flat[pending] = best
        left = best == 0
        pending, px = pending[left], px[left]
        if len(pending) == 0:
            return flat.reshape(h, w)
    return _nearest_region(flat.reshape(h, w))


def _nearest_region(labels: np.ndarray) -> np.ndarray:
    """Every label-0 pixel takes the label of the nearest labelled pixel (one exact
    distance transform over the whole frame)."""
    region = labels > 0
    _, nearest = cv2.distanceTransformWithLabels(
        (~region).astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
    )
    lookup = np.concatenate([np.zeros(1, np.int32), labels[region]])
    return lookup[nearest]


def adjacency(
    filled: np.ndarray, ink: np.ndarray, n: int, extra: list[np.ndarray] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a < b) of regions that touch in ``filled`` and the length of each border.

    Neighbouring pixels of different regions only meet across ink (or along a gap
    closer's cut, passed in ``extra``), so only edges at ink pixels are examined.
    """
    h, w = filled.shape
    flat = filled.ravel()
    idx = np.flatnonzero(ink.ravel())
    x = idx % w
    pairs = [p for p in extra]
    for off, ok in ((1, x < w - 1), (w, idx < (h - 1) * w)):
        p = idx[ok]
        pairs.append(np.stack([flat[p], flat[p + off]], axis=1))
    for off, ok in ((1, x > 0), (w, idx >= w)):
        p = idx[ok]
        prev = p - off
        not_ink = ~ink.ravel()[prev]  # ink-ink edges were counted above
        pairs.append(np.stack([flat[prev[not_ink]], flat[p[not_ink]]], axis=1))
    allp = np.concatenate(pairs).astype(np.int64)
    a, b = allp[:, 0], allp[:, 1]
    keep = (a != b) & (a > 0) & (b > 0)
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    codes, counts = np.unique(lo * (n + 1) + hi, return_counts=True)
    out = np.stack([codes // (n + 1), codes % (n + 1)], axis=1).astype(np.int32)
    return out, counts.astype(np.int64)


def _drop_specks(ink: np.ndarray, free255: np.ndarray, tape: np.ndarray) -> None:
    """Pockets of one or two free pixels (4-connected) within two pixels of the tape
    become ink, in place on ``ink`` and ``free255``: a tape met at a slant leaves such
    pockets against the stroke, and no keyframe colours them (closed art has true
    regions of a few pixels, so no bigger).

    Done before labelling, so no label map is renumbered: such a pocket is told apart
    locally, as a free pixel with no free 4-neighbour, or two free pixels that are each
    other's only free 4-neighbour."""
    h, w = ink.shape
    # The free pixels within two pixels of a tape pixel: from the tape's own pixels (a
    # tape is a few short lines), or from a dilation where it is not (hatching).
    flat = free255.ravel()
    tp = np.flatnonzero(tape)
    if len(tp) * 25 < tape.size // 8:
        ty, tx = np.divmod(tp, w)
        d = np.arange(-2, 3)
        ny = (ty[:, None, None] + d[None, :, None]).clip(0, h - 1)
        nx = (tx[:, None, None] + d[None, None, :]).clip(0, w - 1)
        cand = np.unique((ny * w + nx).ravel())
        cand = cand[flat[cand] > 0]
    else:
        near = cv2.dilate(tape.view(np.uint8), np.ones((5, 5), np.uint8))
        cand = np.flatnonzero(cv2.bitwise_and(near, free255).view(bool))
    if len(cand) == 0:
        return

    def free_neighbours(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # How many of each pixel's 4-neighbours are free, and one of them (-1: none).
        x = p % w
        count = np.zeros(len(p), np.int64)
        one = np.full(len(p), -1, np.int64)
        for off, ok in ((-1, x > 0), (1, x < w - 1), (-w, p >= w), (w, p < (h - 1) * w)):
            q = np.where(ok, p + off, 0)
            free = ok & (flat[q] > 0)
            count += free
            one = np.where(free, q, one)
        return count, one

    count, one = free_neighbours(cand)
    alone = cand[count == 0]
    pair = count == 1
    partner = one[pair]
    mutual = free_neighbours(partner)[0] == 1
    gone = np.concatenate([alone, cand[pair][mutual], partner[mutual]])
    if len(gone) == 0:
        return
    ink.ravel()[gone] = True
    flat[gone] = 0


def segment(line: LineArt | np.ndarray, gap: int | None = None) -> Segmentation:
    """Segment line art into regions.

    line: :class:`LineArt` or a bool[H, W] ink mask.
    gap: widest stroke gap to close, in pixels of this frame (None: :func:`default_gap`;
        0: none; a setting given at 1080p: :func:`gap_pixels`).  Stroke ends are taped
        across up to ``TAPE_REACH`` times that; the tape is in the result's ``ink``.
    """
    ink = line.ink if isinstance(line, LineArt) else np.asarray(line, bool)
    gap = default_gap(ink.shape) if gap is None else check_gap(gap, ink.shape)
    tape = None
    if gap > 0 and min(ink.shape) >= 4:
        tape = tape_gaps(ink, gap)
        if tape.any():
            ink = ink | tape
        else:
            tape = None
    if ink.shape[0] < 2 or ink.shape[1] < 2:  # cv2 treats a 1xN array as a scalar
        free255 = np.where(ink, np.uint8(0), np.uint8(255))
    else:
        free255 = cv2.compare(np.ascontiguousarray(ink).view(np.uint8), 0, cv2.CMP_EQ)
    if tape is not None:
        _drop_specks(ink, free255, tape)
    n_cc, labels = cv2.connectedComponentsWithAlgorithm(free255, 4, cv2.CV_32S, cv2.CCL_SPAGHETTI)
    n, cuts = n_cc - 1, []
    if gap > 0 and n_cc > 2 and min(ink.shape) >= 4:
        n, cuts = _split_leaky(labels, free255, n, gap)
    return Segmentation(labels, ink, n, cuts)

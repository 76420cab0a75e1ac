"""Accuracy of a coloured frame against ground truth, as the published work reports it.

Region accuracy: ground-truth regions are the 4-connected components of equal
ground-truth colour among non-ink pixels (ink: the line art's, and the ground truth's own
contour pixels, opaque pure black); a region is right when the majority
predicted colour over it equals its colour.  Foreground excludes transparent regions.
Pixel accuracy over non-ink foreground pixels; mIoU over colour classes; clicks to fix:
how many of linepaint's own segments a colourist would have to re-bucket, and how many of
those are dust (specks under the app's default dust size, pockets in the strokes).  Doubt, given
the engine's confidence per segment: the share of segments the app's doubt queue (``N``)
visits (flagged) and the share of the wrong segments among them (caught); and, where the
truth says which segments show a part the reference does not (procedural clips), how many
of those the queue visits and how many are right all the same.

One real clip holds a few hundred regions, so two engines a point apart may differ by
three of them: :func:`paired` says how often the two disagree and whether the difference
is more than chance, and the summary carries an interval for the accuracy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

from .check import Dust, dust_regions
from .project import doubt_queue
from .render import CONTOUR, pack_colours
from .segment import Segmentation


def _majority(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Most frequent value per group id (0..n_groups-1); -1 where a group is empty."""
    out = np.full(n_groups, -1, np.int64)
    if len(groups) == 0:
        return out
    uniq, counts = np.unique(groups.astype(np.int64) << 32 | values.astype(np.int64), return_counts=True)
    g, v = uniq >> 32, uniq & 0xFFFFFFFF
    order = np.lexsort((counts, g))
    g, v = g[order], v[order]
    last = np.append(g[1:] != g[:-1], True)
    out[g[last]] = v[last]
    return out


@dataclass
class FrameScore:
    regions: int
    regions_right: int
    fg_regions: int
    fg_regions_right: int
    fg_pixels: int
    fg_pixels_right: int
    clicks: int
    segments: int
    iou_inter: dict
    iou_union: dict
    flagged: int = 0
    flagged_wrong: int = 0
    doubt_scored: bool = False
    absent: int = 0
    absent_flagged: int = 0
    absent_right: int = 0
    clicks_dust: int = 0
    #: bool per foreground ground-truth region, in the order of its labels: right or not
    #: (two engines scored on the same frame are compared region by region, :func:`paired`).
    fg_right: np.ndarray | None = field(default=None, repr=False, compare=False)

    def summary(self) -> dict:
        return summarise([self])


def score_frame(
    pred: np.ndarray,
    gt: np.ndarray,
    ink: np.ndarray,
    seg: Segmentation | None = None,
    confidence: np.ndarray | None = None,
    absent: np.ndarray | None = None,
) -> FrameScore:
    """Score a predicted RGBA frame against a ground-truth RGBA frame.

    ink: bool[H, W] line pixels (excluded everywhere, as are the ground truth's contour
    pixels, opaque pure black: where its lines are drawn wider than ``ink``, a scan or a
    JPEG, they would otherwise count as hundreds of one-pixel black regions).
    seg: linepaint's segmentation of the same frame, for clicks-to-fix (segments whose
    majority predicted colour differs from their majority ground-truth colour); without
    it clicks are not counted.
    confidence: float[seg.n + 1], the engine's confidence per segment, for the doubt
    figures (needs seg).
    absent: bool[seg.n + 1], segments showing a part the reference does not show, for
    the figures of those (needs seg and confidence).
    """
    pc, gc = pack_colours(pred), pack_colours(gt)
    free = ~(ink | (gc == pack_colours(np.array([CONTOUR], np.uint8))[0]))
    # Ground-truth regions: connected components of equal colour.  Colour edges are cut
    # by marking pixels whose right/down neighbour differs, then labelling per colour.
    codes, inv = np.unique(gc[free], return_inverse=True)
    cls = np.full(gc.shape, -1, np.int64)
    cls[free] = inv
    regions = np.zeros(gc.shape, np.int32)
    next_id = 0
    for k in range(len(codes)):
        mask = (cls == k).astype(np.uint8)
        n, lab = cv2.connectedComponents(mask, connectivity=4, ltype=cv2.CV_32S)
        regions[lab > 0] = lab[lab > 0] + next_id
        next_id += n - 1
    rmask = regions > 0
    rid = regions[rmask]
    maj = _majority(rid, pc[rmask], next_id + 1)
    truth = np.zeros(next_id + 1, np.int64)
    truth[rid] = gc[rmask]
    ids = np.arange(1, next_id + 1)
    right = maj[ids] == truth[ids]
    fg = truth[ids] != 0
    fgpix = free & (gc != 0)
    inter, union = {}, {}
    for code in codes:
        p, g = pc[free] == code, gc[free] == code
        inter[int(code)] = int((p & g).sum())
        union[int(code)] = int((p | g).sum())
    clicks = clicks_dust = segments = flagged = flagged_wrong = n_absent = absent_flagged = absent_right = 0
    if seg is not None:
        lmask = seg.labels > 0
        lab = seg.labels[lmask]
        pm = _majority(lab, pc[lmask], seg.n + 1)
        gm = _majority(lab, gc[lmask], seg.n + 1)
        present = gm[1:] >= 0
        wrong = pm[1:][present] != gm[1:][present]
        segments = int(present.sum())
        clicks = int(wrong.sum())
        clicks_dust = int((wrong & dust_regions(seg, Dust().size)[1:][present]).sum())
        if confidence is not None:
            queue = np.zeros(seg.n + 1, bool)
            queue[doubt_queue(confidence, None, 0)] = True
            doubt = queue[1:][present]
            flagged = int(doubt.sum())
            flagged_wrong = int((doubt & wrong).sum())
            if absent is not None:
                new = np.asarray(absent, bool)[1:][present]
                n_absent = int(new.sum())
                absent_flagged = int((new & doubt).sum())
                absent_right = int((new & ~wrong).sum())
    return FrameScore(
        regions=int(len(ids)),
        regions_right=int(right.sum()),
        fg_regions=int(fg.sum()),
        fg_regions_right=int((right & fg).sum()),
        fg_pixels=int(fgpix.sum()),
        fg_pixels_right=int((fgpix & (pc == gc)).sum()),
        clicks=clicks,
        clicks_dust=clicks_dust,
        segments=segments,
        iou_inter=inter,
        iou_union=union,
        flagged=flagged,
        flagged_wrong=flagged_wrong,
        absent=n_absent,
        absent_flagged=absent_flagged,
        absent_right=absent_right,
        doubt_scored=seg is not None and confidence is not None,
        fg_right=right[fg],
    )


def summarise(scores: list[FrameScore]) -> dict:
    """Totals over frames: accuracies pooled over all regions/pixels of all frames."""
    tot = {
        k: sum(getattr(s, k) for s in scores)
        for k in (
            "regions",
            "regions_right",
            "fg_regions",
            "fg_regions_right",
            "fg_pixels",
            "fg_pixels_right",
            "clicks",
            "clicks_dust",
            "segments",
            "flagged",
            "flagged_wrong",
            "absent",
            "absent_flagged",
            "absent_right",
        )
    }
    inter: dict[int, int] = {}
    union: dict[int, int] = {}
    for s in scores:
        for k, v in s.iou_inter.items():
            inter[k] = inter.get(k, 0) + v
        for k, v in s.iou_union.items():
            union[k] = union.get(k, 0) + v
    ious = [inter[k] / union[k] for k in union if union[k] > 0]

    def ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 1.0

    doubt = {}
    if scores and all(s.doubt_scored for s in scores):
        doubt = {
            "doubt_flagged": ratio(tot["flagged"], tot["segments"]),
            "doubt_caught": ratio(tot["flagged_wrong"], tot["clicks"]),
        }
        if tot["absent"]:
            doubt["absent"] = tot["absent"]
            doubt["absent_flagged"] = ratio(tot["absent_flagged"], tot["absent"])
            doubt["absent_right"] = ratio(tot["absent_right"], tot["absent"])
    return {
        "frames": len(scores),
        "region_accuracy": ratio(tot["regions_right"], tot["regions"]),
        "fg_region_accuracy": ratio(tot["fg_regions_right"], tot["fg_regions"]),
        "fg_region_interval": wilson_interval(tot["fg_regions_right"], tot["fg_regions"]),
        "pixel_accuracy": ratio(tot["fg_pixels_right"], tot["fg_pixels"]),
        "miou": round(float(np.mean(ious)), 4) if ious else 1.0,
        "clicks_to_fix": tot["clicks"],
        "clicks_dust": tot["clicks_dust"],
        "segments": tot["segments"],
        "regions": tot["regions"],
        "fg_regions": tot["fg_regions"],
        **doubt,
    }


def wilson_interval(right: int, total: int, z: float = 1.96) -> list[float]:
    """[low, high]: the 95 % Wilson interval of an accuracy of ``right`` of ``total``.
    It takes the regions as independent, which the regions of one frame are not, so the
    true uncertainty is at least this wide."""
    if total <= 0:
        return [0.0, 1.0]
    p = right / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * np.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return [round(float(max(0.0, centre - half)), 4), round(float(min(1.0, centre + half)), 4)]


def paired(a: list[FrameScore], b: list[FrameScore]) -> dict:
    """Two engines scored on the same frames, region by region (McNemar's exact test):
    {"a_only": foreground regions only ``a`` got right, "b_only": only ``b``, "p": the
    two-sided chance of a split at least this uneven were the two equally good}.  Only the
    regions the two disagree on tell them apart; a point of accuracy over a few hundred
    regions is often p > 0.3.  ValueError when the frames' regions differ."""
    from scipy.stats import binomtest

    if len(a) != len(b):
        raise ValueError(f"{len(a)} frames against {len(b)}: not the same frames")
    a_only = b_only = 0
    for fa, fb in zip(a, b, strict=True):
        if fa.fg_right is None or fb.fg_right is None or len(fa.fg_right) != len(fb.fg_right):
            raise ValueError("the two scores are not of the same frame's regions")
        a_only += int((fa.fg_right & ~fb.fg_right).sum())
        b_only += int((fb.fg_right & ~fa.fg_right).sum())
    n = a_only + b_only
    p = binomtest(a_only, n, 0.5).pvalue if n else 1.0
    return {"a_only": a_only, "b_only": b_only, "p": round(float(p), 4)}


def segment_recall(truth: np.ndarray, labels: np.ndarray, min_area: int = 1) -> tuple[int, int]:
    """(recovered, total): how many regions of ``truth`` (int[H, W], 0 ignored) of at least
    ``min_area`` pixels some region of ``labels`` (int[H, W], 0 = ink) covers at
    intersection over union >= 0.5 -- the segments a matcher can still colour whole."""
    _, t = np.unique(truth, return_inverse=True)
    t = t.reshape(truth.shape).astype(np.int64)
    nt = int(t.max()) + 1
    lab = labels.astype(np.int64)
    nl = int(lab.max()) + 1
    t_area = np.bincount(t.ravel(), minlength=nt)
    l_area = np.bincount(lab.ravel(), minlength=nl)
    pairs, inter = np.unique(t.ravel() * nl + lab.ravel(), return_counts=True)
    g, r = pairs // nl, pairs % nl
    iou = np.where(r > 0, inter / (t_area[g] + l_area[r] - inter), 0.0)
    best = np.zeros(nt)
    np.maximum.at(best, g, iou)
    zero = t[truth == 0]
    real = np.ones(nt, bool)
    if len(zero):
        real[zero[0]] = False
    real &= t_area >= min_area
    return int((best[real] >= 0.5).sum()), int(real.sum())


__all__ = ["FrameScore", "paired", "score_frame", "segment_recall", "summarise", "wilson_interval", "asdict"]

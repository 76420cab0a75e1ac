"""Training pairs from procedural clips: segment each line frame as the app would, label
each segment with the generator's region id under most of it, and pair frames.

A clip is anything with ``lines`` (RGBA line frames), ``gt`` (RGBA flat colours) and
``seg`` (int32 id maps, 0 ink, 1 background, >= 2 parts, ids consistent across frames),
as :func:`linepaint.synth.generate_clip` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.lineart import LineArt, line_art_from_rgba
from ..core.match.base import Reference, get_matcher
from ..core.render import region_colours_from_image
from ..core.segment import Segmentation, segment
from .features import PairInputs, classic_prior, pair_inputs


@dataclass(frozen=True)
class LabelledFrame:
    """A frame as the app sees it plus ground truth per segment.

    ids: int64[seg.n + 1] generator id under most of each segment (-1: none, e.g. ink only).
    colours: uint8[seg.n + 1, 4] ground-truth colour per segment.
    """

    line: LineArt
    seg: Segmentation
    ids: np.ndarray
    colours: np.ndarray


@dataclass(frozen=True)
class PairSample:
    """One training/validation pair.

    positive: bool[n_tgt, n_ref]: reference regions sharing the target's id.
    valid: bool[n_tgt]: targets with a known id.
    ref_colours / tgt_colours: uint8[n + 1, 4] ground truth.
    """

    inputs: PairInputs
    positive: np.ndarray
    valid: np.ndarray
    ref_colours: np.ndarray
    tgt_colours: np.ndarray


def majority_ids(seg: Segmentation, ids: np.ndarray) -> np.ndarray:
    """int64[seg.n + 1]: the most common non-ink generator id under each segment (-1: none)."""
    mask = (seg.labels > 0) & (ids > 0)
    lab = seg.labels[mask].astype(np.int64)
    idv = ids[mask].astype(np.int64)
    codes, counts = np.unique(lab << 32 | idv, return_counts=True)
    reg, val = codes >> 32, codes & 0xFFFFFFFF
    order = np.lexsort((counts, reg))
    reg, val = reg[order], val[order]
    last = np.append(reg[1:] != reg[:-1], True)
    out = np.full(seg.n + 1, -1, np.int64)
    out[reg[last]] = val[last]
    out[0] = -1
    return out


def label_frame(line_rgba: np.ndarray, gt_rgba: np.ndarray, ids: np.ndarray) -> LabelledFrame:
    """Segment one generated frame and attach its ground truth."""
    line = line_art_from_rgba(line_rgba)
    seg = segment(line)
    return LabelledFrame(line, seg, majority_ids(seg, ids), region_colours_from_image(seg, gt_rgba))


def absent_from(ref: LabelledFrame, tgt: LabelledFrame) -> np.ndarray:
    """bool[tgt.seg.n + 1]: the target's segments whose part the reference does not show
    (an arm that swings into view, a strap that appears): no region there to match, so
    the engine should doubt them."""
    return (tgt.ids >= 0) & ~np.isin(tgt.ids, ref.ids[ref.ids >= 0])


def make_pair(ref: LabelledFrame, tgt: LabelledFrame, crop: int = 32, classic: bool = False) -> PairSample:
    """A training pair; the reference is coloured with its ground truth.  ``classic``:
    include the classical engine's posterior (for networks that take it)."""
    prior = None
    if classic:
        reference = Reference(ref.line, ref.seg, ref.colours)
        posterior = get_matcher("classic").match([reference], tgt.line, tgt.seg).posterior
        prior = classic_prior(posterior, ref.colours, tgt.seg.n)
    inputs = pair_inputs(ref.line, ref.seg, ref.colours, tgt.line, tgt.seg, size=crop, classic=prior)
    rid, tid = ref.ids[1:], tgt.ids[1:]
    positive = (tid[:, None] == rid[None, :]) & (tid[:, None] >= 0)
    return PairSample(inputs, positive, tid >= 0, ref.colours, tgt.colours)


def clip_pairs(
    clip, rng: np.random.Generator, n_pairs: int, max_gap: int = 3, crop: int = 32, classic: bool = False
) -> list[PairSample]:
    """``n_pairs`` random (reference, target) pairs, at most ``max_gap`` frames apart, in
    either direction, from one clip."""
    n = len(clip.lines)
    cache: dict[int, LabelledFrame] = {}

    def frame(i: int) -> LabelledFrame:
        if i not in cache:
            cache[i] = label_frame(clip.lines[i], clip.gt[i], clip.seg[i])
        return cache[i]

    out = []
    for _ in range(n_pairs):
        a = int(rng.integers(0, n))
        gap = int(rng.integers(1, max(1, min(max_gap, n - 1)) + 1))
        b = a + gap if a + gap < n else a - gap
        b = min(max(b, 0), n - 1)
        if b == a:
            b = (a + 1) % n
        pair = make_pair(frame(a), frame(b), crop, classic)
        # BatchNorm needs two crops or more per frame; a frame that is one region (the
        # character left the shot) teaches nothing anyway.
        if min(pair.positive.shape) >= 2:
            out.append(pair)
    return out

"""What the learned matcher sees of a frame pair, computed with numpy/OpenCV only.

Per region: a fixed-size crop (line darkness, region mask, colour RGBA) around its
bounding box and a few normalised shape numbers.  The colour channels hold the
reference's own colours for a reference frame and the reference colours *warped* onto
the target for the target frame (BasicPBC's coarse colouring).  Per pair: the inclusion
prior, the share of each target region's pixels that the coarse warp sends into each
reference region.  Crops are fixed-size, so memory does not grow with frame size.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..core.flow import align
from ..core.lineart import LineArt
from ..core.match.base import ColourPosterior
from ..core.render import pack_colours
from ..core.segment import Segmentation

#: Crop channels: darkness, region mask, colour R, G, B, A.
CHANNELS = 6
#: Shape numbers per region (see :func:`region_geometry`).
GEOMETRY = 8
#: Side of the square window around a region, as a multiple of its bbox's longer side.
CONTEXT = 1.5


@dataclass(frozen=True)
class FrameInputs:
    """crops: uint8[n, CHANNELS, S, S]; geometry: float32[n, GEOMETRY] (row i = region i + 1)."""

    crops: np.ndarray
    geometry: np.ndarray


@dataclass(frozen=True)
class PairInputs:
    """One reference/target pair ready for the network.

    prior: float32[n_tgt, n_ref], share of target region t + 1's pixels that the coarse
        warp sends into reference region r + 1 (rows sum to at most 1).
    classic: float32[n_tgt, n_ref] or None, the classical engine's probability of the
        colour of reference region r + 1 for target region t + 1 (see :func:`classic_prior`).
    """

    ref: FrameInputs
    tgt: FrameInputs
    prior: np.ndarray
    classic: np.ndarray | None = None


def reference_warp(ref_seg: Segmentation, tgt_seg: Segmentation) -> np.ndarray:
    """int32[H, W]: the coarse warp of the reference's regions onto the target frame
    (reference ink resolved to its nearest region; 0 where the warp leaves the frame).
    The segmentations' ink (gap lines included) is aligned, as the classical engine and
    the leak check align it: one alignment per pair for all three."""
    return align(tgt_seg.ink, ref_seg.ink).warp_labels(ref_seg.filled)


def inclusion_prior(tgt_seg: Segmentation, warped: np.ndarray, n_ref: int) -> np.ndarray:
    """float32[n_tgt, n_ref]: share of each target region's pixels warped into each
    reference region."""
    mask = tgt_seg.labels > 0
    t = tgt_seg.labels[mask].astype(np.int64)
    r = warped[mask].astype(np.int64)
    n_t = tgt_seg.n
    bins = (n_t + 1) * (n_ref + 1)
    if bins <= 20_000_000:
        joint = np.bincount(t * (n_ref + 1) + r, minlength=bins).reshape(n_t + 1, n_ref + 1)
        joint = joint[1:, 1:].astype(np.float32)
    else:
        codes, counts = np.unique(t * (n_ref + 1) + r, return_counts=True)
        joint = np.zeros((n_t, n_ref), np.float32)
        tt, rr = codes // (n_ref + 1), codes % (n_ref + 1)
        ok = (tt > 0) & (rr > 0)
        joint[tt[ok] - 1, rr[ok] - 1] = counts[ok]
    area = np.maximum(tgt_seg.area[1:].astype(np.float32), 1.0)
    return joint / area[:, None]


def classic_prior(posterior: ColourPosterior, ref_colours: np.ndarray, n_tgt: int) -> np.ndarray:
    """float32[n_tgt, n_ref]: the classical engine's colour posterior spread over the
    reference regions of each colour.

    Every reference region of a colour gets that colour's probability, so the network
    still chooses among them; colours the classical engine ruled out (negative) get 0.
    """
    palette, which = np.unique(pack_colours(np.asarray(ref_colours, np.uint8)[1:]), return_inverse=True)
    return np.maximum(posterior.table(palette, n_tgt), 0.0)[:, which]


def region_geometry(seg: Segmentation) -> np.ndarray:
    """float32[n, GEOMETRY]: centre x, y (-0.5..0.5), bbox w, h and sqrt(area) over the
    longer frame side, log aspect ratio, bbox fill ratio, touches the frame border."""
    h, w = seg.shape
    side = float(max(h, w))
    bx, by, bw, bh = (seg.bbox[1:, i].astype(np.float32) for i in range(4))
    area = seg.area[1:].astype(np.float32)
    bw1, bh1 = np.maximum(bw, 1), np.maximum(bh, 1)
    border = (bx <= 0) | (by <= 0) | (bx + bw >= w) | (by + bh >= h)
    geo = np.stack(
        [
            seg.centroid[1:, 0] / w - 0.5,
            seg.centroid[1:, 1] / h - 0.5,
            bw / side,
            bh / side,
            np.sqrt(area) / side,
            np.log(bw1 / bh1),
            area / (bw1 * bh1),
            border.astype(np.float32),
        ],
        axis=1,
    )
    return geo.astype(np.float32)


def region_crops(seg: Segmentation, darkness: np.ndarray, colour: np.ndarray, size: int) -> np.ndarray:
    """uint8[n, CHANNELS, size, size]: a square window around each region, resized.

    darkness: uint8[H, W]; colour: uint8[H, W, 4].  The window is ``CONTEXT`` times the
    region's longer bbox side (at least ``size`` px); outside the frame stays 0.  Images
    are halved (area-averaged) as often as a window allows before cutting it out, so a
    frame-sized region costs no more than a small one.
    """
    h, w = seg.shape
    n = seg.n
    out = np.zeros((n, CHANNELS, size, size), np.uint8)
    # cv2.resize takes at most 4 channels: darkness and colour get a pyramid each.
    pyramid = [(darkness, colour)]
    labels = seg.labels
    for i in range(n):
        x, y, bw, bh = (int(v) for v in seg.bbox[i + 1])
        if bw <= 0 or bh <= 0:
            continue
        side = max(size, int(np.ceil(max(bw, bh) * CONTEXT)))
        wx0 = x + bw // 2 - side // 2
        wy0 = y + bh // 2 - side // 2
        cx0, cy0 = max(wx0, 0), max(wy0, 0)
        cx1, cy1 = min(wx0 + side, w), min(wy0 + side, h)
        if cx1 <= cx0 or cy1 <= cy0:
            continue
        f = size / side
        ox0, oy0 = int(round((cx0 - wx0) * f)), int(round((cy0 - wy0) * f))
        ox1 = max(ox0 + 1, min(size, int(round((cx1 - wx0) * f))))
        oy1 = max(oy0 + 1, min(size, int(round((cy1 - wy0) * f))))
        dsize = (ox1 - ox0, oy1 - oy0)
        if dsize == (cx1 - cx0, cy1 - cy0):  # a small region: the window is the crop
            out[i, 0, oy0:oy1, ox0:ox1] = darkness[cy0:cy1, cx0:cx1]
            out[i, 1, oy0:oy1, ox0:ox1] = (labels[cy0:cy1, cx0:cx1] == i + 1) * np.uint8(255)
            out[i, 2:, oy0:oy1, ox0:ox1] = colour[cy0:cy1, cx0:cx1].transpose(2, 0, 1)
            continue
        level = 0
        while side >> (level + 1) >= 2 * size and (h >> (level + 1)) >= 1 and (w >> (level + 1)) >= 1:
            level += 1
        # The mask is sampled every 2**level pixels: still two samples or more per crop
        # pixel each way, at a fraction of the cost for frame-sized regions.
        s = 1 << level
        mask = (labels[cy0:cy1:s, cx0:cx1:s] == i + 1) * np.uint8(255)
        out[i, 1, oy0:oy1, ox0:ox1] = cv2.resize(mask, dsize, interpolation=cv2.INTER_AREA)
        while len(pyramid) <= level:
            pd, pc = pyramid[-1]
            half = (max(1, pd.shape[1] // 2), max(1, pd.shape[0] // 2))
            pyramid.append(
                (
                    cv2.resize(pd, half, interpolation=cv2.INTER_AREA),
                    cv2.resize(pc, half, interpolation=cv2.INTER_AREA),
                )
            )
        sd, sc = pyramid[level]
        sx0, sy0 = min(cx0 // s, sd.shape[1] - 1), min(cy0 // s, sd.shape[0] - 1)
        sx1, sy1 = max(sx0 + 1, -(-cx1 // s)), max(sy0 + 1, -(-cy1 // s))
        out[i, 0, oy0:oy1, ox0:ox1] = cv2.resize(sd[sy0:sy1, sx0:sx1], dsize, interpolation=cv2.INTER_AREA)
        patch = cv2.resize(sc[sy0:sy1, sx0:sx1], dsize, interpolation=cv2.INTER_AREA)
        out[i, 2:, oy0:oy1, ox0:ox1] = patch.reshape(dsize[1], dsize[0], 4).transpose(2, 0, 1)
    return out


def frame_inputs(line: LineArt, seg: Segmentation, colour: np.ndarray, size: int) -> FrameInputs:
    """Crops and geometry of every region of one frame; ``colour`` is uint8[H, W, 4]."""
    darkness = np.clip(line.darkness * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return FrameInputs(region_crops(seg, darkness, colour, size), region_geometry(seg))


def colour_image(colours: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """uint8[H, W, 4]: ``colours[labels]`` for uint8[n + 1, 4] colours, gathered as one
    32-bit word per pixel (several times faster than gathering rows of four bytes)."""
    words = np.ascontiguousarray(colours, np.uint8).view(np.uint32).ravel()
    return words[labels].view(np.uint8).reshape(*labels.shape, 4)


def reference_inputs(line: LineArt, seg: Segmentation, colours: np.ndarray, size: int) -> FrameInputs:
    """Crops and geometry of a reference frame, coloured with its own region colours."""
    return frame_inputs(line, seg, colour_image(colours, seg.filled), size)


def pair_inputs(
    ref_line: LineArt,
    ref_seg: Segmentation,
    ref_colours: np.ndarray,
    tgt_line: LineArt,
    tgt_seg: Segmentation,
    size: int = 32,
    warped: np.ndarray | None = None,
    classic: np.ndarray | None = None,
    ref: FrameInputs | None = None,
) -> PairInputs:
    """Everything the network needs for one pair.

    ref_colours: uint8[ref_seg.n + 1, 4].  warped: int32[H, W] reference labels warped onto
    the target (computed with :func:`reference_warp` when None).  classic: the
    :func:`classic_prior` of the pair, for networks that take it.  ref: the reference's
    :func:`reference_inputs` when already computed (a reference colours many targets).
    """
    if warped is None:
        warped = reference_warp(ref_seg, tgt_seg)
    ref_colours = np.asarray(ref_colours, np.uint8)
    if ref is None:
        ref = reference_inputs(ref_line, ref_seg, ref_colours, size)
    tgt = frame_inputs(tgt_line, tgt_seg, colour_image(ref_colours, warped), size)
    return PairInputs(ref, tgt, inclusion_prior(tgt_seg, warped, ref_seg.n), classic)

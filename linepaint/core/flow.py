"""Coarse dense alignment of two line frames, and warping reference labels onto a target.

Line art is thin and sparse, which optical flow handles badly; the distance to the
nearest stroke is smooth and textured everywhere, so flow runs on that.  A global
similarity transform from the ink's moments is applied first, so camera pans and zooms
do not have to be found by the local flow.  The coarse flow (at ``FLOW_SIDE``) is then
refined at full resolution, so strokes line up to about a pixel: a speck of colour
between two strokes is only a few pixels wide, and a coarse warp puts it in the wrong
wedge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

#: Longest side, in pixels, at which flow is computed (then upsampled).
FLOW_SIDE = 640
#: Shortest side, in pixels, DIS flow is run on (its patches need room).
MIN_FLOW_SIDE = 16
#: Distance-field cap (px) of the full-resolution refinement: fine detail, not reach.
REFINE_CAP = 16.0
#: Corrections (px) the refinement may make in full; larger ones fade out to none at
#: twice this.  Where the coarse flow is far off (big motion, a new pose) a fine-scale
#: flow matches strokes to the wrong strokes, so it only polishes a warp that is close.
REFINE_MAX = 4.0


@dataclass(frozen=True)
class Alignment:
    """Where each target pixel sits in the reference.

    map_x, map_y: float32[H, W] reference coordinates per target pixel (cv2.remap maps).
    """

    map_x: np.ndarray
    map_y: np.ndarray
    # Last labels warped, by identity: both engines warp the same labels of a pair.
    _last: list = field(default_factory=list, compare=False, repr=False)

    def warp_labels(self, ref_labels: np.ndarray, fill: int = 0) -> np.ndarray:
        """int32[H, W]: the reference label seen from each target pixel (nearest).
        Treat the result as read-only: the same array is returned for the same labels."""
        for labels, f, warped in self._last:
            if labels is ref_labels and f == fill:
                return warped
        warped = self._remap_labels(ref_labels, fill)
        self._last[:] = [(ref_labels, fill, warped)]
        return warped

    def _remap_labels(self, ref_labels: np.ndarray, fill: int) -> np.ndarray:
        return cv2.remap(
            ref_labels.astype(np.float32),
            self.map_x,
            self.map_y,
            cv2.INTER_NEAREST,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=float(fill),
        ).astype(np.int32)

    def warp_image(self, ref_img: np.ndarray) -> np.ndarray:
        """The reference image (any dtype cv2 remaps) seen from the target, nearest."""
        return cv2.remap(ref_img, self.map_x, self.map_y, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)


def distance_field(ink: np.ndarray, scale: float, cap: float = 24.0) -> np.ndarray:
    """uint8 image of the (capped) distance to the nearest stroke, at ``scale``."""
    h, w = ink.shape
    small = cv2.resize(
        ink.astype(np.uint8) * 255,
        (max(1, round(w * scale)), max(1, round(h * scale))),
        interpolation=cv2.INTER_AREA,
    )
    free = (small < 64).astype(np.uint8)
    dist = cv2.distanceTransform(free, cv2.DIST_L2, 3)
    return (np.minimum(dist, cap) * (255.0 / cap)).astype(np.uint8)


def ink_moments(ink: np.ndarray) -> tuple[np.ndarray, float]:
    """(centre x, y; spread in px) of the ink: where a drawing sits and how big it is."""
    ys, xs = np.nonzero(ink[::4, ::4])
    if len(xs) < 8:
        h, w = ink.shape
        return np.array([w / 2.0, h / 2.0]), float(max(h, w)) / 4
    pts = np.stack([xs, ys], axis=1).astype(np.float64) * 4
    c = pts.mean(axis=0)
    spread = float(np.sqrt(((pts - c) ** 2).sum(axis=1).mean()))
    return c, max(spread, 1.0)


_recent: list[tuple[np.ndarray, np.ndarray, int, bool, Alignment]] = []
_fine_fields: list[tuple[np.ndarray, np.ndarray]] = []


def _fine_field(ink: np.ndarray) -> np.ndarray:
    """The refinement's full-resolution distance field of ``ink``, remembered by array
    identity for the last few frames: one keyframe is aligned with every target it
    colours, and a target with every keyframe it is coloured from."""
    for k, dist in _fine_fields:
        if k is ink:
            return dist
    dist = distance_field(ink, 1.0, REFINE_CAP)
    _fine_fields.insert(0, (ink, dist))
    del _fine_fields[4:]
    return dist


def align(
    target_ink: np.ndarray, ref_ink: np.ndarray, side: int = FLOW_SIDE, refine: bool = True
) -> Alignment:
    """Dense alignment target -> reference: global similarity from ink moments, then DIS
    optical flow on distance fields at ``side`` pixels, upsampled to full size, then
    (``refine``) polished at full resolution.

    The last few results are remembered by array identity: the learned engine and the
    classical posterior it blends in align the same pair, and should pay for it once.
    """
    for t, r, s, f, al in _recent:
        if t is target_ink and r is ref_ink and s == side and f == refine:
            return al
    al = _align(target_ink, ref_ink, side, refine)
    _recent.insert(0, (target_ink, ref_ink, side, refine, al))
    del _recent[4:]
    return al


def _align(target_ink: np.ndarray, ref_ink: np.ndarray, side: int, refine: bool = True) -> Alignment:
    h, w = target_ink.shape
    scale = min(1.0, side / max(h, w))
    ct, st = ink_moments(target_ink)
    cr, sr = ink_moments(ref_ink)
    zoom = float(np.clip(sr / st, 0.5, 2.0))
    # Target point p sits at cr + zoom * (p - ct) in the reference, before local flow.
    dt = distance_field(target_ink, scale)
    dr = distance_field(ref_ink, scale)
    sh, sw = dt.shape
    m = np.array([[zoom, 0, (cr[0] - zoom * ct[0]) * scale], [0, zoom, (cr[1] - zoom * ct[1]) * scale]])
    # Pre-warp the reference into the target's frame with the global transform, so the
    # flow only has to explain what is left.
    dr_pre = cv2.warpAffine(
        dr, m, (sw, sh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )
    if min(sh, sw) >= MIN_FLOW_SIDE:
        dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
        flow = dis.calc(dt, dr_pre, None)  # target small -> pre-warped ref small
        flow = cv2.GaussianBlur(flow, (0, 0), 2.0)
    else:  # a sliver of a frame: too small for patch flow, the global transform must do
        flow = np.zeros((sh, sw, 2), np.float32)
    gx, gy = np.meshgrid(np.arange(sw, dtype=np.float32), np.arange(sh, dtype=np.float32))
    px, py = gx + flow[..., 0], gy + flow[..., 1]
    # Back through the global transform, to full-resolution reference coordinates.
    rx = (m[0, 0] * px + m[0, 2] + 0.5) / scale - 0.5
    ry = (m[1, 1] * py + m[1, 2] + 0.5) / scale - 0.5
    map_x = cv2.resize(rx.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    map_y = cv2.resize(ry.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    # The refinement's DIS pass works at half resolution with 8-px patches.
    if min(h, w) < 2 * MIN_FLOW_SIDE or not refine:
        return Alignment(map_x=map_x, map_y=map_y)
    return Alignment(*_refine(map_x, map_y, target_ink, ref_ink))


def _refine(
    map_x: np.ndarray, map_y: np.ndarray, target_ink: np.ndarray, ref_ink: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Full-resolution polish of a coarse alignment: warp the reference's distance field
    by it, flow from the target's to that (corrections of a few pixels), and compose.

    DIS works on the half-resolution level of full-resolution distance fields (their
    sub-pixel values keep the strokes' exact positions); smoothing, the fade-out of large
    corrections and the composition run at half resolution too, where the maps are still
    smooth, and the result is upsampled.
    """
    h, w = target_ink.shape
    dt = _fine_field(target_ink)
    dr = _fine_field(ref_ink)
    pre = cv2.remap(dr, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
    dis.setFinestScale(1)
    fine = dis.calc(dt, pre, None)
    hw, hh = (w + 1) // 2, (h + 1) // 2
    fine = cv2.GaussianBlur(cv2.resize(fine, (hw, hh), interpolation=cv2.INTER_AREA), (0, 0), 1.0)
    size = cv2.magnitude(fine[..., 0], fine[..., 1])
    fine *= np.clip((2.0 * REFINE_MAX - size) / REFINE_MAX, 0.0, 1.0)[..., None]
    # Full-resolution coordinates of the half-resolution grid, moved by the correction,
    # then looked up in the coarse maps (target -> pre-warped -> reference).
    gx = (np.arange(hw, dtype=np.float32) + 0.5) * (w / hw) - 0.5
    gy = (np.arange(hh, dtype=np.float32) + 0.5) * (h / hh) - 0.5
    sx = fine[..., 0] + gx[None, :]
    sy = fine[..., 1] + gy[:, None]
    out = []
    for m in (map_x, map_y):
        half = cv2.remap(m, sx, sy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        out.append(cv2.resize(half, (w, h), interpolation=cv2.INTER_LINEAR))
    return out[0], out[1]

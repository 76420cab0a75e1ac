"""Known smooth deformations of a frame: evaluation cases from single coloured frames
(warp line + ground truth together, colour the warped copy from the original), and the
same line art as a paper scan (:func:`as_scan`)."""

from __future__ import annotations

import cv2
import numpy as np

from .lineart import line_art_from_rgba
from .render import CONTOUR, flat


def smooth_field(
    shape: tuple[int, int], amplitude: float, rng: np.random.Generator, cells: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """float32 maps (map_x, map_y) for cv2.remap: identity plus a smooth random
    displacement of at most about ``amplitude`` pixels, plus a small global
    rotation/scale/shift.  Output pixel p samples the source at (map_x, map_y)."""
    h, w = shape
    coarse = rng.normal(size=(cells + 1, cells + 1, 2)).astype(np.float32)
    disp = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    disp *= amplitude / max(1e-6, float(np.abs(disp).max()))
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    angle = rng.uniform(-3, 3) * np.pi / 180
    scale = rng.uniform(0.97, 1.03)
    shift = rng.uniform(-0.02, 0.02, size=2) * np.array([w, h])
    cx, cy = w / 2, h / 2
    x, y = gx - cx, gy - cy
    ca, sa = np.cos(angle) / scale, np.sin(angle) / scale
    mx = ca * x - sa * y + cx + shift[0] + disp[..., 0]
    my = sa * x + ca * y + cy + shift[1] + disp[..., 1]
    return mx.astype(np.float32), my.astype(np.float32)


def warp_pair(line: np.ndarray, gt: np.ndarray, amplitude: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Warp an RGBA line frame and its RGBA ground truth with the same smooth field.

    The line frame is resampled bilinearly (strokes stay continuous and anti-aliased, as
    redrawn art would be); the ground truth nearest-neighbour, so colours stay flat
    (every output colour exists in the input)."""
    rng = np.random.default_rng(seed)
    mx, my = smooth_field(line.shape[:2], amplitude, rng)
    # Premultiplied, so transparent pixels' RGB cannot bleed into the strokes.
    pm = line.astype(np.float32)
    pm[..., :3] *= pm[..., 3:4] / 255.0
    pm = cv2.remap(pm, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    alpha = pm[..., 3:4]
    pm[..., :3] = np.where(alpha > 0, pm[..., :3] * 255.0 / np.maximum(alpha, 1e-6), 0)
    wl = np.clip(pm + 0.5, 0, 255).astype(np.uint8)
    # Replicated borders: what the warp pulls in from outside the frame continues the
    # edge (a character cut by the frame stays cut), rather than opening a seamless leak.
    # Contour pixels of the ground truth take their nearest flat colour before warping;
    # afterwards the warped strokes are black again, so the two agree pixel for pixel.
    contour = (gt == CONTOUR).all(axis=2)
    unlined = gt.copy()
    if contour.any() and not contour.all():
        _, nearest = cv2.distanceTransformWithLabels(
            contour.astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
        )
        lookup = np.concatenate([np.zeros((1, 4), np.uint8), gt[~contour]])
        unlined = lookup[nearest]
    wg = cv2.remap(unlined, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
    return wl, flat(line_art_from_rgba(wl), wg)


def as_scan(rgba: np.ndarray, grey: bool = True, jpeg_quality: int | None = 90) -> np.ndarray:
    """An RGBA line frame as other studios deliver theirs: flattened on white paper,
    optionally grey (colour-trace lines become grey strokes) and JPEG-compressed.
    Returns opaque uint8 RGBA."""
    a = rgba[..., 3:4].astype(np.float32) / 255.0
    rgb = np.clip(rgba[..., :3].astype(np.float32) * a + 255.0 * (1.0 - a) + 0.5, 0, 255).astype(np.uint8)
    if grey:
        rgb = np.repeat(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    if jpeg_quality is not None:
        ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        if not ok:
            raise ValueError("JPEG encoding failed")
        rgb = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])

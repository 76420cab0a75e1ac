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


# --- Broken, faint and pencil line art (the broken-lines development set) ------------------


def _with_darkness(rgba: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """``rgba`` with every pixel's ink scaled by float32[H, W] ``factor`` (0 erases it to
    paper, 1 keeps it): alpha on transparent art, distance from white on opaque art."""
    out = rgba.copy()
    if (rgba[..., 3] < 255).any():
        out[..., 3] = np.clip(rgba[..., 3].astype(np.float32) * factor + 0.5, 0, 255).astype(np.uint8)
    else:
        ink = 255.0 - rgba[..., :3].astype(np.float32)
        out[..., :3] = np.clip(255.0 - ink * factor[..., None] + 0.5, 0, 255).astype(np.uint8)
    return out


def stroke_points(rgba: np.ndarray, n: int, spacing: float, seed: int) -> np.ndarray:
    """int64[k, 2] (x, y): up to ``n`` points on the centre lines of the strokes, drawn at
    random (seeded) and at least ``spacing`` px apart."""
    from skimage.morphology import skeletonize

    ys, xs = np.nonzero(skeletonize(line_art_from_rgba(rgba).ink))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(xs))
    chosen: list[tuple[int, int]] = []
    for i in order:
        p = (int(xs[i]), int(ys[i]))
        if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 >= spacing * spacing for q in chosen):
            chosen.append(p)
            if len(chosen) == n:
                break
    return np.array(chosen, np.int64).reshape(-1, 2)


def break_strokes(
    rgba: np.ndarray, n_gaps: int, sizes: tuple[int, int] = (2, 5), seed: int = 0, spacing: float = 24.0
) -> tuple[np.ndarray, np.ndarray]:
    """Line art with ``n_gaps`` discs erased along its strokes, as a hand-drawn line that
    does not quite meet.  Disc diameters are drawn uniformly from ``sizes`` (px,
    inclusive); a disc wider than the stroke under it opens a gap of about its diameter,
    a narrower one only dents it (as on thick strokes).  Deterministic by ``seed``.

    Returns (uint8[H, W, 4] broken copy, int64[k, 3] gaps as x, y, diameter)."""
    rng = np.random.default_rng(seed)
    pts = stroke_points(rgba, n_gaps, spacing, int(rng.integers(1 << 31)))
    diam = rng.integers(sizes[0], sizes[1] + 1, size=len(pts))
    keep = np.full(rgba.shape[:2], 255, np.uint8)
    for (x, y), d in zip(pts, diam, strict=True):
        # Sub-pixel centre and radius (shift 4): even diameters are centred between pixels.
        c = (int(round((x + 0.5 * (d % 2 == 0)) * 16)), int(round((y + 0.5 * (d % 2 == 0)) * 16)))
        cv2.circle(keep, c, int(round(d / 2 * 16)), 0, -1, cv2.LINE_AA, shift=4)
    factor = keep.astype(np.float32) / 255.0
    return _with_darkness(rgba, factor), np.column_stack([pts, diam])


def fade_strokes(
    rgba: np.ndarray, n: int, level: float = 0.2, length: float = 30.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Line art with ``n`` stretches of stroke (discs of diameter ``length`` centred on
    the strokes) drawn faint: their ink scaled to ``level`` (0.2 puts full black just
    under the default ink threshold), fading in over a few pixels, as a light pencil
    touch.  Returns (uint8[H, W, 4], int64[k, 2] centres x, y)."""
    pts = stroke_points(rgba, n, 2 * length, seed)
    mask = np.zeros(rgba.shape[:2], np.float32)
    for x, y in pts:
        cv2.circle(mask, (int(x), int(y)), int(round(length / 2)), 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 2.0)
    return _with_darkness(rgba, 1.0 - (1.0 - level) * np.clip(mask, 0, 1)), pts


def as_pencil(rgba: np.ndarray, seed: int = 0, low: float = 0.3, grain: float = 0.15) -> np.ndarray:
    """Line art as a pencil drawing scanned grey on white: pressure (ink darkness) varies
    smoothly over the frame between ``low`` and 1, with a fine paper grain.  Returns
    opaque uint8 RGBA."""
    rng = np.random.default_rng(seed)
    h, w = rgba.shape[:2]
    cells = max(4, round(max(h, w) / 160))
    coarse = rng.uniform(size=(cells + 1, cells + 1)).astype(np.float32)
    pressure = low + (1.0 - low) * np.clip(cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC), 0, 1)
    tooth = 1.0 - grain * rng.uniform(size=(h, w)).astype(np.float32)
    flat_grey = as_scan(rgba, grey=True, jpeg_quality=None)
    return _with_darkness(flat_grey, pressure * tooth)

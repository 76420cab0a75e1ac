"""Between label maps and pixels: region colours from a painted image, and the colour
layer / composited frame from a colour table (``colours[filled]``, never per-region loops)."""

from __future__ import annotations

import numpy as np

from .lineart import LineArt
from .segment import Segmentation


def pack_colours(rgba: np.ndarray) -> np.ndarray:
    """uint32[...] code per uint8[..., 4] RGBA colour (R in the top byte); every fully
    transparent colour gets the same code, 0, whatever its RGB."""
    c = rgba.astype(np.uint32)
    code = (c[..., 0] << 24) | (c[..., 1] << 16) | (c[..., 2] << 8) | c[..., 3]
    code[c[..., 3] == 0] = 0
    return code


def palette_index(palette: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """int64[...]: the position of each packed colour ``codes`` in the sorted packed
    ``palette``, -1 where it is not there."""
    codes = np.asarray(codes)
    if len(palette) == 0:
        return np.full(codes.shape, -1, np.int64)
    pos = np.minimum(np.searchsorted(palette, codes), len(palette) - 1)
    return np.where(palette[pos] == codes, pos, -1).astype(np.int64)


def unpack_colours(codes: np.ndarray) -> np.ndarray:
    """uint8[..., 4] RGBA from :func:`pack_colours` codes."""
    c = np.asarray(codes).astype(np.uint32)
    return np.stack([c >> 24, (c >> 16) & 255, (c >> 8) & 255, c & 255], axis=-1).astype(np.uint8)


def region_colours_from_image(seg: Segmentation, rgba: np.ndarray) -> np.ndarray:
    """uint8[n + 1, 4]: the majority RGBA colour of each region's pixels in ``rgba``.

    Only non-ink pixels vote (a keyframe's contour pixels are black).  Fully transparent
    pixels all vote (0, 0, 0, 0) whatever their RGB, so background stays clear.
    """
    colours = np.zeros((seg.n + 1, 4), np.uint8)
    mask = seg.labels > 0
    if not mask.any():  # all ink: no region to colour
        return colours
    code = pack_colours(rgba)
    regions = seg.labels[mask].astype(np.int64)
    uniq, counts = np.unique(regions << 32 | code[mask].astype(np.int64), return_counts=True)
    reg, col = uniq >> 32, uniq & 0xFFFFFFFF
    # Majority per region: sort by (region, count) and keep each region's last entry.
    order = np.lexsort((counts, reg))
    reg, col = reg[order], col[order]
    last = np.append(reg[1:] != reg[:-1], True)
    reg, col = reg[last], col[last]
    colours[reg] = unpack_colours(col)
    return colours


#: Colour of the black line work in flat frames and ground truth (BasicPBC's layout:
#: contour pixels are opaque pure black).
CONTOUR = (0, 0, 0, 255)


def false_colours(n: int) -> np.ndarray:
    """uint8[n + 1, 4]: an opaque random colour per region (row 0, ink, black), the same
    for the same ``n`` -- the gap check: two areas one colour are one region, a leak."""
    rng = np.random.default_rng(0)
    out = np.full((n + 1, 4), 255, np.uint8)
    out[:, :3] = rng.integers(40, 256, size=(n + 1, 3), dtype=np.uint8)
    out[0, :3] = 0
    return out


def colour_layer(seg: Segmentation, colours: np.ndarray) -> np.ndarray:
    """uint8[H, W, 4]: flat colours under the lines (fill-under-line, no seams)."""
    return colours[seg.filled]


def flat(line: LineArt, layer: np.ndarray) -> np.ndarray:
    """uint8[H, W, 4]: the colour layer with the black lines hard and opaque on top, like a
    ground-truth frame; colour-trace lines take the colour under them."""
    out = layer.copy()
    out[line.ink & ~line.trace] = CONTOUR
    return out


def composite(line: LineArt, layer: np.ndarray) -> np.ndarray:
    """uint8[H, W, 4]: the line layer over the colour layer.  Colour-trace lines are
    painted over (they take the colour of their region); black lines keep their
    anti-aliasing and stay opaque where the colour layer is transparent."""
    a = line.line_alpha.astype(np.float32)[..., None] * (1.0 / 255.0)
    line_rgb = line.rgba[..., :3].astype(np.float32)
    out = np.empty_like(layer)
    base_a = layer[..., 3:4].astype(np.float32) * (1.0 / 255.0)
    out_a = a + base_a * (1.0 - a)
    with np.errstate(invalid="ignore", divide="ignore"):
        rgb = (line_rgb * a + layer[..., :3].astype(np.float32) * base_a * (1.0 - a)) / out_a
    out[..., :3] = np.clip(np.nan_to_num(rgb) + 0.5, 0, 255).astype(np.uint8)
    out[..., 3] = np.clip(out_a[..., 0] * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out

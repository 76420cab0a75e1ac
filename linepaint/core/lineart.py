"""Line art as masks: how dark each pixel is, which pixels are ink, which are colour-trace lines.

Colour-trace lines (pure red, green or blue strokes) bound shadow and highlight areas:
they separate regions like black ink does, but the output paints them over with the
colour of the region they belong to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np

from .image_io import read_rgba

#: Darkness (0 = paper, 1 = full ink) above which a pixel counts as line.  Low on
#: purpose: the faint edge pixels of thin anti-aliased strokes must still close the line,
#: or a 1 px stroke drawn with soft edges leaks.
DEFAULT_INK_THRESHOLD = 0.25
#: Darkness above which a *faint* stroke still counts as line when it continues a line
#: (hysteresis): a light pencil touch between two firm strokes closes the contour instead
#: of leaving a gap no gap closer can bridge.
DEFAULT_FAINT_THRESHOLD = 0.08


@dataclass(frozen=True)
class LineArt:
    """One frame of line art, normalised.

    rgba: uint8[H, W, 4] as read.
    darkness: float32[H, W], 0 paper .. 1 full ink (composited over white, so both
        alpha-on-transparent and ink-on-paper art map to the same scale).
    ink: bool[H, W], every line pixel (black and colour-trace).
    trace: bool[H, W], the colour-trace subset of ``ink``.
    """

    rgba: np.ndarray
    darkness: np.ndarray
    ink: np.ndarray
    trace: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.ink.shape  # type: ignore[return-value]

    @property
    def line_alpha(self) -> np.ndarray:
        """uint8[H, W]: opacity of the black line layer (trace lines excluded)."""
        alpha = np.round(self.darkness * 255.0).astype(np.uint8)
        alpha[self.trace] = 0
        return alpha


def composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """uint8 RGBA [..., 4] -> float32 RGB [..., 3] in 0..1 over white paper."""
    rgb = rgba[..., :3].astype(np.float32) * (1.0 / 255.0)
    alpha = rgba[..., 3:4].astype(np.float32) * (1.0 / 255.0)
    return rgb * alpha + (1.0 - alpha)


def trace_mask(rgb: np.ndarray) -> np.ndarray:
    """bool[...]: which of these composited float RGB pixels are a pure primary hue.

    A trace pixel has one channel clearly above the other two, and those two close to
    each other (anti-aliased red over white is (1, x, x)); yellow, magenta and cyan
    strokes are not traces.
    """
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    hi = np.maximum(np.maximum(r, g), b)
    lo = np.minimum(np.minimum(r, g), b)
    mid = r + g + b - hi - lo  # the median of three, without sorting
    return (hi - mid > 0.3) & (mid - lo < 0.25)


def faint_strokes(
    darkness: np.ndarray, ink: np.ndarray, faint: float = DEFAULT_FAINT_THRESHOLD
) -> np.ndarray:
    """bool[H, W]: pixels of faint strokes that continue the ``ink`` (hysteresis).

    A faint pixel is darker than ``faint`` and on the crest of its stroke (at least
    two thirds as dark as the darkest pixel around it), so the soft edges of firm
    strokes are not taken (the ink would thicken and thin regions close up); faint
    crests are kept where they run to within two pixels of the ink, so specks of
    paper grain or JPEG noise away from the lines are not.
    """
    weak = (darkness > faint) & ~ink
    if not weak.any():
        return weak
    crest = weak & (darkness * 1.5 >= cv2.dilate(darkness, np.ones((3, 3), np.uint8)))
    n, lab = cv2.connectedComponents(crest.view(np.uint8), connectivity=8, ltype=cv2.CV_32S)
    if n <= 1:
        return crest
    near = cv2.dilate(ink.view(np.uint8), np.ones((5, 5), np.uint8)).view(bool)
    keep = np.zeros(n, bool)
    keep[lab[near & crest]] = True
    keep[0] = False
    return keep[lab]


def line_art_from_rgba(
    rgba: np.ndarray, threshold: float = DEFAULT_INK_THRESHOLD, faint: float | None = DEFAULT_FAINT_THRESHOLD
) -> LineArt:
    """Build :class:`LineArt` from uint8 RGBA [H, W, 4].

    Compositing over white is monotonic per channel, so darkness (1 - the darkest
    composited channel) comes from the darkest channel and alpha alone, in two
    whole-frame passes; hue is examined on the ink pixels only (a few percent).
    faint: hysteresis threshold for faint strokes that continue the line
    (:func:`faint_strokes`); None keeps only pixels above ``threshold``.
    """
    r, g, b, a = cv2.split(np.ascontiguousarray(rgba))
    darkest = cv2.min(cv2.min(r, g), b)
    darkness = cv2.multiply(cv2.subtract(255, darkest), a, dtype=cv2.CV_32F, scale=1.0 / (255.0 * 255.0))
    ink = darkness > threshold
    if faint is not None and faint < threshold:
        ink |= faint_strokes(darkness, ink, faint)
    trace = np.zeros_like(ink)
    idx = np.flatnonzero(ink)
    if len(idx):
        trace.ravel()[idx] = trace_mask(composite_on_white(rgba.reshape(-1, 4)[idx]))
    return LineArt(rgba=rgba, darkness=darkness, ink=ink, trace=trace)


def read_line_art(path: str | os.PathLike, threshold: float = DEFAULT_INK_THRESHOLD) -> LineArt:
    """Read a line-art file (any format :func:`read_rgba` takes)."""
    return line_art_from_rgba(read_rgba(path), threshold)

"""Rasterise z-ordered polygons at 2x into an exact region-id map plus ink layers, then
downsample to anti-aliased line art, flat-colour ground truth and a segment-id map.

Painter's order keeps ground truth exact: each part first erases the lines under it, fills
its id, paints its clipped sub-regions (bounded by black or colour-trace lines drawn only
inside it), its dangling strokes, and last its own outline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

SS = 2  # supersampling factor
_SHIFT = 3  # sub-pixel bits for cv2 drawing
_ONE = 1 << _SHIFT

#: RGB of colour-trace line kinds 1..3 (red, green, blue); 0 is black.
TRACE_RGB = np.array([(0, 0, 0), (255, 0, 0), (0, 255, 0), (0, 0, 255)], np.uint8)

#: Line alpha above which a black pixel counts as ink for linepaint.core.lineart
#: (darkness > 0.25), and below which a trace pixel is dropped so every kept trace pixel
#: is read as trace (primary-hue margin > 0.3).
_TRACE_RGBA32 = np.concatenate([TRACE_RGB, np.zeros((4, 1), np.uint8)], 1).view(np.uint32).ravel()

INK_ALPHA = 64
TRACE_MIN_ALPHA = 80


@dataclass
class Child:
    """A region clipped to its part: poly is float[N, 2] canvas px at 2x."""

    id: int
    poly: np.ndarray
    line: int = 0
    invert: bool = False
    width: float = 3.0


@dataclass
class Item:
    """One top-level drawn part, in 2x canvas px.  id 0 with poly None: strokes only."""

    id: int
    poly: np.ndarray | None
    z: float
    width: float = 3.0
    gap_ok: bool = True
    strokes: list[np.ndarray] = field(default_factory=list)
    stroke_width: float = 3.0
    children: list[Child] = field(default_factory=list)


def _fx(pts: np.ndarray) -> np.ndarray:
    return np.round(pts * _ONE).astype(np.int32)


def _chunks(path: np.ndarray, width: float, rng: np.random.Generator) -> dict[int, list[np.ndarray]]:
    """Split an open path into short runs of slightly different thickness (pen pressure)."""
    out: dict[int, list[np.ndarray]] = {}
    n = len(path)
    fx = _fx(path)
    step = int(rng.integers(6, 14))
    starts = range(0, max(n - 1, 1), step)
    ths = np.maximum(2, np.round(width * rng.uniform(0.7, 1.35, len(starts)))).astype(int)
    for i, th in zip(starts, ths, strict=True):
        out.setdefault(int(th), []).append(fx[i : i + step + 1])
    return out


def _open_path(poly: np.ndarray, rng: np.random.Generator, gap: float) -> np.ndarray:
    """Closed outline as an open path; with gap > 0 a piece of that length is left out."""
    closed = np.concatenate([poly, poly[:1]])
    if gap <= 0:
        return closed
    seg = np.diff(closed, axis=0)
    seglen = np.hypot(seg[:, 0], seg[:, 1])
    ok = np.flatnonzero(seglen > gap + 1.0)
    if len(ok) == 0:
        return closed
    j = int(ok[rng.integers(len(ok))])
    u = seg[j] / seglen[j]
    s = rng.uniform(0, seglen[j] - gap)
    a, b = closed[j] + u * s, closed[j] + u * (s + gap)
    return np.concatenate([b[None], closed[j + 1 : -1], closed[: j + 1], a[None]])


def draw_path(img: np.ndarray, path: np.ndarray, width: float, rng: np.random.Generator) -> None:
    for th, runs in _chunks(path, width, rng).items():
        cv2.polylines(img, runs, False, 255, th, cv2.LINE_AA, _SHIFT)


#: Stroke tails (:meth:`Canvas.add_tails`): length and angle off the outline, output px and
#: degrees.  A hand's strokes run on a little past where they meet, at a shallow angle,
#: and cut thin pockets off the region beside them.
TAIL_LENGTH = (4.0, 11.0)
TAIL_ANGLE = (4.0, 15.0)


class Canvas:
    """2x raster state: ids int32, black-line cover K, trace cover T and trace kind Tk."""

    def __init__(self, w2: int, h2: int, rng: np.random.Generator, gap_rate: float) -> None:
        self.w, self.h = w2, h2
        self.ids = np.ones((h2, w2), np.int32)
        self.k = np.zeros((h2, w2), np.uint8)
        self.t = np.zeros((h2, w2), np.uint8)
        self.tk = np.zeros((h2, w2), np.uint8)
        self.rng = rng
        self.gap_rate = gap_rate

    def _gap(self, width: float) -> float:
        if self.rng.random() >= self.gap_rate:
            return 0.0
        # visible gap of 2..5 output px; round caps eat about one stroke width
        return SS * self.rng.uniform(2.0, 5.0) + width

    def draw(self, it: Item) -> None:
        if it.poly is not None:
            fp = [_fx(it.poly)]
            cv2.fillPoly(self.ids, fp, it.id, cv2.LINE_8, _SHIFT)
            cv2.fillPoly(self.k, fp, 0, cv2.LINE_8, _SHIFT)
            cv2.fillPoly(self.t, fp, 0, cv2.LINE_8, _SHIFT)
            if it.children:
                self._children(it)
        for s in it.strokes:
            draw_path(self.k, s, it.stroke_width, self.rng)
        if it.poly is not None:
            gap = self._gap(it.width) if it.gap_ok else 0.0
            draw_path(self.k, _open_path(it.poly, self.rng, gap), it.width, self.rng)

    def add_tails(self, per_100px: float, width: float, rng: np.random.Generator) -> None:
        """About ``per_100px`` short strokes per 100 output px of visible black line, off
        it at a shallow angle, drawn over every part (a hand's strokes run on past where
        they meet, into the part in front too).  On the black layer only: the ids under
        them stay, so the pockets they cut off keep their region's id.  ``width``: the
        clip's line width (2x px); ``rng``: the tails' own, so that the clip's other
        draws do not change with them."""
        ys, xs = np.nonzero(self.k >= 192)
        # Ink pixels over the line's width: the line's length at 2x, SS times its length.
        count = int(rng.poisson(per_100px * len(xs) / (width * 100.0 * SS)))
        if count == 0:
            return
        # The line's direction from the structure tensor of its cover.
        k = cv2.GaussianBlur(self.k.astype(np.float32), (0, 0), 1.5)
        gx, gy = cv2.Sobel(k, cv2.CV_32F, 1, 0), cv2.Sobel(k, cv2.CV_32F, 0, 1)
        pick = rng.choice(len(xs), size=count)
        px, py = xs[pick], ys[pick]
        jxx, jxy, jyy = (cv2.GaussianBlur(m, (0, 0), 3.0)[py, px] for m in (gx * gx, gx * gy, gy * gy))
        along = 0.5 * np.arctan2(2.0 * jxy, jxx - jyy) + np.pi / 2  # normal + 90 degrees
        along += np.where(rng.random(count) < 0.5, 0.0, np.pi)
        along += np.deg2rad(rng.uniform(*TAIL_ANGLE, count)) * rng.choice((-1.0, 1.0), count)
        length = rng.uniform(*TAIL_LENGTH, count) * SS
        th = np.maximum(2, np.round(width * rng.uniform(0.6, 1.0, count))).astype(int)
        for x, y, a, n, t in zip(px, py, along, length, th, strict=True):
            start = np.array([x, y], np.float64)
            end = start + n * np.array([np.cos(a), np.sin(a)])
            cv2.line(
                self.k,
                tuple(int(v) for v in _fx(start)),
                tuple(int(v) for v in _fx(end)),
                255,
                int(t),
                cv2.LINE_AA,
                _SHIFT,
            )

    def _children(self, it: Item) -> None:
        pad = 8
        x0, y0 = np.floor(it.poly.min(0)).astype(int) - pad
        x1, y1 = np.ceil(it.poly.max(0)).astype(int) + pad
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, self.w), min(y1, self.h)
        if x1 <= x0 or y1 <= y0:
            return
        off = np.array([x0, y0], np.float64)
        roi = (slice(y0, y1), slice(x0, x1))
        shape = (y1 - y0, x1 - x0)
        parent = np.zeros(shape, np.uint8)
        cv2.fillPoly(parent, [_fx(it.poly - off)], 1, cv2.LINE_8, _SHIFT)
        pm = parent.astype(bool)
        ids, k, t, tk = self.ids[roi], self.k[roi], self.t[roi], self.tk[roi]
        for ch in it.children:
            cm = np.zeros(shape, np.uint8)
            cp = ch.poly - off
            cv2.fillPoly(cm, [_fx(cp)], 1, cv2.LINE_8, _SHIFT)
            m = pm & (cm == 0) if ch.invert else pm & (cm == 1)
            ids[m] = ch.id
            k[m] = 0
            t[m] = 0
            line = np.zeros(shape, np.uint8)
            gap = self._gap(ch.width) * 0.5 if ch.line else 0.0
            draw_path(line, _open_path(cp, self.rng, gap), ch.width, self.rng)
            line[~pm] = 0
            if ch.line == 0:
                np.maximum(k, line, out=k)
            else:
                np.maximum(t, line, out=t)
                tk[line > 0] = ch.line


@dataclass(frozen=True)
class Frame:
    line: np.ndarray  # uint8[H, W, 4]
    gt: np.ndarray  # uint8[H, W, 4]
    seg: np.ndarray  # int32[H, W]


def finish(canvas: Canvas, lut: np.ndarray) -> Frame:
    """Downsample a 2x canvas; lut: uint8[n_ids, 4] with row 0 = ink black, row 1 = clear."""
    w, h = canvas.w // SS, canvas.h // SS
    kd = cv2.resize(canvas.k, (w, h), interpolation=cv2.INTER_AREA)
    td = cv2.resize(canvas.t, (w, h), interpolation=cv2.INTER_AREA)
    tk = canvas.tk
    tkd = np.maximum(np.maximum(tk[0::2, 0::2], tk[1::2, 0::2]), np.maximum(tk[0::2, 1::2], tk[1::2, 1::2]))
    trace = (td > kd) & (td >= TRACE_MIN_ALPHA)
    code = np.where(trace, tkd, 0)
    line = _TRACE_RGBA32[code].view(np.uint8).reshape(h, w, 4)
    line[..., 3] = np.where(trace, td, kd)
    black = ~trace & (kd >= INK_ALPHA)
    seg = canvas.ids[::SS, ::SS].copy()
    seg[black] = 0
    # one 32-bit gather instead of a [H, W, 4] fancy index: ~8x faster
    lut32 = np.ascontiguousarray(lut).view(np.uint32).ravel()
    gt = lut32[seg].view(np.uint8).reshape(h, w, 4)
    return Frame(line=line, gt=gt, seg=seg)

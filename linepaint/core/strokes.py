"""Gap lines: strokes added to a frame's ink so that its regions close where the drawing
is open.  A colourist draws them with the gap-line tool; propagation draws one across a
leak the keyframe shows (:func:`linepaint.core.leak.leak_cuts`).  Never exported."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .lineart import LineArt


@dataclass(frozen=True)
class Stroke:
    """A gap-closing line added to the frame's ink (never exported): drawn by the user, or
    by propagation across a leak the keyframe shows."""

    points: tuple[tuple[float, float], ...]
    width: float = 2.0

    def to_json(self) -> dict:
        return {"points": [list(p) for p in self.points], "width": self.width}

    @staticmethod
    def from_json(d: dict) -> Stroke:
        return Stroke(tuple((float(x), float(y)) for x, y in d["points"]), float(d.get("width", 2.0)))


def draw_strokes(ink: np.ndarray, strokes: Iterable[Stroke]) -> np.ndarray:
    """bool[H, W]: ``ink`` with the gap strokes drawn in."""
    strokes = list(strokes)
    if not strokes:
        return ink
    canvas = ink.astype(np.uint8)
    for s in strokes:
        pts = np.round(np.array(s.points, np.float64)).astype(np.int32).reshape(-1, 1, 2)
        thick = max(1, int(round(s.width)))
        if len(pts) == 1:
            cv2.circle(canvas, tuple(int(v) for v in pts[0, 0]), max(1, thick // 2), 1, -1)
        else:
            cv2.polylines(canvas, [pts], False, 1, thickness=thick, lineType=cv2.LINE_8)
    return canvas.astype(bool)


def with_strokes(line: LineArt, strokes: Iterable[Stroke]) -> LineArt:
    """``line`` with the gap strokes drawn into its ink (itself when there are none)."""
    strokes = tuple(strokes)
    return replace(line, ink=draw_strokes(line.ink, strokes)) if strokes else line

"""Small synthetic clips and a deterministic matcher for tests (no weights, no classic
matcher needed): frames are drawn with OpenCV, colours come from a painted keyframe."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from linepaint.core.image_io import write_png
from linepaint.core.match.base import MatchResult

BG = (0, 0, 0, 0)
BODY = (230, 60, 60, 255)
EYE = (40, 90, 220, 255)
FLOOR = (90, 200, 90, 255)


def draw_frame(t: int, size=(160, 120), colour=False) -> np.ndarray:
    """uint8 RGBA: line art (colour=False) or the flat-coloured ground truth of frame t."""
    w, h = size
    img = np.zeros((h, w, 4), np.uint8)
    if not colour:
        img[:] = (255, 255, 255, 255)
    dx = 3 * t
    x0, y0, x1, y1 = 30 + dx, 20, 100 + dx, 80
    cx, cy = 65 + dx, 50
    if colour:
        img[:] = BG
        img[90:, :] = FLOOR
        cv2.rectangle(img, (x0, y0), (x1, y1), BODY, -1)
        cv2.circle(img, (cx, cy), 14, EYE, -1)
    ink = (0, 0, 0, 255)
    cv2.rectangle(img, (x0, y0), (x1, y1), ink, 2)
    cv2.circle(img, (cx, cy), 14, ink, 2)
    cv2.line(img, (0, 90), (w - 1, 90), ink, 2)
    return img


def write_clip(root: Path, frames: int = 5, size=(160, 120), keyframes=(0,), basicpbc=True) -> Path:
    """Write f1..fN line frames (named so natural order differs from text order when N>=10)."""
    line_dir = root / "line" if basicpbc else root
    for t in range(frames):
        write_png(line_dir / f"f{t + 1}.png", draw_frame(t, size))
        if basicpbc and t in keyframes:
            write_png(root / "gt" / f"f{t + 1}.png", draw_frame(t, size, colour=True))
    return root


class OverlapMatcher:
    """Each target region takes the reference region it overlaps most (same pixel grid);
    confidence = the overlap's share of the region.  Deterministic and fast."""

    name = "overlap"

    def match(self, refs, target_line, target, locked=None):
        ref = refs[0]
        n = target.n
        mask = target.labels > 0
        pair = target.labels[mask].astype(np.int64) * (ref.seg.n + 1) + ref.seg.filled[mask]
        uniq, cnt = np.unique(pair, return_counts=True)
        reg, src = uniq // (ref.seg.n + 1), uniq % (ref.seg.n + 1)
        order = np.lexsort((cnt, reg))
        reg, src, cnt = reg[order], src[order], cnt[order]
        last = np.append(reg[1:] != reg[:-1], True)
        source = np.full(n + 1, -1, np.int32)
        source[reg[last]] = src[last]
        conf = np.zeros(n + 1, np.float32)
        area = np.maximum(target.area, 1)
        conf[reg[last]] = cnt[last] / area[reg[last]]
        colours = np.zeros((n + 1, 4), np.uint8)
        ok = source >= 0
        colours[ok] = ref.colours[source[ok]]
        ref_index = np.where(ok, 0, -1).astype(np.int32)
        return MatchResult(
            colours=colours, confidence=conf, source=source, ref_index=ref_index, engine="overlap (cpu)"
        )


def keyed_project(root: Path, frames: int, keyframes=(0,)):
    """A :class:`~linepaint.core.project.Project` over a fresh clip, its keyframes read."""
    from linepaint.core.clip import find_frames
    from linepaint.core.project import Project

    lines, keys, _ = find_frames([write_clip(root, frames=frames, keyframes=tuple(keyframes))])
    proj = Project()
    proj.add_frames(lines, keys)
    for k in keyframes:
        proj.resolve_keyframe(k, proj.seg(k))
    return proj


#: The leak clip: two panels painted these colours in a frame this size.
PANEL_RED, PANEL_BLUE = (220, 40, 40, 255), (40, 40, 220, 255)
LEAK_H, LEAK_W = 200, 300


def panels_line(hole: int, margin: int = 20) -> np.ndarray:
    """uint8 RGBA: two panels framed ``margin`` px in from the edge and split by a stroke
    at x = 150, open over ``hole`` px in the middle (wider than the gap a 200 px frame
    closes by itself)."""
    alpha = np.zeros((LEAK_H, LEAK_W), np.uint8)
    cv2.rectangle(alpha, (margin, margin), (LEAK_W - 1 - margin, LEAK_H - 1 - margin), 255, 2)
    cv2.line(alpha, (150, margin), (150, LEAK_H - 1 - margin), 255, 2)
    if hole:
        alpha[100 - hole // 2 : 100 + (hole + 1) // 2, 140:160] = 0
    rgba = np.zeros((LEAK_H, LEAK_W, 4), np.uint8)
    rgba[..., 3] = alpha
    return rgba


def write_leak_clip(root: Path) -> Path:
    """f1: the closed keyframe, painted red | blue; f2, f3: the same drawing with the
    stroke between the panels broken open."""
    (root / "line").mkdir(parents=True)
    (root / "gt").mkdir()
    key = panels_line(0)
    gt = np.zeros((LEAK_H, LEAK_W, 4), np.uint8)
    gt[22 : LEAK_H - 22, 22:149] = PANEL_RED
    gt[22 : LEAK_H - 22, 152 : LEAK_W - 22] = PANEL_BLUE
    gt[key[..., 3] > 0] = (0, 0, 0, 255)
    write_png(root / "line/f1.png", key)
    write_png(root / "gt/f1.png", gt)
    for stem in ("f2", "f3"):
        write_png(root / f"line/{stem}.png", panels_line(12))
    return root

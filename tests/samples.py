"""Line art built in the tests (no files needed)."""

from __future__ import annotations

import cv2
import numpy as np


def draw_lineart(size=(200, 160), gap: int = 0, thickness: int = 2) -> np.ndarray:
    """RGBA line art: a frame border, a circle, a rectangle split by a line, optionally a
    gap of ``gap`` px in the rectangle's split line.  Background transparent."""
    w, h = size
    alpha = np.zeros((h, w), np.uint8)
    cv2.rectangle(alpha, (2, 2), (w - 3, h - 3), 255, thickness)
    cv2.circle(alpha, (50, 60), 30, 255, thickness, lineType=cv2.LINE_AA)
    cv2.rectangle(alpha, (110, 30), (180, 130), 255, thickness)
    cv2.line(alpha, (110, 80), (180, 80), 255, thickness)
    if gap:
        alpha[76:85, 140 : 140 + gap] = 0
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., 3] = alpha
    return rgba

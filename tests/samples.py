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


BODY, LIMB, HAND = (200, 120, 60, 255), (40, 90, 200, 255), (230, 200, 40, 255)


def draw_figure(limb_centre, limb_angle, hand_centre, limb_line=(0, 0, 0, 255)):
    """(line RGBA, colours RGBA) of a round body, a long limb and a small square hand
    (none when ``hand_centre`` is None), on a 400 x 300 transparent frame."""
    h, w = 300, 400
    line = np.zeros((h, w, 4), np.uint8)
    gt = np.zeros((h, w, 4), np.uint8)
    limb = cv2.boxPoints((limb_centre, (130, 22), limb_angle)).astype(np.int32)
    cv2.circle(gt, (120, 160), 70, BODY, -1)
    cv2.fillPoly(gt, [limb], LIMB)
    cv2.circle(line, (120, 160), 70, (0, 0, 0, 255), 3)
    cv2.polylines(line, [limb], True, limb_line, 3)
    if hand_centre is not None:
        x, y = hand_centre
        hand = np.array([[x - 18, y - 18], [x + 18, y - 18], [x + 18, y + 18], [x - 18, y + 18]], np.int32)
        cv2.fillPoly(gt, [hand], HAND)
        cv2.polylines(line, [hand], True, (0, 0, 0, 255), 3)
    return line, gt

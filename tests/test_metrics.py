"""Scores against ground truth: regions, clicks to fix, and the doubt figures."""

from __future__ import annotations

import numpy as np

from linepaint.core.lineart import line_art_from_rgba
from linepaint.core.metrics import score_frame, summarise
from linepaint.core.project import DOUBT_THRESHOLD
from linepaint.core.segment import segment

RED, GREEN, BLUE = (255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255)


def _three_panels():
    """A 60x92 frame cut by two vertical strokes into three panels; GT red, green, blue."""
    line = np.zeros((60, 92, 4), np.uint8)
    line[:, 30:32] = (0, 0, 0, 255)
    line[:, 60:62] = (0, 0, 0, 255)
    art = line_art_from_rgba(line)
    seg = segment(art, gap=0)
    gt = np.zeros_like(line)
    gt[:, :30], gt[:, 32:60], gt[:, 62:] = RED, GREEN, BLUE
    gt[art.ink] = (0, 0, 0, 255)
    return art, seg, gt


def test_doubt_counts_flagged_segments_and_the_mistakes_among_them():
    art, seg, gt = _three_panels()
    assert seg.n == 3
    pred = gt.copy()
    pred[:, 62:] = RED  # the third panel is wrong
    left, mid, right = seg.labels[5, 5], seg.labels[5, 45], seg.labels[5, 80]
    conf = np.zeros(seg.n + 1, np.float32)
    conf[left] = 0.9  # right and sure
    conf[mid] = DOUBT_THRESHOLD / 2  # right but doubted
    conf[right] = DOUBT_THRESHOLD / 4  # wrong and doubted
    s = score_frame(pred, gt, art.ink, seg, conf).summary()
    assert s["fg_region_accuracy"] == round(2 / 3, 4)
    assert s["clicks_to_fix"] == 1 and s["segments"] == 3
    assert s["doubt_flagged"] == round(2 / 3, 4)
    assert s["doubt_caught"] == 1.0
    # A sure mistake is not caught.
    conf[right] = 1.0
    s = score_frame(pred, gt, art.ink, seg, conf).summary()
    assert s["doubt_flagged"] == round(1 / 3, 4) and s["doubt_caught"] == 0.0


def test_doubt_figures_only_when_every_frame_had_a_confidence():
    art, seg, gt = _three_panels()
    with_conf = score_frame(gt, gt, art.ink, seg, np.ones(seg.n + 1, np.float32))
    without = score_frame(gt, gt, art.ink, seg)
    assert "doubt_flagged" in summarise([with_conf])
    assert "doubt_flagged" not in summarise([with_conf, without])
    assert summarise([with_conf])["region_accuracy"] == 1.0


def test_ground_truth_lines_wider_than_the_ink_are_not_counted_as_regions():
    """A scan's or a JPEG's ground truth draws its black lines a pixel wider than the ink
    threshold finds them: those pixels are line, not one-pixel black regions to get wrong."""
    art, seg, gt = _three_panels()
    pred = gt.copy()
    pred[art.ink] = 0
    wide = gt.copy()
    wide[:, 29], wide[:, 32], wide[::2, 59] = (0, 0, 0, 255), (0, 0, 0, 255), (0, 0, 0, 255)
    s = score_frame(pred, wide, art.ink, seg)
    assert (s.fg_regions, s.fg_regions_right) == (3, 3)
    # A real mistake still counts.
    pred[:, :29] = GREEN
    s = score_frame(pred, wide, art.ink, seg)
    assert (s.fg_regions, s.fg_regions_right) == (3, 2)

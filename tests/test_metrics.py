"""Scores against ground truth: regions, clicks to fix, and the doubt figures."""

from __future__ import annotations

import numpy as np
import pytest

from linepaint.core.check import Dust
from linepaint.core.lineart import line_art_from_rgba
from linepaint.core.metrics import paired, score_frame, summarise, wilson_interval
from linepaint.core.project import DOUBT_THRESHOLD, doubt_queue
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


def test_the_doubt_queue_visits_specks_after_the_regions_and_catches_their_mistakes():
    """The app's N queue visits a doubted speck under the dust size too (export keeps its
    colour, so a wrong one shows), after the regions of the frame; a doubted mistake there
    is caught."""
    line = np.zeros((40, 40, 4), np.uint8)
    line[18:24, 18:24] = (0, 0, 0, 255)
    line[20:22, 20:22] = 0  # a 2 x 2 speck inside a ring of ink
    art = line_art_from_rgba(line)
    seg = segment(art, gap=0)
    assert seg.n == 2
    outside, speck = seg.labels[2, 2], seg.labels[20, 20]
    assert seg.area[speck] == 4 < Dust().size
    gt = np.zeros_like(line)
    gt[:] = RED
    gt[20:22, 20:22] = GREEN
    gt[art.ink] = (0, 0, 0, 255)
    pred = gt.copy()
    pred[20:22, 20:22] = BLUE  # the speck is wrong
    conf = np.full(seg.n + 1, DOUBT_THRESHOLD / 2, np.float32)  # both doubted
    s = score_frame(pred, gt, art.ink, seg, conf).summary()
    assert s["clicks_to_fix"] == 1 and s["clicks_dust"] == 1
    assert (s["doubt_flagged"], s["doubt_caught"]) == (1.0, 1.0)
    # A wrong region above the dust size is a click, not one on dust.
    both = pred.copy()
    both[seg.labels == outside] = BLUE
    s = score_frame(both, gt, art.ink, seg, conf).summary()
    assert (s["clicks_to_fix"], s["clicks_dust"]) == (2, 1)
    # Specks come last whatever their ids; never the ink (region 0), whatever its doubt.
    conf[0] = 0.0
    assert doubt_queue(conf, seg.area, Dust().size).tolist() == [outside, speck]
    swapped = seg.area.copy()
    swapped[outside], swapped[speck] = 4, 1000
    assert doubt_queue(conf, swapped, Dust().size).tolist() == [speck, outside]
    assert doubt_queue(conf, None, Dust().size).tolist() == sorted([outside, speck])
    # A sure speck is not visited.
    conf[speck] = 1.0
    assert doubt_queue(conf, seg.area, Dust().size).tolist() == [outside]
    s = score_frame(pred, gt, art.ink, seg, conf).summary()
    assert (s["doubt_flagged"], s["doubt_caught"]) == (0.5, 0.0)


def test_segments_of_parts_the_reference_lacks_are_counted_flagged_and_right():
    art, seg, gt = _three_panels()
    pred = gt.copy()
    pred[:, 62:] = RED  # the third panel is wrong
    mid, right = seg.labels[5, 45], seg.labels[5, 80]
    conf = np.ones(seg.n + 1, np.float32)
    conf[right] = DOUBT_THRESHOLD / 2  # wrong and doubted
    absent = np.zeros(seg.n + 1, bool)
    absent[[mid, right]] = True  # two panels show parts the reference lacks
    s = score_frame(pred, gt, art.ink, seg, conf, absent).summary()
    assert (s["absent"], s["absent_flagged"], s["absent_right"]) == (2, 0.5, 0.5)
    conf[right] = 1.0  # a sure mistake on a new part is not caught
    s = score_frame(pred, gt, art.ink, seg, conf, absent).summary()
    assert (s["absent_flagged"], s["absent_right"]) == (0.0, 0.5)
    # Without that truth, no such figures.
    assert "absent" not in score_frame(pred, gt, art.ink, seg, conf).summary()


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


def test_two_engines_are_compared_region_by_region():
    """paired() counts the regions only one engine got right, frame by frame, and says
    how likely so uneven a split is between two equally good engines."""
    art, seg, gt = _three_panels()
    one_wrong = gt.copy()
    one_wrong[:, 62:] = RED
    two_wrong = one_wrong.copy()
    two_wrong[:, :30] = GREEN
    a = [score_frame(gt, gt, art.ink), score_frame(one_wrong, gt, art.ink)]
    b = [score_frame(two_wrong, gt, art.ink), score_frame(two_wrong, gt, art.ink)]
    d = paired(a, b)
    # Frame 1: a right on all three, b on the middle one; frame 2: a right on two, b on one.
    assert (d["a_only"], d["b_only"]) == (3, 0)
    assert d["p"] == 0.25  # 3 of 3 discordant regions one way: 2 * 0.5 ** 3
    assert paired(b, a)["b_only"] == 3
    same = paired(a, a)
    assert (same["a_only"], same["b_only"], same["p"]) == (0, 0, 1.0)
    with pytest.raises(ValueError):
        paired(a, b[:1])
    other = np.zeros_like(gt)
    other[:, :46], other[:, 46:] = RED, BLUE  # a frame of other regions
    with pytest.raises(ValueError):
        paired(a[:1], [score_frame(other, other, art.ink & False)])


def test_the_summary_gives_an_interval_around_the_accuracy():
    art, seg, gt = _three_panels()
    pred = gt.copy()
    pred[:, 62:] = RED
    s = summarise([score_frame(pred, gt, art.ink)] * 40)  # 80 of 120 regions right
    low, high = s["fg_region_interval"]
    assert low < s["fg_region_accuracy"] < high
    assert 0.57 < low < 0.60 and 0.74 < high < 0.76
    # More regions, a narrower interval; none scored, no knowledge at all.
    wide = wilson_interval(8, 12)
    assert wide[0] < low and wide[1] > high
    assert wilson_interval(0, 0) == [0.0, 1.0]
    assert wilson_interval(10, 10)[1] == 1.0

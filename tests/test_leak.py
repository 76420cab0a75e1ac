"""Leaks split by the aligned reference: two regions merged through an open gap come
apart along the gap; a closed region the warp smears across stays whole."""

from __future__ import annotations

import cv2
import numpy as np
from gui.synthetic import panels_line

from linepaint.core.leak import split_leaks
from linepaint.core.lineart import line_art_from_rgba
from linepaint.core.segment import segment

RED, BLUE = (255, 0, 0, 255), (0, 0, 255, 255)
H, W = 200, 300


def _panels(hole: int = 0):
    """Two panels split by a vertical stroke at x = 150, with a ``hole`` px opening in it."""
    return line_art_from_rgba(panels_line(hole, margin=2))


def _reference():
    line = _panels()
    seg = segment(line, 0)
    colours = np.zeros((seg.n + 1, 4), np.uint8)
    colours[seg.labels[100, 50]] = RED
    colours[seg.labels[100, 250]] = BLUE
    return seg, colours


def test_a_region_leaking_through_a_gap_is_split_along_the_gap():
    ref_seg, colours = _reference()
    target = _panels(hole=10)
    seg = segment(target, 0)  # the gap stays open: one region for both panels
    assert seg.labels[100, 50] == seg.labels[100, 250]
    new, split = split_leaks(target, seg, colours, ref_seg.filled)
    left, right = new.labels[100, 50], new.labels[100, 250]
    assert left != right and {left, right} <= set(split.tolist())
    assert new.n == seg.n + 1
    # Every paper pixel of each panel is in its own piece; the cut lies inside the hole.
    paper = new.labels > 0
    assert (new.labels[5:195, 5:145][paper[5:195, 5:145]] == left).all()
    assert (new.labels[5:195, 156:295][paper[5:195, 156:295]] == right).all()
    cut = (new.labels[:, 1:] != new.labels[:, :-1]) & (new.labels[:, 1:] > 0) & (new.labels[:, :-1] > 0)
    ys, xs = np.nonzero(cut)
    assert len(ys) and ys.min() >= 95 and ys.max() < 105 and 145 <= xs.min() and xs.max() <= 156
    # The two pieces touch along the cut (no ink between them).
    assert (min(left, right), max(left, right)) in {tuple(p) for p in new.adjacency.tolist()}
    # Other regions are untouched.
    outside = seg.labels[1, 1]
    assert new.labels[1, 1] == outside and (new.labels == outside).sum() == (seg.labels == outside).sum()


def test_a_closed_region_the_warp_smears_across_is_left_whole():
    """A region with no gap but two warped colours (a colour boundary with no line, or a
    bad warp): the cut would run all through it, so it is not a leak."""
    line = _panels()
    seg = segment(line, 0)
    warped = seg.filled.copy()
    left = seg.labels[100, 50]
    colours = np.zeros((seg.n + 2, 4), np.uint8)
    colours[left] = RED
    colours[seg.n + 1] = BLUE
    warped[:100][warped[:100] == left] = seg.n + 1  # the upper half of the left panel
    new, split = split_leaks(line, seg, colours, warped)
    assert new is seg and len(split) == 0


def test_a_blob_of_another_colour_inside_a_region_is_not_a_leak():
    line = _panels()
    seg = segment(line, 0)
    warped = seg.filled.copy()
    colours = np.zeros((seg.n + 2, 4), np.uint8)
    colours[seg.labels[100, 50]] = RED
    colours[seg.n + 1] = BLUE
    warped[80:120, 50:90] = seg.n + 1
    new, split = split_leaks(line, seg, colours, warped)
    assert new is seg and len(split) == 0


def test_a_narrow_neck_between_unbroken_lines_is_not_cut():
    """Two rooms joined by a 10 px corridor, all lines closed: a misaligned warp colours
    the rooms two ways, and the corridor is as short a cut as a gap would be, but no
    stroke ends there, so it is a neck of one region, not a leak.  The same corridor
    opened by a broken stroke (two stroke ends beside it) is cut."""

    def rooms(broken: bool):
        alpha = np.zeros((H, W), np.uint8)
        cv2.rectangle(alpha, (2, 2), (W - 3, H - 3), 255, 2)
        cv2.line(alpha, (150, 2), (150, 95), 255, 2)
        cv2.line(alpha, (150, 105), (150, H - 3), 255, 2)
        if not broken:  # the corridor's walls close it into one region with a neck
            cv2.line(alpha, (140, 95), (160, 95), 255, 2)
            cv2.line(alpha, (140, 105), (160, 105), 255, 2)
            alpha[96:105, 140:160] = 0
        rgba = np.zeros((H, W, 4), np.uint8)
        rgba[..., 3] = alpha
        return line_art_from_rgba(rgba)

    ref_seg, colours = _reference()
    for broken in (False, True):
        target = rooms(broken)
        seg = segment(target, 0)
        assert seg.labels[100, 50] == seg.labels[100, 250]
        new, split = split_leaks(target, seg, colours, ref_seg.filled)
        if broken:
            assert new.labels[100, 50] != new.labels[100, 250]
        else:
            assert new is seg and len(split) == 0


def test_bucket_leak_finds_the_part_a_click_meant_and_leaves_real_edge_regions_alone():
    from linepaint.core.leak import bucket_leak

    alpha = np.zeros((H, W), np.uint8)
    cv2.rectangle(alpha, (100, 50), (200, 150), 255, 2)  # a body in the middle of the frame
    alpha[96:104, 99:103] = 0  # its outline open on the left: 8 px
    rgba = np.zeros((H, W, 4), np.uint8)
    rgba[..., 3] = alpha
    seg = segment(line_art_from_rgba(rgba), 2)
    region = seg.labels[100, 150]
    assert region == seg.labels[5, 5]  # the body leaks into the background
    inside = bucket_leak(seg, region, 150, 100)
    assert inside is not None
    assert inside[60:140, 110:190].all() and not inside[5, 5] and not inside[100, 50]
    outside = bucket_leak(seg, region, 5, 5)  # clicked in the background: the rest of it
    assert outside[5, 5] and outside[100, 50] and not outside[100, 150]
    # Closed, the body is its own region: no leak; the background reaches the edge whole.
    alpha[96:104, 99:103] = 255
    rgba[..., 3] = alpha
    closed = segment(line_art_from_rgba(rgba), 2)
    assert bucket_leak(closed, closed.labels[5, 5], 5, 5) is None
    assert bucket_leak(closed, closed.labels[100, 150], 150, 100) is None

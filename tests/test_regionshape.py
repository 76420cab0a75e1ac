"""Position-free region descriptors, and matching a limb that swung far."""

from __future__ import annotations

import numpy as np
from samples import LIMB, draw_figure

from linepaint.core.lineart import line_art_from_rgba
from linepaint.core.match.base import Reference
from linepaint.core.match.classic import ClassicMatcher
from linepaint.core.regionshape import FEATURES, region_shape
from linepaint.core.render import region_colours_from_image
from linepaint.core.segment import segment


def _region_of(seg, gt, rgba):
    colours = region_colours_from_image(seg, gt)
    return int(np.flatnonzero(np.all(colours == rgba, axis=1))[0])


def test_descriptors_stay_when_a_region_turns_and_moves_and_name_its_line():
    before = draw_figure((320, 150), 90, (250, 250), limb_line=(0, 0, 255, 255))
    after = draw_figure((200, 40), 0, (262, 244), limb_line=(0, 0, 255, 255))
    f = []
    for line_rgba, gt in (before, after):
        line = line_art_from_rgba(line_rgba)
        seg = segment(line)
        f.append(region_shape(line, seg).features[_region_of(seg, gt, LIMB)])
    col = {name: i for i, name in enumerate(FEATURES)}
    # Turned 90 degrees and moved 150 px: size, elongation and line kind are the same.
    assert abs(f[0][col["log_area"]] - f[1][col["log_area"]]) < 0.05
    assert f[0][col["elongation"]] > 1.0 and abs(f[0][col["elongation"]] - f[1][col["elongation"]]) < 0.1
    assert f[0][col["blue"]] > 0.9 and f[0][col["black"]] < 0.1
    assert f[0][col["outline"]] > 0.9  # it lies on the paper, not inside the body


def test_a_limb_that_swung_far_keeps_its_colour():
    """The limb turns 90 degrees and jumps 150 px, past where any dense warp looks; its
    shape still names it (with the bounding-box aspect alone it took the body's colour)."""
    ref_rgba, ref_gt = draw_figure((320, 150), 90, (250, 250))
    tgt_rgba, tgt_gt = draw_figure((200, 40), 0, (262, 244))
    ref_line, tgt_line = line_art_from_rgba(ref_rgba), line_art_from_rgba(tgt_rgba)
    ref_seg, tgt_seg = segment(ref_line), segment(tgt_line)
    ref = Reference(ref_line, ref_seg, region_colours_from_image(ref_seg, ref_gt))
    res = ClassicMatcher().match([ref], tgt_line, tgt_seg)
    truth = region_colours_from_image(tgt_seg, tgt_gt)
    assert tgt_seg.n == 4
    assert np.array_equal(res.colours[1:], truth[1:])

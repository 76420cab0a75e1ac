"""The unpainted check and dust, on segmentations built in the test."""

import numpy as np

from linepaint.core.check import Dust, background_regions, dust_regions, settle_dust, unpainted
from linepaint.core.palette import Swatch
from linepaint.core.project import seg_from_labels
from linepaint.core.render import CONTOUR

A, B = (200, 10, 10, 255), (10, 200, 10, 255)


def frame():
    """Labels: 1 the paper around (touches the edge), 2 a big box, 3 a small box beside
    it, 4 a 2x2 speck inside the big box's stroke (next to the big box only)."""
    labels = np.ones((40, 60), np.int32)
    labels[5:35, 5:35] = 0
    labels[7:33, 7:33] = 2
    labels[5:15, 40:55] = 0
    labels[7:13, 42:53] = 3
    labels[20:22, 35:37] = 0
    labels[5:7, 20:22] = 4  # in the stroke of box 2
    return seg_from_labels(labels)


def test_unpainted_skips_the_paper_dust_and_transparent_swatches():
    seg = frame()
    assert background_regions(seg).tolist() == [False, True, False, False, False]
    assert dust_regions(seg, 5).tolist() == [False, False, False, False, True]
    colours = np.zeros((5, 4), np.uint8)
    assert unpainted(seg, colours, dust=5).tolist() == [2, 3]
    assert unpainted(seg, colours, dust=0).tolist() == [2, 3, 4]
    colours[2] = A
    assert unpainted(seg, colours, dust=5).tolist() == [3]
    hole = Swatch("hole", (0, 0, 0, 0), 9)
    ids = np.array([0, 0, 0, 9, 0], np.int32)  # region 3 painted with the transparent swatch
    assert unpainted(seg, colours, ids, [hole], dust=5).tolist() == []
    assert unpainted(seg, None, dust=5).tolist() == [2, 3]


def test_unpainted_dust_takes_its_largest_painted_neighbour_or_the_line():
    seg = frame()
    paper = (5, 5, 5, 255)
    colours = np.array([(0, 0, 0, 0), paper, A, B, (0, 0, 0, 0)], np.uint8)
    neighbours = {int(b) for a, b in seg.adjacency if a == 4} | {int(a) for a, b in seg.adjacency if b == 4}
    assert neighbours == {1, 2} and seg.area[1] > seg.area[2]
    assert tuple(settle_dust(seg, colours, Dust(5, "neighbour"))[4]) == paper
    assert tuple(settle_dust(seg, colours, Dust(5, "line"))[4]) == CONTOUR
    assert np.array_equal(settle_dust(seg, colours, Dust(0)), colours)
    # The paper left clear (as it usually is): the painted box fills the speck.
    colours[1] = (0, 0, 0, 0)
    assert tuple(settle_dust(seg, colours, Dust(5, "neighbour"))[4]) == A
    # No painted neighbour: the speck stays as it is.
    colours[2] = (0, 0, 0, 0)
    assert np.array_equal(settle_dust(seg, colours, Dust(5, "neighbour")), colours)


def test_dust_that_has_a_colour_keeps_it():
    """A speck a colourist painted, a keyframe shows painted or propagation matched
    keeps its colour at export; so does one painted clear on purpose."""
    seg = frame()
    colours = np.array([(0, 0, 0, 0), (0, 0, 0, 0), A, B, B], np.uint8)
    for to in ("neighbour", "line"):
        assert np.array_equal(settle_dust(seg, colours, Dust(5, to)), colours)
    colours[4] = (0, 0, 0, 0)
    painted = np.array([False, False, False, False, True])
    assert np.array_equal(settle_dust(seg, colours, Dust(5, "neighbour"), painted), colours)
    assert tuple(settle_dust(seg, colours, Dust(5, "neighbour"))[4]) == A
    assert Dust.from_json({"size": "x"}) == Dust() and Dust.from_json({"size": 3, "to": "line"}) == Dust(
        3, "line"
    )


def test_dust_setting_is_saved_with_the_project(tmp_path):
    from gui.synthetic import write_clip

    from linepaint.core.clip import find_frames
    from linepaint.core.project import Project
    from linepaint.core.project_file import open_project, save_project

    lines, keys, _ = find_frames([write_clip(tmp_path / "clip", frames=2)])
    proj = Project()
    proj.add_frames(lines, keys)
    proj.dust = Dust(9, "line")
    save_project(proj, tmp_path / "shot.lpproj")
    assert open_project(tmp_path / "shot.lpproj").dust == Dust(9, "line")


def test_the_doubt_queue_visits_dust_last_and_knows_it_after_a_reopen(tmp_path):
    from dataclasses import replace

    from gui.synthetic import write_clip

    from linepaint.core.check import review_progress
    from linepaint.core.clip import find_frames
    from linepaint.core.match.classic import ClassicMatcher
    from linepaint.core.project import Project
    from linepaint.core.project_file import open_project, save_project
    from linepaint.core.propagate import propagate
    from linepaint.core.run import Run

    lines, keys, _ = find_frames([write_clip(tmp_path / "clip", frames=2)])
    proj = Project()
    proj.add_frames(lines, keys)
    seq = proj.sequence()
    run = Run(proj, seq, "Propagate {n} frame(s)")
    (result,) = list(propagate(seq, ClassicMatcher()))
    i = run.apply(result)
    st = proj.state(i)
    # A propagated frame knows its regions' sizes, from the segmentation it was coloured on.
    assert np.array_equal(st.area, result.seg.area)
    # Every region in doubt; the two smallest made specks under the dust size.
    small = np.argsort(st.area[1:])[:2] + 1
    area = st.area.copy()
    area[small] = 3
    path = proj.frames[i]
    proj.states[path] = replace(st, confidence=np.zeros(len(st.colours), np.float32), area=area)
    everyone = set(range(1, len(area)))
    # Every doubtful region is in the queue, the specks after the rest.
    speck_last = sorted(everyone - set(small.tolist())) + sorted(small.tolist())
    proj.dust = Dust(5)
    assert proj.doubtful(i).tolist() == speck_last
    assert review_progress(proj, i) == (0, len(everyone))
    proj.dust = Dust(0)
    assert proj.doubtful(i).tolist() == sorted(everyone)
    proj.dust = Dust(5)
    save_project(proj, tmp_path / "shot.lpproj")
    again = open_project(tmp_path / "shot.lpproj")
    assert again.doubtful(i).tolist() == speck_last

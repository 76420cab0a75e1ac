"""Propagation closes the leaks its keyframe shows: a gap line across the gap, kept by
the frame (seen, undone and saved like the colourist's own), the two sides coloured
apart and both flagged as doubtful."""

from __future__ import annotations

import numpy as np
from gui.synthetic import PANEL_BLUE as BLUE
from gui.synthetic import PANEL_RED as RED
from gui.synthetic import write_leak_clip

from linepaint.core.clip import find_frames
from linepaint.core.match.classic import ClassicMatcher
from linepaint.core.project import DOUBT_THRESHOLD, Project
from linepaint.core.project_file import open_project, save_project
from linepaint.core.propagate import propagate
from linepaint.core.run import Run


def _project(root) -> Project:
    lines, keys, problems = find_frames([root])
    proj = Project()
    assert proj.add_frames(lines, keys) == [] and problems == []
    return proj


def test_propagation_draws_a_gap_line_across_the_leak_and_colours_both_sides(tmp_path):
    proj = _project(write_leak_clip(tmp_path / "clip"))
    assert proj.seg(1).labels[100, 80] == proj.seg(1).labels[100, 220]  # one region, leaking
    seq = proj.sequence()
    run = Run(proj, seq, "Propagate {n} frame(s)")
    results = list(propagate(seq, ClassicMatcher()))
    assert [len(r.cuts) for r in results] == [1, 1]
    for r in results:
        assert run.apply(r) >= 0
    change = run.close()
    for i in (1, 2):
        st = proj.state(i)
        assert len(st.strokes) == 1  # the cut is the frame's own gap line now
        (x0, y0), (x1, y1) = st.strokes[0].points
        assert 140 <= min(x0, x1) and max(x0, x1) <= 160 and 90 <= min(y0, y1) and max(y0, y1) <= 110
        seg, cols = proj.seg(i), proj.colours(i)
        left, right = seg.labels[100, 80], seg.labels[100, 220]
        assert left != right
        assert tuple(cols[left]) == RED and tuple(cols[right]) == BLUE
        # Every pixel of each panel's paper got its panel's colour.
        layer = cols[seg.filled]
        assert (layer[30:170, 30:140] == RED).all() and (layer[30:170, 160:270] == BLUE).all()
        # Both sides of the split are in the N queue.
        conf = proj.state(i).confidence
        assert conf[left] < DOUBT_THRESHOLD and conf[right] < DOUBT_THRESHOLD
    # Saved and opened again: the gap line and the colours stay.
    save_project(proj, tmp_path / "p.linepaint")
    again = open_project(tmp_path / "p.linepaint")
    assert again.state(1).strokes == proj.state(1).strokes
    seg = again.seg(1)
    assert tuple(again.colours(1)[seg.labels[100, 80]]) == RED
    # Undone, the frames are as before the run: no gap line, not coloured.
    proj.apply(change, undo=True)
    assert proj.state(1).strokes == () and proj.state(1).colours is None


def test_without_splitting_the_leak_takes_one_colour(tmp_path):
    proj = _project(write_leak_clip(tmp_path / "clip"))
    seq = proj.sequence()
    (r, _) = list(propagate(seq, ClassicMatcher(), split_leaks=False))
    assert r.cuts == ()
    left, right = r.seg.labels[100, 80], r.seg.labels[100, 220]
    assert left == right  # the old behaviour the split fixes: both panels one colour


def test_a_chain_splits_only_from_a_keyframe_and_reads_the_split_frame_as_coloured(tmp_path):
    """``forward``: f2, coloured from the keyframe, is split; f3 is coloured from f2,
    whose colours are the engine's, not the colourist's, so f3 is not split from them
    (a colour f2 got wrong would cut a closed region of f3).  f3 is matched against f2's
    regions as f2 was coloured: with its gap line."""
    proj = _project(write_leak_clip(tmp_path / "clip"))
    seq = proj.sequence()

    class Recording(ClassicMatcher):
        seen = []

        def match(self, refs, target_line, target, locked=None):
            self.seen.append([r.seg for r in refs])
            return super().match(refs, target_line, target, locked)

    m = Recording()
    f2, f3 = list(propagate(seq, m, mode="forward"))
    assert (f2.index, f3.index) == (1, 2)
    left, right = f2.seg.labels[100, 80], f2.seg.labels[100, 220]
    assert len(f2.cuts) == 1 and left != right
    assert tuple(f2.colours[left]) == RED and tuple(f2.colours[right]) == BLUE
    assert f3.cuts == () and f3.seg.labels[100, 80] == f3.seg.labels[100, 220]
    # f3's references: f2 as it was coloured (gap line and all), then the keyframe.
    f2_seen, key_seen = m.seen[-1]
    assert np.array_equal(f2_seen.labels, f2.seg.labels)
    assert np.array_equal(key_seen.labels, seq.seg(0).labels)

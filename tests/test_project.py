"""The project document without Qt: frames in, edits as invertible changes, save/open,
carrying a fix forward."""

import zipfile

import numpy as np
import pytest
from gui.synthetic import BODY, EYE, OverlapMatcher, write_clip

from linepaint.core.clip import find_frames
from linepaint.core.errors import ProjectError
from linepaint.core.project import Project, Stroke
from linepaint.core.project_file import open_project, save_project
from linepaint.core.propagate import carry_fix_forward, propagate
from linepaint.core.run import Run

RED = (255, 0, 0, 255)


@pytest.fixture
def clip(tmp_path):
    return write_clip(tmp_path / "clip", frames=11)


def load(clip):
    lines, keys, problems = find_frames([clip])
    proj = Project()
    assert proj.add_frames(lines, keys) == [] and problems == []
    return proj


def run(proj):
    seq = proj.sequence()
    batch = Run(proj, seq, "Propagate {n} frame(s)")
    for r in propagate(seq, OverlapMatcher(), locks=seq.locks()):
        batch.apply(r)
    return batch.close()


def region_of(proj, i, colour):
    cols = proj.colours(i)
    return int(np.nonzero((cols == colour).all(axis=1))[0][0])


def test_frames_natural_order_and_keyframes(clip):
    proj = load(clip)
    assert [proj.stem(i) for i in range(len(proj))] == [f"f{i}" for i in range(1, 12)]
    assert proj.keyframes() == [0]


def test_mixed_sizes_and_bad_files(tmp_path, clip):
    from linepaint.core.image_io import write_png

    write_png(tmp_path / "odd.png", np.zeros((10, 10, 4), np.uint8))
    (tmp_path / "broken.png").write_bytes(b"not a png")
    proj = load(clip)
    whole = (clip / "line" / "f1.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(whole[: len(whole) // 2])  # a right header, data cut off
    problems = proj.add_frames([tmp_path / "odd.png", tmp_path / "broken.png", tmp_path / "cut.png"])
    assert len(problems) == 3 and "odd.png" in problems[0] and "broken.png" in problems[1]
    assert "cut.png: the image is damaged" in problems[2]
    assert len(proj) == 11


def test_fill_undo_redo(clip):
    proj = load(clip)
    proj.resolve_keyframe(0, proj.seg(0))
    run(proj)
    r = region_of(proj, 3, BODY)
    before = proj.colours(3).copy()
    ch = proj.fill(3, r, RED)
    assert tuple(proj.colours(3)[r]) == RED and proj.state(3).locks == {r: RED}
    proj.apply(ch, undo=True)
    assert np.array_equal(proj.colours(3), before) and proj.state(3).locks == {}
    proj.apply(ch)
    assert tuple(proj.colours(3)[r]) == RED
    # A later propagation keeps the painted region.
    run(proj)
    assert tuple(proj.colours(3)[r]) == RED


def test_keyframe_toggle_and_doubt(clip):
    proj = load(clip)
    ch = proj.set_keyframe(5, True)
    assert proj.keyframes() == [0, 5]
    proj.apply(ch, undo=True)
    assert proj.keyframes() == [0]
    proj.resolve_keyframe(0, proj.seg(0))
    run(proj)
    assert proj.doubtful(0).size == 0


def test_gap_stroke_splits_region(clip):
    proj = load(clip)
    proj.resolve_keyframe(0, proj.seg(0))
    n0 = proj.seg(0).n
    body = region_of(proj, 0, BODY)
    x, y, w, h = proj.seg(0).bbox[body]
    ch = proj.add_stroke(0, Stroke(((x - 2, y + 8), (x + w + 2, y + 8)), 2))
    assert proj.seg(0).n == n0 + 1
    # Both halves keep the old colour until filled.
    assert ((proj.colours(0) == BODY).all(axis=1)).sum() == 2
    proj.apply(ch, undo=True)
    assert proj.seg(0).n == n0


def test_save_open_identical(tmp_path, clip):
    proj = load(clip)
    proj.resolve_keyframe(0, proj.seg(0))
    run(proj)
    proj.fill(4, region_of(proj, 4, EYE), RED)
    proj.add_stroke(2, Stroke(((10, 10), (20, 20)), 2))
    out = tmp_path / "shot.lpproj"
    save_project(proj, out)
    assert "project.json" in zipfile.ZipFile(out).namelist()
    back = open_project(out)
    assert back.frames == proj.frames
    for i in range(len(proj)):
        a, b = proj.state(i), back.state(i)
        assert a.keyframe == b.keyframe and a.locks == b.locks and a.strokes == b.strokes
        assert np.array_equal(proj.colours(i), back.colours(i))
        assert np.array_equal(proj.seg(i).filled, back.seg(i).filled)
    # Saved again from the reopened project (labels read from the file) and reopened.
    save_project(back, out)
    again = open_project(out)
    assert np.array_equal(again.colours(4), proj.colours(4))


def test_open_bad_file(tmp_path):
    p = tmp_path / "x.lpproj"
    p.write_bytes(b"junk")
    with pytest.raises(ProjectError, match="x.lpproj"):
        open_project(p)


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"format": "linepaint-project", "version": "abc"},
        {"format": "linepaint-project", "version": 1, "frames": None},
        {"format": "linepaint-project", "version": 1, "frames": [{"keyframe": True}]},
        {"format": "linepaint-project", "version": 1, "size": 5, "frames": []},
    ],
)
def test_a_damaged_project_description_is_reported_not_raised(tmp_path, doc):
    import json

    from linepaint.core.project_file import FORMAT

    if isinstance(doc, dict):
        doc = {**doc, "format": FORMAT}
    p = tmp_path / "hand_edited.lpproj"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("project.json", json.dumps(doc))
    with pytest.raises(ProjectError, match="hand_edited.lpproj"):
        open_project(p)


def test_stored_labels_stay_with_their_frame_when_frames_are_renumbered(tmp_path):
    """Labels are stored per frame number; adding an earlier frame renumbers the rest.
    A frame whose colours were undone (nothing written for it) must not be pointed at
    the member that now holds another frame's labels, in a save or an autosave."""
    from linepaint.core.image_io import write_png
    from linepaint.core.project_file import autosave_path
    from linepaint.core.segment import segment
    from linepaint.synth import generate_clip

    synth = generate_clip(11, frames=3, size=(192, 160), difficulty=0.8)
    names = ["b", "c", "a"]
    for name, line in zip(names, synth.lines, strict=True):
        write_png(tmp_path / f"{name}.png", line)
    paths = {n: tmp_path / f"{n}.png" for n in names}

    def labels_right(proj, name):
        proj.cache.clear()
        i = proj.frames.index(str(paths[name]))
        return np.array_equal(proj.seg(i).labels, segment(proj.line(i), proj.gap).labels)

    proj = Project()
    proj.add_frames([paths["b"], paths["c"]])
    proj.fill(0, 1, RED)
    change = proj.fill(1, 1, RED)
    save_project(proj, tmp_path / "s.lpproj")
    proj.apply(change, undo=True)
    proj.add_frames([paths["a"]])
    proj.fill(0, 1, RED)
    save_project(proj, tmp_path / "s.lpproj")
    assert labels_right(proj, "c") and labels_right(proj, "b")
    # Restored from an autosave, a frame added, the next autosave over the same file.
    auto = autosave_path(tmp_path / "t.lpproj")
    q = Project()
    q.add_frames([paths["b"], paths["c"]])
    q.fill(0, 1, RED)
    q.fill(1, 1, RED)
    save_project(q, auto, as_copy=True)
    r = open_project(auto)
    r.add_frames([paths["a"]])
    r.fill(0, 1, RED)
    save_project(r, auto, as_copy=True)
    assert labels_right(r, "b") and labels_right(r, "c")


def test_carry_fix_forward(clip):
    proj = load(clip)
    proj.resolve_keyframe(0, proj.seg(0))
    run(proj)
    r = region_of(proj, 2, EYE)
    proj.fill(2, r, RED)
    seq = proj.sequence()
    results = list(carry_fix_forward(seq, OverlapMatcher(), 2, r, RED))
    assert [res.index for res in results] == list(range(3, 11))
    for res in results:
        assert RED in [tuple(c) for c in res.colours]
        assert RED in res.locks.values()


def test_a_project_with_missing_frames_names_them_and_opens_without_them_on_request(tmp_path, clip):
    from linepaint.core.project_file import MissingFramesError

    proj = load(clip)
    proj.resolve_keyframe(0, proj.seg(0))
    run(proj)
    proj.fill(4, region_of(proj, 4, EYE), RED)
    out = tmp_path / "shot.lpproj"
    save_project(proj, out)
    gone = clip / "line" / "f3.png"
    gone.rename(tmp_path / "elsewhere.png")
    with pytest.raises(MissingFramesError, match="f3.png") as info:
        open_project(out)
    assert info.value.missing == ["f3.png"]
    back = open_project(out, skip_missing=True)
    assert len(back) == len(proj) - 1 and str(gone) not in back.frames
    i = back.frames.index(proj.frames[4])
    assert np.array_equal(back.colours(i), proj.colours(4))  # the rest keeps its work
    assert np.array_equal(back.seg(i).labels, proj.seg(4).labels)


def test_a_clips_line_and_gt_folders_dropped_together_are_the_clip(clip):
    """Selecting line/ and gt/ in a file manager and dropping both: the gt images are the
    keyframes, not more frames with the same names."""
    lines, keys, problems = find_frames([clip / "line", clip / "gt"])
    assert problems == []
    assert [p.stem for p in lines] == sorted(
        (p.stem for p in (clip / "line").iterdir()), key=lambda s: int(s[1:])
    )
    assert len(keys) == len(list((clip / "gt").iterdir())) > 0
    assert find_frames([clip / "gt"])[:2] == (lines, keys)
    # The files themselves selected and dropped: a gt/ file is the keyframe of its line.
    gt_file = sorted((clip / "gt").iterdir())[0]
    lines2, keys2, problems2 = find_frames(sorted((clip / "line").iterdir()) + [gt_file])
    assert problems2 == [] and sorted(lines2) == sorted(lines)
    assert keys2 == {str((clip / "line" / gt_file.name).resolve()): str(gt_file.resolve())}


def test_marking_then_unmarking_a_keyframe_keeps_the_regions_painted_by_hand(clip):
    proj = load(clip)
    proj.resolve_keyframe(0, proj.seg(0))
    run(proj)
    eye = region_of(proj, 4, EYE)
    proj.fill(4, eye, RED)  # a fix on a coloured frame
    proj.set_keyframe(4, True)
    body = region_of(proj, 4, BODY)
    proj.fill(4, body, (0, 200, 0, 255))  # painted while it is a keyframe
    proj.set_keyframe(4, False)
    run(proj)  # coloured again from frame 0
    assert tuple(proj.colours(4)[eye]) == RED
    assert tuple(proj.colours(4)[body]) == (0, 200, 0, 255)

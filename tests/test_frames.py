"""Editing the shot's frames: move, insert, remove, retake; every edit undoes."""

import cv2
from gui.synthetic import BODY, EYE, draw_frame, keyed_project

from linepaint.core.image_io import write_png


def keyed(tmp_path, frames=4):
    return keyed_project(tmp_path / "clip", frames, range(frames))


def colour_at(proj, i, x, y):
    seg = proj.seg(i)
    return tuple(int(v) for v in proj.colours(i, seg)[seg.filled[y, x]])


def test_a_moved_frame_keeps_its_colours_and_undo_puts_it_back(tmp_path):
    proj = keyed(tmp_path)
    stems = [proj.stem(i) for i in range(4)]
    path = proj.frames[3]
    change = proj.move_frame(3, 0)
    assert proj.frames[0] == path and [proj.stem(i) for i in range(4)] == ["f4", "f1", "f2", "f3"]
    assert colour_at(proj, 0, 65 + 9, 50) == EYE  # f4's eye (moved 9 px) on the frame now first
    # Frames added later sort in among the others without undoing the move.
    extra = tmp_path / "more" / "f9.png"
    write_png(extra, draw_frame(8))
    proj.add_frames([extra])
    assert [proj.stem(i) for i in range(5)] == ["f4", "f1", "f2", "f3", "f9"]
    proj.remove_frames([4])
    proj.apply(change, undo=True)
    assert [proj.stem(i) for i in range(4)] == stems


def test_insert_and_remove_frames_undo(tmp_path):
    proj = keyed(tmp_path, frames=3)
    new = tmp_path / "more" / "g1.png"
    write_png(new, draw_frame(5))
    change, problems = proj.insert_frames(1, [new, tmp_path / "missing.png"])
    assert len(problems) == 1 and "missing.png" in problems[0]
    assert [proj.stem(i) for i in range(4)] == ["f1", "g1", "f2", "f3"]
    assert proj.state(1).colours is None
    gone = proj.remove_frames([0, 2])
    assert [proj.stem(i) for i in range(2)] == ["g1", "f3"]
    proj.apply(gone, undo=True)
    assert [proj.stem(i) for i in range(4)] == ["f1", "g1", "f2", "f3"]
    assert colour_at(proj, 2, 65 + 3, 50) == EYE
    proj.apply(change, undo=True)
    assert [proj.stem(i) for i in range(3)] == ["f1", "f2", "f3"]


def test_a_retake_keeps_the_colours_of_unchanged_regions(tmp_path):
    proj = keyed(tmp_path, frames=2)
    # The retake of f2: the same drawing with the eye redrawn much smaller and the body
    # split by a new line (its halves no longer match the old body whole).
    img = draw_frame(1)
    cv2.circle(img, (68, 50), 14, (255, 255, 255, 255), 3)
    cv2.circle(img, (68, 50), 5, (0, 0, 0, 255), 2)
    retake = tmp_path / "retake" / "f2.png"
    write_png(retake, img)
    floor = colour_at(proj, 1, 10, 110)
    change = proj.retake(1, retake)
    assert proj.frames[1] == str(retake.resolve())
    assert colour_at(proj, 1, 10, 110) == floor  # the floor did not change: kept
    assert colour_at(proj, 1, 40, 30) == BODY  # the body (now with a bigger hole) still matches
    assert colour_at(proj, 1, 68, 50)[3] == 0  # the new small eye matches nothing: unpainted
    proj.apply(change, undo=True)
    assert proj.stem(1) == "f2" and colour_at(proj, 1, 68, 50) == EYE

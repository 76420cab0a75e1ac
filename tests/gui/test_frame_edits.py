"""Frames in the window: a thumbnail dragged to a new place keeps its colours there, a
retake keeps the colours of the regions that did not change; both undo."""

import cv2
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent
from synthetic import BODY, EYE, draw_frame, write_clip
from test_window import drop, pixel, propagate, wait_shown

from linepaint.core.image_io import write_png


def show(qtbot, win, i):
    win.show_frame(i)
    wait_shown(qtbot, win, i)


def drag_thumbnail(strip, src, dst):
    """What Qt delivers when a thumbnail is dragged onto another one."""
    strip.setCurrentRow(src)
    mime = strip.mimeData([strip.item(src)])
    pos = QPointF(strip.visualItemRect(strip.item(dst)).center())
    strip.dropEvent(QDropEvent(pos, Qt.MoveAction, mime, Qt.LeftButton, Qt.NoModifier))


def test_a_dragged_frame_keeps_its_colours_at_its_new_place(qtbot, window, tmp_path):
    drop(qtbot, window, [write_clip(tmp_path / "clip", frames=5)])
    wait_shown(qtbot, window, 0)
    propagate(qtbot, window)
    moved = window.project.frames[4]
    drag_thumbnail(window.filmstrip, 4, 1)
    assert window.project.frames[1] == moved
    assert [window.filmstrip.item(i).text().split()[-1] for i in range(5)][:3] == ["f1", "f5", "f2"]
    show(qtbot, window, 1)
    # f5's body moved 12 px right, its eye is at x 77.
    assert pixel(window.target_view, 77, 50) == EYE and pixel(window.target_view, 105, 50) == BODY
    window.undo.undo()
    assert window.project.frames[4] == moved and window.filmstrip.item(4).text().endswith("f5")
    show(qtbot, window, 4)
    assert pixel(window.target_view, 77, 50) == EYE


def test_a_retake_keeps_the_colours_of_unchanged_regions(qtbot, window, tmp_path):
    drop(qtbot, window, [write_clip(tmp_path / "clip", frames=3)])
    wait_shown(qtbot, window, 0)
    propagate(qtbot, window)
    img = draw_frame(1)
    cv2.circle(img, (68, 50), 14, (255, 255, 255, 255), 3)  # the eye redrawn small
    cv2.circle(img, (68, 50), 5, (0, 0, 0, 255), 2)
    retake = tmp_path / "retake" / "f2.png"
    write_png(retake, img)
    show(qtbot, window, 1)
    floor = pixel(window.target_view, 10, 110)
    assert window.retake(1, str(retake))
    wait_shown(qtbot, window, 1)
    view = window.target_view
    assert pixel(view, 10, 110) == floor and pixel(view, 40, 30) == BODY
    assert pixel(view, 68, 50)[3] == 0  # the redrawn eye is left to paint
    assert window.project.frames[1] == str(retake.resolve())
    window.undo.undo()
    wait_shown(qtbot, window, 1)
    assert pixel(window.target_view, 68, 50) == EYE


def test_the_unpainted_counts_follow_a_moved_frame(qtbot, window, tmp_path):
    drop(qtbot, window, [write_clip(tmp_path / "clip", frames=5)])
    wait_shown(qtbot, window, 0)
    propagate(qtbot, window)
    show(qtbot, window, 4)
    window.push(window.project.unfill(4, int(window.target_view.seg.labels[50, 105])))  # f5's body
    window.act_unpainted.setChecked(True)
    qtbot.waitUntil(
        lambda: not window.thumb_runner.busy and len(window.filmstrip.unpainted) == 5, timeout=10000
    )
    assert window.filmstrip.unpainted[4] == 1
    drag_thumbnail(window.filmstrip, 4, 1)
    qtbot.waitUntil(
        lambda: not window.thumb_runner.busy and len(window.filmstrip.unpainted) == 5, timeout=10000
    )
    assert window.filmstrip.unpainted[1] == 1 and window.filmstrip.unpainted[4] == 0

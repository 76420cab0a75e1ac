"""The window's leak tools: the gap check, a bucket that will not flood the background
through a gap, and the gap line's width."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from synthetic import draw_frame
from test_window import drop, pixel, view_pos, wait_shown

from linepaint.core.image_io import write_png
from linepaint.core.render import false_colours
from linepaint.gui.canvas import premultiply
from linepaint.gui.gapcheck import FLOODED, MEANT

RED = (255, 0, 0, 255)
CLEAR = (0, 0, 0, 0)


def leaky_frames(tmp_path, n=2):
    """Frames of the synthetic character whose body outline is open on the left: a 6 px
    gap, wider than this size's default closing (2 px), so the body and the background
    around it are one region."""
    paths = []
    for t in range(n):
        img = draw_frame(t)
        x0 = 30 + 3 * t
        img[46:52, x0 - 2 : x0 + 3] = (255, 255, 255, 255)
        p = tmp_path / f"leak{t + 1}.png"
        write_png(p, img)
        paths.append(p)
    return paths


def open_leaky(qtbot, window, tmp_path):
    drop(qtbot, window, leaky_frames(tmp_path))
    wait_shown(qtbot, window, 0)
    view = window.target_view
    assert view.seg.labels[30, 60] == view.seg.labels[10, 10]  # body and background leak
    return view


def test_a_bucket_click_into_a_leak_shows_it_and_paints_nothing(qtbot, window, tmp_path):
    view = open_leaky(qtbot, window, tmp_path)
    window.palette.set_current(RED)
    n_undo = window.undo.count()
    for x, y in ((60, 30), (10, 10)):  # inside the body, and in the background outside it
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, x, y))
        assert pixel(view, 60, 30) == CLEAR and pixel(view, 10, 10) == CLEAR
        assert window.undo.count() == n_undo
        assert "leaks into the background" in window.statusBar().currentMessage()
        # The leak is on screen: the part clicked in yellow, the rest it would flood in red.
        tint = view.highlight_item.array
        ox, oy = int(view.highlight_item.pos().x()), int(view.highlight_item.pos().y())
        meant, other = ((60, 30), (10, 10)) if (x, y) == (60, 30) else ((10, 10), (60, 30))
        assert np.array_equal(tint[meant[1] - oy, meant[0] - ox], premultiply(np.array(MEANT, np.uint8)))
        assert np.array_equal(tint[other[1] - oy, other[0] - ox], premultiply(np.array(FLOODED, np.uint8)))
    # A region that does not leak still fills: the floor strip under the line.
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, 80, 105))
    assert pixel(view, 80, 105) == RED and window.undo.count() == n_undo + 1


def test_the_gap_check_shows_each_region_in_its_own_colour(qtbot, window, tmp_path):
    view = open_leaky(qtbot, window, tmp_path)
    window.palette.set_current(RED)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, 80, 105))
    assert pixel(view, 80, 105) == RED
    window.act_gap_check.trigger()  # G
    table = false_colours(view.seg.n)
    for x, y in ((60, 30), (10, 10), (80, 105), (65, 50)):
        assert pixel(view, x, y) == tuple(int(v) for v in table[view.seg.labels[y, x]])
    # The leak: the body and the background share one colour; the eye has its own.
    assert pixel(view, 60, 30) == pixel(view, 10, 10) != pixel(view, 65, 50)
    # It stays on for the next frame, and the colours come back when it is turned off.
    window.show_frame(1)
    wait_shown(qtbot, window, 1)
    assert view.gap_check and pixel(view, 10, 10) == tuple(int(v) for v in table[view.seg.labels[10, 10]])
    window.show_frame(0)
    wait_shown(qtbot, window, 0)
    window.act_gap_check.trigger()
    assert pixel(view, 80, 105) == RED and pixel(view, 10, 10) == CLEAR


def test_a_gap_line_closes_the_leak_with_the_width_chosen(qtbot, window, tmp_path):
    view = open_leaky(qtbot, window, tmp_path)
    window.gap_width_box.setValue(4.0)
    window.set_tool(window.tool.GAP)
    n0 = view.seg.n
    qtbot.mousePress(view.viewport(), Qt.LeftButton, pos=view_pos(view, 30, 43))
    qtbot.mouseMove(view.viewport(), pos=view_pos(view, 30, 49))
    qtbot.mouseRelease(view.viewport(), Qt.LeftButton, pos=view_pos(view, 30, 55))
    qtbot.waitUntil(lambda: view.seg is not None and view.seg.n == n0 + 1, timeout=10000)
    assert window.project.state(0).strokes[-1].width == 4.0
    assert view.seg.labels[30, 60] != view.seg.labels[10, 10]
    window.set_tool(window.tool.BUCKET)
    window.palette.set_current(RED)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, 60, 30))
    assert pixel(view, 60, 30) == RED and pixel(view, 10, 10) == CLEAR
    assert np.array_equal(window.project.colours(0)[view.seg.labels[30, 60]], RED)


def test_the_gap_size_box_re_segments_the_frame_and_undo_takes_it_back(qtbot, window, tmp_path):
    from test_gaps import _leaky_body

    paths = [_leaky_body(tmp_path / f"b{k}.png", size=540, hole=7) for k in (1, 2)]
    drop(qtbot, window, paths)
    wait_shown(qtbot, window, 0)
    view = window.target_view
    assert view.seg.labels[250, 250] == view.seg.labels[10, 10]
    assert window.gap_size_box.value() == 5
    window.gap_scope_box.setCurrentText("this frame")  # this frame's own size, not all frames'
    qtbot.waitUntil(lambda: window.project.state(0).gap == 5.0, timeout=10000)
    window.gap_size_box.setValue(10)
    qtbot.waitUntil(lambda: view.seg.labels[250, 250] != view.seg.labels[10, 10], timeout=10000)
    assert window.project.state(0).gap == 10.0 and view.gap_check  # shown in the gap check
    assert window.project.gap is None
    table = false_colours(view.seg.n)
    assert (
        pixel(view, 250, 250)
        == tuple(int(v) for v in table[view.seg.labels[250, 250]])
        != pixel(view, 10, 10)
    )
    window.show_frame(1)
    wait_shown(qtbot, window, 1)
    assert window.gap_size_box.value() == 5  # frame 1 keeps the project's
    assert window.gap_scope_box.currentText() == "all frames"
    window.undo.undo()
    window.undo.undo()
    window.show_frame(0)
    wait_shown(qtbot, window, 0)
    qtbot.waitUntil(lambda: view.seg.labels[250, 250] == view.seg.labels[10, 10], timeout=10000)
    assert window.project.state(0).gap is None and window.gap_size_box.value() == 5


def test_propagating_closes_a_leak_with_a_gap_line_and_says_so(qtbot, window, tmp_path):
    """The keyframe's panels are red | blue; the next drawing's stroke between them is
    broken open.  Propagation draws a gap line across the break: the window shows each
    panel in its own colour, the line among the frame's gap lines, and the status bar
    says a leak was closed."""
    from synthetic import PANEL_BLUE, PANEL_RED, write_leak_clip

    drop(qtbot, window, [write_leak_clip(tmp_path / "leak")])
    assert len(window.project) == 3
    wait_shown(qtbot, window, 0)
    with qtbot.waitSignal(window.runner.finished, timeout=20000):
        assert window.propagate_all()
    assert "2 leak(s) closed" in window.statusBar().currentMessage()
    window.show_frame(1)
    wait_shown(qtbot, window, 1)
    view = window.target_view
    assert pixel(view, 80, 100) == PANEL_RED and pixel(view, 220, 100) == PANEL_BLUE
    assert len(window.project.state(1).strokes) == 1


def test_the_gap_size_of_all_frames_re_segments_them_keeps_colours_and_undoes(qtbot, window, tmp_path):
    from test_gaps import _leaky_body

    from linepaint.gui.gapcheck import ALL, THIS

    paths = [_leaky_body(tmp_path / f"b{k}.png", size=540, hole=7) for k in (1, 2)]
    drop(qtbot, window, paths)
    wait_shown(qtbot, window, 0)
    view, proj = window.target_view, window.project
    leaky = lambda: view.seg.labels[250, 250] == view.seg.labels[10, 10]  # noqa: E731
    assert leaky() and window.gap_scope_box.currentText() == ALL
    window.push(proj.fill(0, view.seg.labels[250, 250], RED))
    assert pixel(view, 250, 250) == RED == pixel(view, 10, 10)

    window.gap_size_box.setValue(10)  # for all frames: the box beside it says so
    qtbot.waitUntil(lambda: not leaky() and not window.display_runner.busy, timeout=15000)
    assert proj.gap == 10.0 and proj.state(0).gap is None and view.gap_check
    table = false_colours(view.seg.n)
    inside, outside = pixel(view, 250, 250), pixel(view, 10, 10)
    assert inside == tuple(int(v) for v in table[view.seg.labels[250, 250]]) != outside
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    window.act_gap_check.setChecked(False)
    assert pixel(view, 250, 250) == RED == pixel(view, 10, 10)  # both halves keep the fill

    window.show_frame(1)  # not coloured: it follows the project's size all the same
    wait_shown(qtbot, window, 1)
    assert not leaky() and window.gap_size_box.value() == 10
    window.gap_scope_box.setCurrentText(THIS)  # its own size, the one it has now...
    qtbot.waitUntil(lambda: proj.state(1).gap == 10.0, timeout=10000)
    window.gap_size_box.setValue(2)  # ...then changed for this frame only
    qtbot.waitUntil(lambda: leaky() and not window.display_runner.busy, timeout=10000)
    assert proj.state(1).gap == 2.0 and proj.gap == 10.0 and window.gap_scope_box.currentText() == THIS
    window.gap_scope_box.setCurrentText(ALL)  # the project's again
    qtbot.waitUntil(lambda: not leaky() and not window.display_runner.busy, timeout=10000)
    assert proj.state(1).gap is None and window.gap_size_box.value() == 10

    for _ in range(4):  # back to before the size of all frames
        window.act_undo.trigger()
    assert proj.gap is None and proj.state(1).gap is None
    qtbot.waitUntil(lambda: leaky() and not window.display_runner.busy, timeout=10000)
    window.show_frame(0)
    wait_shown(qtbot, window, 0)
    window.act_gap_check.setChecked(False)
    assert leaky() and pixel(view, 250, 250) == RED == pixel(view, 10, 10)
    assert window.gap_size_box.value() == 5 and window.gap_scope_box.currentText() == ALL


def test_gap_sizes_for_all_frames_chosen_in_a_row_land_the_first_and_the_last(qtbot, window, tmp_path):
    """The box's arrows clicked in a row: the size being applied lands, the newest waits
    its turn, the ones between are dropped."""
    from test_gaps import _leaky_body

    drop(qtbot, window, [_leaky_body(tmp_path / f"b{k}.png", size=540, hole=7) for k in (1, 2)])
    wait_shown(qtbot, window, 0)
    proj = window.project
    window.push(proj.fill(0, window.target_view.seg.labels[250, 250], RED))
    for v in (6, 8, 10):
        window.gap_size_box.setValue(v)
    qtbot.waitUntil(lambda: proj.gap == 10.0 and not window.runner.busy, timeout=15000)
    texts = [window.undo.text(k) for k in range(window.undo.count())]
    assert texts[-2:] == ["Gap size 6 px, all frames", "Gap size 10 px, all frames"]
    assert window.gap_size_box.value() == 10

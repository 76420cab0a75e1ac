"""Drive the real window: drop a clip, propagate in the background, paint, undo, save,
cancel, export; assert on pixels, colours and files."""

import time

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox
from synthetic import BODY, EYE, draw_frame

from linepaint.core.image_io import read_rgba, write_png
from linepaint.core.project import Project
from linepaint.core.project_file import open_project

RED = (255, 0, 0, 255)


def wait_shown(qtbot, win, i=None):
    """Until the current frame (or frame i) is on screen with its segmentation."""
    qtbot.waitUntil(
        lambda: (
            win.target_view.seg is not None
            and win.target_view.frame_index == (win.current if i is None else i)
            and not win.display_runner.busy
        ),
        timeout=10000,
    )


def drop(qtbot, widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    ev = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    widget.dropEvent(ev)


def load(qtbot, win, clip):
    drop(qtbot, win, [clip])
    assert len(win.project) == 12
    wait_shown(qtbot, win, 0)


def propagate(qtbot, win):
    with qtbot.waitSignal(win.runner.finished, timeout=20000):
        assert win.propagate_all()


def view_pos(view, x, y) -> QPoint:
    return view.mapFromScene(QPointF(x + 0.5, y + 0.5))


def region_centre(win, colour):
    """Scene (x, y) of a pixel inside the region of this colour in the target view."""
    view = win.target_view
    r = int(np.nonzero((view.colours == colour).all(axis=1))[0][0])
    ys, xs = np.nonzero(view.seg.labels == r)
    k = len(xs) // 2
    return int(xs[k]), int(ys[k]), r


def pixel(view, x, y):
    return tuple(int(v) for v in view.colour_item.array[y, x])


class SlowMatcher:
    """The test matcher, slowed down so a user can act while a run is going."""

    def __init__(self, inner, delay=0.15):
        self.inner, self.delay = inner, delay

    def match(self, *a, **k):
        time.sleep(self.delay)
        return self.inner.match(*a, **k)


def slow_down(window, delay=0.15):
    inner = window.matcher_factory("auto", "cpu")
    window.matcher_factory = lambda e, d: SlowMatcher(inner, delay)


@pytest.mark.parametrize("target", ["window", "filmstrip"])
def test_drop_natural_order_and_keyframes(qtbot, window, clip, target):
    drop(qtbot, window if target == "window" else window.filmstrip, [clip])
    assert [window.project.stem(i) for i in range(12)] == [f"f{i}" for i in range(1, 13)]
    assert window.project.keyframes() == [0]
    wait_shown(qtbot, window, 0)
    # Keyframe colours were read from gt/ in the worker and shown.
    x, y, _ = region_centre(window, BODY)
    assert pixel(window.target_view, x, y) == BODY
    assert window.palette.swatches


def test_bad_and_odd_files_reported(qtbot, window, clip, tmp_path):
    write_png(tmp_path / "big.png", np.zeros((50, 50, 4), np.uint8))
    (tmp_path / "junk.png").write_bytes(b"nope")
    drop(qtbot, window, [clip, tmp_path / "big.png", tmp_path / "junk.png"])
    assert len(window.project) == 12
    assert "big.png" in window.messages[-1] and "junk.png" in window.messages[-1]


def test_propagate_bucket_undo_redo(qtbot, window, clip):
    load(qtbot, window, clip)
    propagate(qtbot, window)
    assert all(window.project.state(i).colours is not None for i in range(12))
    window.show_frame(3)
    wait_shown(qtbot, window, 3)
    assert window.ref_view.frame_index == 0  # the keyframe used for this target
    x, y, r = region_centre(window, BODY)
    view = window.target_view
    assert pixel(view, x, y) == BODY
    window.palette.set_current(RED)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, x, y))
    assert pixel(view, x, y) == RED
    assert tuple(window.project.state(3).colours[r]) == RED
    assert window.isWindowModified()
    window.undo.undo()
    qtbot.waitUntil(lambda: pixel(view, x, y) == BODY, timeout=5000)
    window.undo.redo()
    qtbot.waitUntil(lambda: pixel(view, x, y) == RED, timeout=5000)
    # Eyedropper (Alt+click) on the reference view picks the keyframe's colour.
    rx, ry, _ = x - 9, y, None
    qtbot.mouseClick(
        window.ref_view.viewport(), Qt.LeftButton, Qt.AltModifier, pos=view_pos(window.ref_view, rx, ry)
    )
    assert window.palette.colour == BODY


def test_shift_click_carries_forward(qtbot, window, clip):
    load(qtbot, window, clip)
    propagate(qtbot, window)
    window.show_frame(4)
    wait_shown(qtbot, window, 4)
    x, y, r = region_centre(window, EYE)
    window.palette.set_current(RED)
    view = window.target_view
    before = [window.project.state(j).colours.copy() for j in range(12)]
    with qtbot.waitSignal(window.runner.finished, timeout=20000):
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, Qt.ShiftModifier, pos=view_pos(view, x, y))
    assert pixel(view, x, y) == RED
    for j in range(5, 12):
        cols = window.project.state(j).colours
        assert RED in [tuple(c) for c in cols], j
        assert EYE not in [tuple(c) for c in cols], j
    for j in range(0, 4):
        assert np.array_equal(window.project.state(j).colours, before[j])
    # One undo step takes back the fill and everything it carried.
    assert window.undo.count() == 2
    window.undo.undo()
    for j in range(4, 12):
        assert np.array_equal(window.project.state(j).colours, before[j])


def test_mark_keyframe_and_paint_it(qtbot, window, tmp_path):
    from synthetic import write_clip

    clip = write_clip(tmp_path / "plain", frames=4, basicpbc=False)
    drop(qtbot, window, [clip])
    wait_shown(qtbot, window, 0)
    assert window.project.keyframes() == []
    assert not window.propagate_all()  # no keyframe: told, not crashed
    window.toggle_keyframe(0)
    assert window.project.keyframes() == [0]
    x0, y0, _ = 60, 30, None  # inside the body of frame 0
    view = window.target_view
    window.palette.set_current(BODY)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, x0, y0))
    assert pixel(view, x0, y0) == BODY
    propagate(qtbot, window)
    window.show_frame(2)
    wait_shown(qtbot, window, 2)
    assert pixel(window.target_view, x0 + 6, y0) == BODY


def test_gap_line_splits_region(qtbot, window, clip):
    load(qtbot, window, clip)
    view = window.target_view
    n0 = view.seg.n
    window.set_tool(window.tool.GAP)
    # Across the body, above the eye (body 30..100 x, 20..80 y in frame 0).
    qtbot.mousePress(view.viewport(), Qt.LeftButton, pos=view_pos(view, 26, 30))
    qtbot.mouseMove(view.viewport(), pos=view_pos(view, 60, 30))
    qtbot.mouseRelease(view.viewport(), Qt.LeftButton, pos=view_pos(view, 104, 30))
    qtbot.waitUntil(lambda: view.seg is not None and view.seg.n == n0 + 1, timeout=10000)
    window.set_tool(window.tool.BUCKET)
    window.palette.set_current(RED)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, 60, 24))
    assert pixel(view, 60, 24) == RED and pixel(view, 60, 70) == BODY
    window.undo.undo()
    window.undo.undo()
    qtbot.waitUntil(lambda: view.seg is not None and view.seg.n == n0, timeout=10000)


def test_save_and_reopen_identical(qtbot, window, clip, tmp_path, settings):
    load(qtbot, window, clip)
    propagate(qtbot, window)
    window.show_frame(2)
    wait_shown(qtbot, window, 2)
    x, y, r = region_centre(window, BODY)
    window.palette.set_current(RED)
    view = window.target_view
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, x, y))
    out = tmp_path / "shot.lpproj"
    assert window.save_project(str(out))
    assert not window.isWindowModified()
    assert str(out) in settings.value("recent")
    reopened = open_project(out)
    for i in range(12):
        assert np.array_equal(reopened.colours(i), window.project.colours(i))
    window.open_project(str(out))
    wait_shown(qtbot, window, 0)
    window.show_frame(2)
    wait_shown(qtbot, window, 2)
    assert pixel(window.target_view, x, y) == RED


def test_cancel_halfway(qtbot, window, clip):
    load(qtbot, window, clip)
    slow_down(window, 0.05)
    ticks = []
    timer_id = window.startTimer(5)
    window.timerEvent = lambda ev: ticks.append(time.perf_counter())
    with qtbot.waitSignal(window.runner.finished, timeout=20000) as blocker:
        window.propagate_all()
        qtbot.waitUntil(lambda: window.progress.value() >= 4, timeout=10000)
        window.cancel_button.click()
    window.killTimer(timer_id)
    assert blocker.args == ["propagate", True]
    done = [
        i
        for i in range(12)
        if window.project.state(i).colours is not None and not window.project.state(i).keyframe
    ]
    assert 4 <= len(done) < 11
    for i in done:  # finished frames are whole
        st = window.project.state(i)
        assert len(st.colours) == len(st.confidence) == len(st.source)
    # The GUI kept turning during the run: a 5 ms timer fired again and again while the
    # worker matched.  (A blocked event loop coalesces a timer into one late tick.  How
    # long the gaps are is for benchmarks, not tests.)
    assert len(ticks) > 10
    window.undo.undo()
    assert all(window.project.state(i).colours is None for i in done)


@pytest.mark.parametrize("layer", ["composite", "colour", "line"])
def test_export(qtbot, window, clip, tmp_path, layer):
    load(qtbot, window, clip)
    propagate(qtbot, window)
    out = tmp_path / "out"
    with qtbot.waitSignal(window.runner.finished, timeout=20000):
        assert window.export_frames(str(out), layer)
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 12
    img = read_rgba(out / "f6.png")
    line = draw_frame(5)
    if layer == "line":
        assert img[50, 5, 3] == 0 and img[90, 5, 3] == 255  # paper clear, ink opaque
    else:
        assert tuple(img[30, 60 + 15]) == BODY  # body of frame 6 (moved 15 px)
        assert img[5, 5, 3] == 0  # background stays transparent
    assert line.shape == img.shape


def test_export_refuses_input_folder(qtbot, window, clip):
    load(qtbot, window, clip)
    assert not window.export_frames(str(clip / "line"))
    assert "input frames" in window.messages[-1]
    assert read_rgba(clip / "line" / "f1.png").shape == (120, 160, 4)


def test_doubt_navigation_and_overlay(qtbot, window, clip):
    load(qtbot, window, clip)
    propagate(qtbot, window)
    # Only one region of frame 5 is doubtful.
    from dataclasses import replace

    for q in window.project.frames:
        s = window.project.states[q]
        if s.confidence is not None:
            window.project.states[q] = replace(s, confidence=np.ones_like(s.confidence))

    p = window.project.frames[5]
    st = window.project.states[p]
    conf = st.confidence.copy()
    conf[2] = 0.1
    window.project.states[p] = replace(st, confidence=conf)
    window.show_frame(0)
    wait_shown(qtbot, window, 0)
    qtbot.keyClick(window.target_view, Qt.Key_N)
    qtbot.waitUntil(lambda: window.current == 5 and window.target_view.seg is not None, timeout=10000)
    qtbot.waitUntil(lambda: window._doubt_cursor == 0, timeout=5000)
    assert "1 here, 1 left" in window.doubt_label.text()
    window.act_overlay.setChecked(True)
    ov = window.target_view.overlay_item.array
    assert ov is not None and ov[..., 3][window.target_view.seg.filled == 2].min() > 0


def test_hover_highlights_reference(qtbot, window, clip):
    load(qtbot, window, clip)
    propagate(qtbot, window)
    window.show_frame(2)
    wait_shown(qtbot, window, 2)
    x, y, r = region_centre(window, EYE)
    view = window.target_view
    qtbot.mouseMove(view.viewport(), pos=view_pos(view, x, y))
    hl = window.ref_view.highlight_item.array
    assert hl is not None and hl[..., 3].max() > 0


def test_palette_edit_undo(qtbot, window, clip):
    load(qtbot, window, clip)
    n = len(window.project.palette)
    window.palette.set_current(RED)
    window.palette._add()
    assert len(window.project.palette) == n + 1 and window.palette.list.count() == n + 1
    window.undo.undo()
    assert len(window.project.palette) == n and window.palette.list.count() == n


def test_autosave_and_restore_after_crash(qtbot, window, clip, tmp_path, settings):
    from PySide6.QtWidgets import QMessageBox

    from linepaint.gui.main_window import MainWindow

    load(qtbot, window, clip)
    window.project.path = tmp_path / "shot.lpproj"
    window.palette.set_current(RED)
    window.palette._add()
    window.autosave()
    auto = tmp_path / "shot.lpproj.autosave"
    assert auto.exists()
    # A second start with the same settings, as after a crash: restore is offered.
    other = MainWindow(settings=settings, autosave_ms=10**8)
    qtbot.addWidget(other)
    other.ask = lambda *a, **k: QMessageBox.Yes
    assert other.offer_restore()
    assert other.project.keyframes() == [0]
    assert other.project.palette[-1].rgba == RED
    assert other.project.path == tmp_path / "shot.lpproj" and other.isWindowModified()
    other.undo.setClean()


def test_a_fix_made_while_propagating_survives_undo_and_redo(qtbot, window, clip):
    """Results are applied as they arrive; a bucket fix made meanwhile must sit after them
    in the history, so undo and redo give back exactly the states the user saw."""
    load(qtbot, window, clip)
    slow_down(window)
    window.show_frame(1)
    wait_shown(qtbot, window, 1)
    assert window.propagate_all()
    qtbot.waitUntil(lambda: window.project.state(1).colours is not None, timeout=10000)
    assert window.runner.busy
    window.show_frame(1)
    wait_shown(qtbot, window, 1)
    _, _, r = region_centre(window, BODY)
    window.fill(r, RED)
    with qtbot.waitSignal(window.runner.finished, timeout=20000):
        pass
    steps = [window.undo.text(i) for i in range(window.undo.count())]
    k = steps.index(f"Fill {window.project.stem(1)}")
    # What was coloured before the fix, the fix, what was coloured after it.
    assert k > 0 and steps[k - 1].startswith("Propagate") and steps[-1].startswith("Propagate"), steps
    propagated = tuple(BODY)
    fix = window.undo.index()
    window.undo.setIndex(k)  # undo down to just before the fix
    assert tuple(window.project.state(1).colours[r]) == propagated
    assert r not in window.project.state(1).locks
    window.undo.setIndex(fix)  # and redo it all
    assert tuple(window.project.state(1).colours[r]) == RED
    assert window.project.state(1).locks[r] == RED


def test_undo_during_a_carry_stops_it_and_takes_back_the_fix_with_it(qtbot, window, clip):
    load(qtbot, window, clip)
    propagate(qtbot, window)
    slow_down(window)
    window.show_frame(4)
    wait_shown(qtbot, window, 4)
    _, _, r = region_centre(window, EYE)
    before = {i: window.project.state(i).colours.copy() for i in range(4, 12)}
    window.fill(r, RED, carry=True)
    qtbot.waitUntil(lambda: window.runner._count >= 2, timeout=10000)
    window.act_undo.trigger()
    assert not window.runner.busy
    qtbot.wait(300)  # anything the stopped worker still sent must be ignored
    for i in range(4, 12):
        assert np.array_equal(window.project.state(i).colours, before[i]), i
    assert window.undo.canRedo()


def test_opening_a_project_asks_first_and_a_stopped_run_does_not_leak_into_it(qtbot, window, clip, tmp_path):
    load(qtbot, window, clip)
    saved = tmp_path / "shot.lpproj"
    assert window.save_project(str(saved))
    slow_down(window)
    assert window.propagate_all()
    qtbot.waitUntil(lambda: window.runner._count >= 2, timeout=10000)
    asked = []
    window.ask = lambda text, *a, **k: asked.append(text) or QMessageBox.Cancel
    window.open_paths([str(saved)])
    assert asked and "Save changes" in asked[0]
    assert window.project.path is None or not window.undo.isClean()  # still the old one
    window.ask = lambda text, *a, **k: asked.append(text) or QMessageBox.Discard
    window.open_paths([str(saved)])
    qtbot.wait(500)
    assert window.project.path == saved
    assert window.undo.count() == 0 and window.undo.isClean()
    coloured = [i for i in range(len(window.project)) if window.project.state(i).colours is not None]
    assert all(window.project.state(i).keyframe for i in coloured)


def test_adding_earlier_frames_keeps_the_frame_on_screen(qtbot, window, clip):
    lines = sorted((clip / "line").glob("*.png"))
    late = [p for p in lines if int(p.stem[1:]) >= 5]
    early = [p for p in lines if int(p.stem[1:]) < 5]
    drop(qtbot, window, late)
    wait_shown(qtbot, window)
    window.show_frame(3)
    wait_shown(qtbot, window, 3)
    assert window.project.stem(window.current) == "f8"
    drop(qtbot, window, early)
    wait_shown(qtbot, window)
    assert window.project.stem(window.current) == "f8"
    assert window.filmstrip.currentRow() == window.current == 7


def test_a_project_with_a_missing_frame_opens_the_rest_when_the_user_agrees(qtbot, window, clip, tmp_path):
    load(qtbot, window, clip)
    saved = tmp_path / "shot.lpproj"
    assert window.save_project(str(saved))
    (clip / "line" / "f5.png").unlink()
    window.project = Project()  # as if in a new session
    asked = []
    window.ask = lambda text, *a, **k: asked.append(text) or QMessageBox.No
    window.open_paths([str(saved)])
    assert "f5.png" in asked[-1] and len(window.project) == 0
    window.ask = lambda text, *a, **k: asked.append(text) or QMessageBox.Yes
    window.open_paths([str(saved)])
    assert len(window.project) == 11 and window.project.path == saved
    assert "f5" not in [window.project.stem(i) for i in range(11)]


def test_gap_lines_drawn_in_quick_succession_are_all_kept(qtbot, window, clip):
    """Each gap line is segmented in the background; a second line, or moving on to the
    next frame, before the first is done must not lose any of them."""
    from linepaint.core.project import Stroke

    load(qtbot, window, clip)
    a, b = Stroke(((26, 30), (104, 30)), 2.0), Stroke(((26, 50), (104, 50)), 2.0)
    window.add_gap_line(0, a)
    window.add_gap_line(0, b)
    window.show_frame(1)
    qtbot.waitUntil(lambda: len(window.project.state(0).strokes) == 2, timeout=10000)
    wait_shown(qtbot, window, 1)
    qtbot.wait(200)
    assert set(window.project.state(0).strokes) == {a, b}


def test_gap_lines_still_queued_when_the_window_closes_are_saved(qtbot, window, clip, tmp_path, monkeypatch):
    """Closing while gap lines wait for segmentation: every one of them is part of the
    project the user chose to save, the queued ones included."""
    from linepaint.core.project import Stroke

    load(qtbot, window, clip)
    saved = tmp_path / "gaps.lpproj"
    assert window.save_project(str(saved))
    seg = window.project.seg

    def slow_seg(*a, **k):
        time.sleep(0.3)
        return seg(*a, **k)

    monkeypatch.setattr(window.project, "seg", slow_seg)
    a, b, c = (Stroke(((26, y), (104, y)), 2.0) for y in (30, 50, 70))
    for stroke in (a, b, c):
        window.add_gap_line(0, stroke)
    assert window.display_runner.busy and len(window.display_runner._queued) >= 2
    window.ask = lambda *a, **k: QMessageBox.Save
    window.close()
    assert set(open_project(saved).state(0).strokes) == {a, b, c}


def test_the_bucket_starts_on_the_palettes_first_colour_and_then_keeps_the_users(qtbot, window, clip):
    load(qtbot, window, clip)
    swatches = window.project.palette
    assert len(swatches) >= 2
    assert window.palette.colour == swatches[0].rgba  # not the stray default red
    propagate(qtbot, window)
    x, y, r = region_centre(window, BODY)
    view = window.target_view
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, x, y))
    assert tuple(window.project.state(0).colours[r]) == swatches[0].rgba
    # A colour the user picked stays picked when the palette changes.
    window.palette._clicked(window.palette.list.item(1))
    window.palette.set_current(RED)
    window.palette._add()
    assert window.palette.colour == RED

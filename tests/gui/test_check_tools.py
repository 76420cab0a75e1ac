"""The unpainted check, area fills (rectangle, lasso, Paint Unpainted) and dust, driven on
the real window."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from synthetic import BODY, EYE, write_clip
from test_window import drop, pixel, propagate, region_centre, view_pos, wait_shown

from linepaint.core.image_io import read_rgba, write_png

RED = (255, 0, 0, 255)
CLEAR = (0, 0, 0, 0)


def load3(qtbot, win, tmp_path):
    clip = write_clip(tmp_path / "clip", frames=3)
    drop(qtbot, win, [clip])
    wait_shown(qtbot, win, 0)
    propagate(qtbot, win)
    win.show_frame(1)
    wait_shown(qtbot, win, 1)


def click(qtbot, view, x, y):
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_pos(view, x, y))


def drag(qtbot, view, points):
    qtbot.mousePress(view.viewport(), Qt.LeftButton, pos=view_pos(view, *points[0]))
    for p in points[1:-1]:
        qtbot.mouseMove(view.viewport(), pos=view_pos(view, *p))
    qtbot.mouseRelease(view.viewport(), Qt.LeftButton, pos=view_pos(view, *points[-1]))


def test_unpainted_check_counts_what_was_left_unpainted(qtbot, window, tmp_path):
    load3(qtbot, window, tmp_path)
    view = window.target_view
    bx, by, body = region_centre(window, BODY)
    ex, ey, eye = region_centre(window, EYE)
    window.set_tool(window.tool.UNFILL)
    click(qtbot, view, bx, by)
    click(qtbot, view, ex, ey)
    assert pixel(view, bx, by) == CLEAR
    qtbot.keyClick(window, Qt.Key_U)  # the check view
    assert window.act_unpainted.isChecked()
    assert sorted(window.unpainted_here().tolist()) == sorted([body, eye])
    ov = view.overlay_item.array
    assert ov[by, bx, 3] > 0 and ov[ey, ex, 3] > 0
    assert ov[5, 5, 3] == 0  # the paper around the drawing is not unpainted
    qtbot.waitUntil(lambda: not window.thumb_runner.busy, timeout=10000)
    assert window.filmstrip.unpainted == {0: 0, 1: 2, 2: 0}
    assert "○2" in window.filmstrip.item(1).text()
    # M jumps to an unpainted region; painting both leaves none, here and in the strip.
    qtbot.keyClick(window, Qt.Key_M)
    assert "Unpainted region 1 of 2" in window.statusBar().currentMessage()
    window.set_tool(window.tool.BUCKET)
    window.palette.set_current(RED)
    click(qtbot, view, bx, by)
    click(qtbot, view, ex, ey)
    assert len(window.unpainted_here()) == 0 and window.filmstrip.unpainted[1] == 0
    assert view.overlay_item.array is None or view.overlay_item.array[by, bx, 3] == 0


@pytest.mark.parametrize("shape", ["rectangle", "lasso"])
def test_area_fill_paints_only_unpainted_regions_inside_in_one_undo_step(qtbot, window, tmp_path, shape):
    load3(qtbot, window, tmp_path)
    view = window.target_view
    bx, by, body = region_centre(window, BODY)
    ex, ey, eye = region_centre(window, EYE)
    window.set_tool(window.tool.UNFILL)
    click(qtbot, view, ex, ey)
    steps = window.undo.count()
    # The body box of frame 1 spans x 33..103, y 20..80; the drag encloses it whole.
    if shape == "rectangle":
        window.set_tool(window.tool.RECT_FILL)
        pts = [(28, 15), (70, 50), (108, 85)]
    else:
        window.set_tool(window.tool.LASSO_FILL)
        pts = [(28, 15), (108, 15), (108, 85), (28, 85), (28, 16)]
    window.act_paint_unpainted.setChecked(True)
    window.palette.set_current(RED)
    drag(qtbot, view, pts)
    assert pixel(view, ex, ey) == RED  # the unpainted eye inside
    assert pixel(view, bx, by) == BODY  # the painted body inside stays
    assert pixel(view, 5, 5) == CLEAR  # the paper outside the drag is not touched
    assert window.undo.count() == steps + 1
    window.undo.undo()
    assert pixel(view, ex, ey) == CLEAR and pixel(view, bx, by) == BODY
    # Without Paint Unpainted every region wholly inside takes the colour.
    window.act_paint_unpainted.setChecked(False)
    drag(qtbot, view, pts)
    assert pixel(view, ex, ey) == RED and pixel(view, bx, by) == RED
    assert pixel(view, 5, 5) == CLEAR


def dusty_clip(root):
    """One keyframe whose body holds two 2x2 specks of paper inside blobs of ink: the one
    at x 52 painted in the eye's colour on the keyframe, the one at x 62 left unpainted."""
    clip = write_clip(root, frames=2)
    for sub in ("line", "gt"):
        for name in ("f1.png", "f2.png") if sub == "line" else ("f1.png",):
            img = read_rgba(root / sub / name)
            for x in (50, 60):
                cv2.rectangle(img, (x, 30), (x + 5, 35), (0, 0, 0, 255), -1)
            img[32:34, 52:54] = (255, 255, 255, 255) if sub == "line" else EYE
            img[32:34, 62:64] = (255, 255, 255, 255) if sub == "line" else CLEAR
            write_png(root / sub / name, img)
    return clip


@pytest.mark.parametrize("to", ["neighbour", "line"])
def test_unpainted_dust_follows_its_neighbour_in_the_export_and_painted_dust_keeps_its_colour(
    qtbot, window, tmp_path, to
):
    drop(qtbot, window, [dusty_clip(tmp_path / "clip")])
    wait_shown(qtbot, window, 0)
    propagate(qtbot, window)
    seg = window.target_view.seg
    for x in (52, 62):
        speck = int(seg.labels[32, x])
        assert speck > 0 and seg.area[speck] == 4
    window.act_unpainted.setChecked(True)
    assert int(seg.labels[32, 62]) not in window.unpainted_here().tolist()  # dust is never unpainted
    window.dust_box.setValue(6)
    window.dust_to_box.setCurrentIndex(["neighbour", "line"].index(to))
    out = tmp_path / "out"
    with qtbot.waitSignal(window.runner.finished, timeout=20000):
        assert window.export_frames(str(out), "colour")
    for name in ("f1.png", "f2.png"):
        img = read_rgba(out / name)
        want = BODY if to == "neighbour" else (0, 0, 0, 255)
        assert tuple(img[32, 62]) == want and tuple(img[33, 63]) == want
        assert tuple(img[32, 52]) == EYE and tuple(img[33, 53]) == EYE
    window.dust_box.setValue(0)
    with qtbot.waitSignal(window.runner.finished, timeout=20000):
        assert window.export_frames(str(tmp_path / "raw"), "colour")
    raw = read_rgba(tmp_path / "raw" / "f1.png")
    assert tuple(raw[32, 52]) == EYE and raw[32, 62, 3] == 0


def test_the_doubt_queue_visits_dust_last_zoomed_in_and_goes_back_to_the_colourists_zoom(
    qtbot, window, tmp_path
):
    from dataclasses import replace

    from linepaint.gui.canvas import SHOW_MIN_PX

    drop(qtbot, window, [dusty_clip(tmp_path / "clip")])
    wait_shown(qtbot, window, 0)
    propagate(qtbot, window)
    i = 1
    window.show_frame(i)
    wait_shown(qtbot, window, i)
    seg = window.target_view.seg
    speck, body = int(seg.labels[32, 52]), int(seg.labels[45, 30])
    assert speck > 0 and seg.area[speck] == 4 and seg.area[body] > 100
    # The speck and the body in doubt, nothing else; the speck comes first in reading order.
    assert seg.centroid[speck][1] < seg.centroid[body][1]
    proj = window.project
    st = proj.state(i)
    conf = np.ones(len(st.confidence), np.float32)
    conf[[speck, body]] = 0.1
    proj.states[proj.frames[i]] = replace(st, confidence=conf)
    window.dust_box.setValue(6)  # from the default 5: a change the window hears
    assert window.doubt_label.text().startswith("Doubtful: 2 here")
    assert window._doubt_list().tolist() == [body, speck]
    view = window.target_view
    own = view.transform().m11()
    assert 2 * own < SHOW_MIN_PX  # the 2 x 2 speck is invisible at the whole-frame zoom

    def centre():
        c = view.mapToScene(view.viewport().rect().center())
        return c.x(), c.y()

    window.next_doubt()  # the body: the zoom stays
    assert view.transform().m11() == pytest.approx(own)
    window.next_doubt()  # the speck: zoomed in on, centred, named
    assert view.transform().m11() == pytest.approx(SHOW_MIN_PX / 2)
    assert centre() == pytest.approx((53, 33), abs=1.5)
    assert "Doubtful speck of 4 px 2 of 2" in window.statusBar().currentMessage()
    # Ringed, not tinted: the speck's own colour is what is in doubt.
    ring = view.highlight_item.array
    x0, y0 = int(view.highlight_item.pos().x()), int(view.highlight_item.pos().y())
    its = seg.filled[y0 : y0 + ring.shape[0], x0 : x0 + ring.shape[1]] == speck
    assert its[32 - y0, 52 - x0] and (ring[..., 3] > 0).sum() > 8 and not (ring[..., 3][its] > 0).any()
    window.next_doubt(True)  # back to the body, at the colourist's zoom
    assert view.transform().m11() == pytest.approx(own)
    # A zoom chosen while on a speck is the colourist's own from then on.
    window.next_doubt()
    view.zoom_by(1.25)
    window.next_doubt(True)
    assert view.transform().m11() == pytest.approx(SHOW_MIN_PX / 2 * 1.25)
    # Without dust the speck is an ordinary region: reading order puts it first.
    window.dust_box.setValue(0)
    assert window.doubt_label.text().startswith("Doubtful: 2 here")
    assert window._doubt_list().tolist() == [speck, body]

"""Review aids (onion skin, Enter accepts a doubtful region, review progress in the
filmstrip) and the colour model sheet as a palette source, driven on the real window."""

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPoint, Qt
from synthetic import BODY, write_clip
from test_window import drop, pixel, propagate, region_centre, wait_shown

DAY_SKIN = (221, 152, 91, 255)


def coloured(qtbot, win, tmp_path, frames=4):
    drop(qtbot, win, [write_clip(tmp_path / "clip", frames=frames)])
    wait_shown(qtbot, win, 0)
    propagate(qtbot, win)


def test_onion_skin_shows_the_previous_frames_colours_at_the_sliders_opacity(qtbot, window, tmp_path):
    coloured(qtbot, window, tmp_path)
    window.show_frame(2)
    wait_shown(qtbot, window, 2)
    view = window.target_view
    window.onion_slider.setValue(50)
    qtbot.keyClick(window, Qt.Key_O)
    qtbot.waitUntil(lambda: view.onion_item.array is not None, timeout=10000)
    prev_line, prev_seg = window.project.cached(1)
    want = window.project.colours(1, prev_seg)[prev_seg.filled]
    # Frame 2's body moved 3 px right: its left edge shows frame 1's body under the onion.
    assert tuple(want[50, 34]) == BODY and pixel(view, 34, 50) != BODY
    onion = view.onion_item.array  # premultiplied
    assert tuple(onion[50, 34]) == BODY
    assert abs(view.onion_item.opacity() - 0.5) < 1e-6
    window.onion_slider.setValue(20)
    assert abs(view.onion_item.opacity() - 0.2) < 1e-6
    qtbot.keyClick(window, Qt.Key_O)
    assert view.onion_item.array is None


def test_enter_accepts_a_doubtful_region_and_the_strip_shows_review_progress(qtbot, window, tmp_path):
    coloured(qtbot, window, tmp_path, frames=6)
    proj = window.project
    for q in proj.frames:
        s = proj.states[q]
        if s.confidence is not None and not s.keyframe:
            proj.states[q] = replace(s, confidence=np.ones_like(s.confidence))
    p = proj.frames[4]
    st = proj.states[p]
    conf = st.confidence.copy()
    conf[[2, 3]] = 0.1
    proj.states[p] = replace(st, confidence=conf)
    before = proj.colours(4).copy()
    window._update_marks()
    assert window.filmstrip.progress[4] == (0, 2)
    window.show_frame(4)
    wait_shown(qtbot, window, 4)
    qtbot.keyClick(window.target_view, Qt.Key_N)
    qtbot.waitUntil(lambda: window._doubt_cursor == 0, timeout=5000)
    first = int(window._doubt_list()[0])
    qtbot.keyClick(window.target_view, Qt.Key_Return)
    assert first not in proj.doubtful(4).tolist() and len(proj.doubtful(4)) == 1
    assert first in proj.state(4).locks and np.array_equal(proj.colours(4), before)  # colours unchanged
    assert window.filmstrip.progress[4] == (1, 2)
    assert "1 here" in window.doubt_label.text()
    qtbot.keyClick(window.target_view, Qt.Key_Return)  # the cursor went on to the other one
    assert len(proj.doubtful(4)) == 0 and window.filmstrip.progress[4] == (2, 2)
    window.undo.undo()
    assert len(proj.doubtful(4)) == 1 and window.filmstrip.progress[4] == (1, 2)


def test_model_sheet_eyedropper_and_extract_swatches(qtbot, window, real_data, tmp_path):
    d = real_data / "dwanko"
    coloured(qtbot, window, tmp_path, frames=2)
    assert window.open_sheet(str(d / "colormodel_day.png"))
    view = window.sheet.view
    view.resize(300, 300)
    window.sheet.view._rescale()
    # The "Skin" box of the sheet is at x 658..708, y 280..332 (sheet pixels).
    pm = view.pixmap()
    s = pm.width() / 900
    x0 = (view.width() - pm.width()) // 2
    qtbot.mouseClick(view, Qt.LeftButton, pos=QPoint(x0 + int(683 * s), int(306 * s)))
    assert window.palette.colour == DAY_SKIN
    n = len(window.project.palette)
    window.extract_sheet_swatches()
    names = {sw.rgba: sw for sw in window.project.palette}
    assert DAY_SKIN in names and len(window.project.palette) >= n + 12
    # Names are editable in the palette dock; the bucket then paints with that swatch.
    row = list(names).index(DAY_SKIN)
    item = window.palette.list.item(row)
    item.setText("Skin")
    assert window.project.palette[row].name == "Skin" and window.project.palette[row].rgba == DAY_SKIN
    window.undo.undo()
    window.undo.undo()
    assert len(window.project.palette) == n
    x, y, _ = region_centre(window, BODY)
    assert pixel(window.target_view, x, y) == BODY

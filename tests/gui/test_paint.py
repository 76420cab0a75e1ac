"""What colourists expect from their paint tools, driven on the real window: swatches as
identities and palette styles."""

import shutil

import numpy as np
from PySide6.QtCore import Qt
from synthetic import BODY, write_clip
from test_window import drop, pixel, region_centre, wait_shown

from linepaint.core.image_io import read_rgba

NIGHT_BODY = (60, 40, 120, 255)
DAY_SKIN, NIGHT_SKIN = (221, 152, 91, 255), (75, 200, 203, 255)


def show(qtbot, win, i):
    win.show_frame(i)
    wait_shown(qtbot, win, i)


def test_a_swatch_edit_recolours_three_frames_and_undoes_in_one_step(qtbot, window, tmp_path):
    clip = write_clip(tmp_path / "clip", frames=3, keyframes=(0, 1, 2))
    drop(qtbot, window, [clip])
    wait_shown(qtbot, window, 0)
    places = []
    for i in range(3):
        show(qtbot, window, i)
        x, y, _ = region_centre(window, BODY)
        places.append((x, y))
    # Pick the body swatch in the palette dock, choose a new colour, recolour the swatch.
    row = next(k for k, s in enumerate(window.palette.swatches) if s.rgba == BODY)
    item = window.palette.list.item(row)
    window.palette.list.setCurrentRow(row)
    window.palette._clicked(item)
    window.palette.set_current(NIGHT_BODY, swatch=window.palette.swatch_id)
    window.palette._recolour()
    assert window.undo.count() == 1
    for i, (x, y) in enumerate(places):
        show(qtbot, window, i)
        assert pixel(window.target_view, x, y) == NIGHT_BODY
    window.undo.undo()
    for i, (x, y) in enumerate(places):
        show(qtbot, window, i)
        assert pixel(window.target_view, x, y) == BODY


def test_night_style_from_the_model_sheets_switches_and_exports(qtbot, window, real_data, tmp_path):
    d = real_data / "dwanko"
    clip = tmp_path / "dwanko"
    shutil.copytree(d / "line", clip / "line")
    shutil.copytree(d / "gt", clip / "gt")
    for p in list((clip / "gt").iterdir())[3:]:
        p.unlink()  # three keyframes; the other frames are propagated
    drop(qtbot, window, [clip])
    wait_shown(qtbot, window, 0)
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        assert window.propagate_all()
    assert window.import_style(str(d / "colormodel_night.png"), "night", str(d / "colormodel_day.png"))
    assert window.palette.style_box.count() == 2
    gt = read_rgba(d / "gt" / "0005.png")
    ys, xs = np.nonzero((gt == DAY_SKIN).all(axis=-1))
    k = len(xs) // 2
    show(qtbot, window, 4)
    assert pixel(window.target_view, xs[k], ys[k]) == DAY_SKIN
    # Export in the night style while the screen stays in day colours.
    out = tmp_path / "night"
    with qtbot.waitSignal(window.runner.finished, timeout=60000):
        assert window.export_frames(str(out), "colour", "night")
    for stem in ("0001", "0005"):
        img = read_rgba(out / f"{stem}.png")
        skin = (read_rgba(d / "gt" / f"{stem}.png") == DAY_SKIN).all(axis=-1)
        assert (img[skin] == NIGHT_SKIN).all(axis=-1).mean() > 0.9
        assert not (img == DAY_SKIN).all(axis=-1).any()
    # One key switches the whole shot to night, one undo brings the day back.
    qtbot.keyClick(window, Qt.Key_S, Qt.ShiftModifier)
    assert window.project.style == "night" and window.palette.style_box.currentText() == "night"
    qtbot.waitUntil(lambda: pixel(window.target_view, xs[k], ys[k]) == NIGHT_SKIN, timeout=5000)
    show(qtbot, window, 0)
    assert window.target_view.colours is not None
    assert not (window.target_view.colours == DAY_SKIN).all(axis=1).any()
    window.undo.undo()
    assert window.project.style == "default"
    show(qtbot, window, 4)
    assert pixel(window.target_view, xs[k], ys[k]) == DAY_SKIN

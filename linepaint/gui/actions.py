"""The main window's actions, menus and toolbar: every command with its shortcut, icon
and tip, built once and connected to the window's slots."""

from __future__ import annotations

from functools import partial

import qtawesome as qta
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSlider, QSpinBox

from ..core.segment import DEFAULT_GAP_1080P, MAX_GAP_1080P
from .gapcheck import GAP_SCOPES
from .tools import GAP_WIDTH, Tool


def _act(win, text, slot, shortcut=None, icon=None, tip=None, checkable=False) -> QAction:
    a = QAction(text, win)
    if icon:
        a.setIcon(qta.icon(icon))
    if shortcut:
        a.setShortcut(QKeySequence(shortcut))
        a.setShortcutContext(Qt.WindowShortcut)
    if tip:
        a.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})" if shortcut else tip)
        a.setStatusTip(tip)
    a.setCheckable(checkable)
    if checkable:
        a.toggled.connect(slot)
    else:
        a.triggered.connect(lambda checked=False: slot())
    win.addAction(a)
    return a


def build_actions(win) -> None:
    """Create the window's actions (``win.act_*``, ``win.tool_actions``), menus and toolbar."""
    A = partial(_act, win)
    win.act_open = A(
        "&Open…", win._open_dialog, QKeySequence.Open, "fa5s.folder-open", "Open a project or frames"
    )
    win.act_import = A(
        "&Import frames…",
        win._import_dialog,
        "Ctrl+I",
        "fa5s.file-import",
        "Add line-art frames or a clip folder",
    )
    win.act_save = A("&Save", win.save_project, QKeySequence.Save, "fa5s.save", "Save the project")
    win.act_save_as = A("Save &as…", win.save_project_as, "Ctrl+Shift+S")
    win.act_export = A(
        "&Export PNG sequence…",
        win._export_dialog,
        "Ctrl+E",
        "fa5s.file-export",
        "Export the frames as PNGs",
    )
    win.act_demo = A("Open the &demo", win.load_demo)
    win.act_quit = A("&Quit", win.close, QKeySequence.Quit)
    win.act_undo = win.undo.createUndoAction(win, "&Undo")
    win.act_undo.setShortcut(QKeySequence("Ctrl+Z"))
    win.act_undo.setIcon(qta.icon("fa5s.undo"))
    win.act_redo = win.undo.createRedoAction(win, "&Redo")
    win.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    win.act_redo.setIcon(qta.icon("fa5s.redo"))
    # Undo and redo during a background run stop it first: what it coloured so far
    # becomes one history step, and undo takes that step back.
    for act, step in ((win.act_undo, win.undo.undo), (win.act_redo, win.undo.redo)):
        act.triggered.disconnect()
        act.triggered.connect(lambda _=False, step=step: win._history_step(step))
    win.addAction(win.act_undo)
    win.addAction(win.act_redo)
    win.act_propagate = A(
        "&Propagate", win.propagate_all, "F5", "fa5s.play", "Colour every frame from the keyframes"
    )
    win.act_cancel = A("Cancel", win.cancel_job, "Esc")
    win.act_key = A(
        "Mark/unmark &keyframe",
        lambda: win.toggle_keyframe(win.current),
        "K",
        "fa5s.key",
        "Mark or unmark this frame as a keyframe",
    )
    win.act_import_key = A(
        "Import coloured keyframe…", lambda: win._import_keyframe_dialog(win.current), None, "fa5s.star"
    )
    win.act_overlay = A(
        "&Confidence overlay",
        win._set_overlay,
        "C",
        "fa5s.search",
        "Tint the regions linepaint doubts",
        checkable=True,
    )
    win.act_gap_check = A(
        "&Gap check",
        win._set_gap_check,
        "G",
        "fa5s.th",
        "Show every region in its own colour: one colour over two areas is a leak",
        checkable=True,
    )
    win.act_next_doubt = A(
        "Next doubtful region",
        lambda: win.next_doubt(False),
        "N",
        "fa5s.step-forward",
        "Jump to the next doubtful region",
    )
    win.act_prev_doubt = A(
        "Previous doubtful region", lambda: win.next_doubt(True), "Shift+N", "fa5s.step-backward"
    )
    win.act_accept = A(
        "&Accept doubtful region",
        win.accept_doubt,
        None,
        "fa5s.check",
        "The doubtful region N went to is right: keep it and go to the next",
    )
    # Enter itself is the target view's key (FrameView.enter_pressed): a window shortcut
    # would take it from a swatch being renamed or a number typed in the toolbar.
    win.act_accept.setText("&Accept doubtful region\tEnter")
    win.act_onion = A(
        "&Onion skin",
        win._set_onion,
        "O",
        "fa5s.clone",
        "Show the previous frame's colours over the target (opacity beside it)",
        checkable=True,
    )
    win.act_unpainted = A(
        "&Unpainted check",
        win._set_unpainted_check,
        "U",
        "fa5s.fill",
        "Show the regions left unpainted here, and count them under every frame",
        checkable=True,
    )
    win.act_next_unpainted = A(
        "Next unpainted region",
        lambda: win.next_unpainted(False),
        "M",
        "fa5s.forward",
        "Jump to the next unpainted region",
    )
    win.act_prev_unpainted = A(
        "Previous unpainted region", lambda: win.next_unpainted(True), "Shift+M", "fa5s.backward"
    )
    win.act_paint_unpainted = A(
        "&Paint unpainted only",
        lambda on: None,
        "P",
        "fa5s.fill-drip",
        "Rectangle and lasso fills paint only the regions still unpainted",
        checkable=True,
    )
    win.act_next_style = A(
        "Next palette &style",
        win.next_style,
        "Shift+S",
        "fa5s.adjust",
        "Recolour every frame in the next palette style (day, night…)",
    )
    win.act_import_style = A(
        "Import palette style…",
        win._import_style_dialog,
        None,
        "fa5s.moon",
        "Add a palette style from a .gpl/.json palette or a colour model sheet",
    )
    win.act_open_sheet = A(
        "Open colour &model sheet…",
        win._open_sheet_dialog,
        None,
        "fa5s.image",
        "Show a model sheet beside the palette: click its colours, extract its swatches",
    )
    win.act_remove_frame = A(
        "Remove frame", lambda: win.remove_frames([win.current]), None, "fa5s.trash", "Remove this frame"
    )
    win.act_insert_frames = A(
        "Insert frames after…", lambda: win._insert_dialog(win.current + 1), None, "fa5s.plus-square"
    )
    win.act_retake = A(
        "Replace line art (retake)…",
        lambda: win._retake_dialog(win.current),
        None,
        "fa5s.exchange-alt",
        "Replace this frame's drawing; the regions that still match keep their colours",
    )
    win.act_fit = A("&Fit to window", win.fit_views, "Ctrl+0", "fa5s.expand")
    win.act_zoom_in = A("Zoom in", lambda: win.target_view.zoom_by(1.25), "Ctrl++")
    win.act_zoom_out = A("Zoom out", lambda: win.target_view.zoom_by(0.8), "Ctrl+-")
    win.act_next = A("Next frame", lambda: win.step_frame(1), "Right")
    win.act_prev = A("Previous frame", lambda: win.step_frame(-1), "Left")
    win.tool_actions: dict[Tool, QAction] = {}
    group = QActionGroup(win)
    for t in Tool:
        a = A(t.label, lambda t=t: win.set_tool(t), t.key, t.icon, t.tip)
        a.setCheckable(True)
        group.addAction(a)
        win.tool_actions[t] = a
    win.tool_actions[Tool.BUCKET].setChecked(True)

    mb = win.menuBar()
    m = mb.addMenu("&File")
    for a in (win.act_open, win.act_import, win.act_demo):
        m.addAction(a)
    win.recent_menu = m.addMenu("Open &recent")
    win.recent_menu.aboutToShow.connect(win._fill_recent)
    m.addSeparator()
    for a in (win.act_save, win.act_save_as, win.act_export):
        m.addAction(a)
    m.addSeparator()
    m.addAction(win.act_quit)
    m = mb.addMenu("&Edit")
    m.addAction(win.act_undo)
    m.addAction(win.act_redo)
    m = mb.addMenu("&Frame")
    for a in (win.act_key, win.act_import_key, win.act_next, win.act_prev):
        m.addAction(a)
    m.addSeparator()
    for a in (win.act_insert_frames, win.act_retake, win.act_remove_frame):
        m.addAction(a)
    m = mb.addMenu("&Colour")
    for a in (
        win.act_propagate,
        win.act_cancel,
        win.act_overlay,
        win.act_next_doubt,
        win.act_prev_doubt,
        win.act_accept,
        win.act_onion,
        win.act_unpainted,
        win.act_next_unpainted,
        win.act_prev_unpainted,
        win.act_paint_unpainted,
        win.act_next_style,
        win.act_import_style,
        win.act_open_sheet,
    ):
        m.addAction(a)
    m = mb.addMenu("&Tools")
    for a in win.tool_actions.values():
        m.addAction(a)
    m = mb.addMenu("&View")
    for a in (win.act_gap_check, win.act_fit, win.act_zoom_in, win.act_zoom_out):
        m.addAction(a)
    m.addSeparator()
    m.addAction(win.palette_dock.toggleViewAction())
    m.addAction(win.history_dock.toggleViewAction())
    m.addAction(win.sheet_dock.toggleViewAction())

    tb = win.addToolBar("Main")
    tb.setObjectName("main_toolbar")
    for a in (win.act_open, win.act_save, win.act_export):
        tb.addAction(a)
    tb.addSeparator()
    tb.addAction(win.act_undo)
    tb.addAction(win.act_redo)
    tb.addSeparator()
    for a in win.tool_actions.values():
        tb.addAction(a)
    tb.addSeparator()
    tb.addAction(win.act_key)
    tb.addAction(win.act_propagate)
    win.mode_box = QComboBox()
    win.mode_box.addItems(["nearest", "forward"])
    win.mode_box.setToolTip(
        "nearest: each frame from its nearest keyframes; "
        "forward: frame to frame (from the two frames before), and from the nearest keyframes"
    )
    win.mode_box.setCurrentText(str(win.settings.value("propagate/mode", "nearest")))
    win.engine_box = QComboBox()
    win.engine_box.addItems(["auto", "classic", "learned"])
    win.engine_box.setToolTip("Matching engine")
    win.engine_box.setCurrentText(str(win.settings.value("propagate/engine", "auto")))
    tb.addWidget(win.mode_box)
    tb.addWidget(win.engine_box)
    win.gap_width_box = QDoubleSpinBox()
    win.gap_width_box.setRange(1.0, 12.0)
    win.gap_width_box.setSingleStep(0.5)
    win.gap_width_box.setPrefix("line ")
    win.gap_width_box.setSuffix(" px")
    win.gap_width_box.setToolTip("Width of the gap lines you draw (L), in frame pixels")
    win.gap_width_box.setValue(float(win.settings.value("tools/gap_width", GAP_WIDTH)))
    win.gap_width_box.valueChanged.connect(lambda v: win.settings.setValue("tools/gap_width", v))
    tb.addWidget(win.gap_width_box)
    win.gap_size_box = QDoubleSpinBox()
    win.gap_size_box.setRange(0.0, float(MAX_GAP_1080P))
    win.gap_size_box.setSingleStep(1.0)
    win.gap_size_box.setDecimals(0)
    win.gap_size_box.setPrefix("gap ")
    win.gap_size_box.setSuffix(" px")
    win.gap_size_box.setKeyboardTracking(False)
    win.gap_size_box.setToolTip(
        "Widest gap in the strokes closed, in pixels at 1080p (scaled with the frame), for "
        "this frame or for all frames without their own (beside it); re-segmented frames "
        "keep their colours and show in the gap check"
    )
    win.gap_size_box.setValue(float(DEFAULT_GAP_1080P))
    win.gap_size_box.valueChanged.connect(win._gap_size_changed)
    tb.addWidget(win.gap_size_box)
    win.gap_scope_box = QComboBox()
    win.gap_scope_box.addItems(list(GAP_SCOPES))
    win.gap_scope_box.setToolTip(
        "Whose gap size this frame uses: its own, or the one of all frames (the project's). "
        "Choosing 'all frames' gives a frame with its own size the project's again"
    )
    win.gap_scope_box.currentIndexChanged.connect(win._gap_scope_changed)
    tb.addWidget(win.gap_scope_box)
    tb.addSeparator()
    for a in (win.act_overlay, win.act_gap_check, win.act_prev_doubt, win.act_next_doubt, win.act_fit):
        tb.addAction(a)
    tb.addSeparator()
    for a in (win.act_unpainted, win.act_next_unpainted, win.act_paint_unpainted):
        tb.addAction(a)
    win.dust_box = QSpinBox()
    win.dust_box.setRange(0, 500)
    win.dust_box.setPrefix("dust < ")
    win.dust_box.setSuffix(" px")
    win.dust_box.setToolTip(
        "Specks smaller than this are dust: never unpainted, visited last by N when doubtful, "
        "and filled at export when left unpainted"
    )
    win.dust_box.setValue(win.project.dust.size)
    win.dust_box.valueChanged.connect(lambda v: win.set_dust(size=v))
    win.dust_to_box = QComboBox()
    win.dust_to_box.addItems(["neighbour", "line"])
    win.dust_to_box.setToolTip(
        "At export, unpainted dust takes its largest painted neighbour's colour, or the line's"
    )
    win.dust_to_box.currentTextChanged.connect(lambda t: win.set_dust(to=t))
    tb.addAction(win.act_onion)
    win.onion_slider = QSlider(Qt.Horizontal)
    win.onion_slider.setRange(0, 100)
    win.onion_slider.setValue(40)
    win.onion_slider.setMaximumWidth(80)
    win.onion_slider.setToolTip("Onion skin opacity")
    win.onion_slider.valueChanged.connect(lambda v: win._apply_onion())
    tb.addWidget(win.onion_slider)
    tb.addWidget(win.dust_box)
    tb.addWidget(win.dust_to_box)

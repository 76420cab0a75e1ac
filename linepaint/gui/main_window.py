"""The main window: reference and target views side by side, filmstrip, palette dock,
undo history, status bar with progress and Cancel.  Heavy work (segmentation, matching,
export) runs in :mod:`.workers` threads; the window only applies finished results."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import qtawesome as qta
from PySide6.QtCore import QByteArray, QPointF, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QTransform, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QToolButton,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from ..core.clip import find_frames
from ..core.errors import LinepaintError
from ..core.export import export_frames, prepare_output
from ..core.palette import read_palette, write_palette
from ..core.project import DOUBT_THRESHOLD, Change, Project, Stroke
from ..core.project_file import MissingFramesError, autosave_path, open_project, save_project
from ..core.propagate import carry_fix_forward, propagate
from ..core.run import Run
from .canvas import FrameView, boxes_for
from .commands import ChangeCommand
from .filmstrip import Filmstrip, frame_thumbnail, thumbnail, urls_to_paths
from .palette_dock import PaletteWidget
from .runs import RunFeeder
from .tools import Tool
from .workers import JobRunner

#: Export kinds (:data:`~linepaint.core.export.KINDS`) as the export dialog names them.
EXPORT_KINDS = {
    "flat": "Flat colours with black lines",
    "colour": "Colour layer",
    "composite": "Colour and lines composited",
    "line": "Line layer",
}


def default_matcher(engine: str, device: str):
    """Called in the worker thread only: the learned engine may import torch."""
    from ..core.match.base import get_matcher

    return get_matcher(engine, device)


class MainWindow(QMainWindow):
    #: Emitted after a frame's colours are on screen (tests and --screenshot wait on it).
    frame_shown = Signal(int)

    def __init__(self, settings: QSettings | None = None, autosave_ms: int = 3 * 60 * 1000):
        super().__init__()
        self.settings = settings or QSettings("linepaint", "linepaint")
        self.project = Project()
        self.current = -1
        self.tool = Tool.BUCKET
        self.matcher_factory = default_matcher
        self.messages: list[str] = []
        self.persist_layout = True
        self._overlay = False
        self._pending_doubt: str | None = None
        self._doubt_cursor = -1
        self._last_engine = ""
        self.undo = QUndoStack(self)
        self.undo.cleanChanged.connect(self._clean_changed)
        self.runner = JobRunner(self)  # propagation, carry-forward, export
        self.display_runner = JobRunner(self)  # segmentation of the frames on screen, gap lines
        self.thumb_runner = JobRunner(self)
        self.runner.progress.connect(self._progress)
        self.runner.started.connect(self._job_started)
        self.runner.finished.connect(self._job_finished)
        self.runs = RunFeeder(self.runner, self.undo, self.on_change)  # propagation, carry
        self.setAcceptDrops(True)
        self.setWindowTitle("linepaint[*]")
        self.resize(1400, 860)
        self._build_ui()
        self._build_actions()
        geo = self.settings.value("window/geometry")
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(geo)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start(autosave_ms)
        self._update_status()

    # -- construction ------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.ref_view = FrameView("reference")
        self.target_view = FrameView("target")
        self.ref_caption = QLabel("Reference")
        self.target_caption = QLabel("Target")
        split = QSplitter(Qt.Horizontal)
        self.split = split
        for cap, view in ((self.ref_caption, self.ref_view), (self.target_caption, self.target_view)):
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(2, 2, 2, 2)
            lay.setSpacing(2)
            cap.setStyleSheet("font-weight: bold; padding: 2px;")
            lay.addWidget(cap)
            lay.addWidget(view, 1)
            split.addWidget(box)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.filmstrip = Filmstrip()
        centre = QWidget()
        lay = QVBoxLayout(centre)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split, 1)
        lay.addWidget(self.filmstrip)
        self.setCentralWidget(centre)
        self._syncing = False
        for a, b in ((self.ref_view, self.target_view), (self.target_view, self.ref_view)):
            a.view_changed.connect(lambda a=a, b=b: self._sync_view(a, b))
        self.target_view.clicked.connect(lambda p, b, m: self._view_click(self.target_view, p, b, m))
        self.ref_view.clicked.connect(lambda p, b, m: self._view_click(self.ref_view, p, b, m))
        self.target_view.hovered.connect(self._hover)
        self.target_view.stroke_finished.connect(self._stroke)
        self.filmstrip.files_dropped.connect(self.add_paths)
        self.filmstrip.frame_chosen.connect(self.show_frame)
        self.filmstrip.keyframe_toggled.connect(self.toggle_keyframe)
        self.filmstrip.import_keyframe.connect(self._import_keyframe_dialog)

        self.palette = PaletteWidget()
        self.palette.colour_picked.connect(lambda c: self._status(f"Colour {self._hex(c)}"))
        self.palette.palette_edited.connect(self._palette_edited)
        self.palette.extract_requested.connect(self.extract_palette)
        self.palette.import_requested.connect(self._import_palette_dialog)
        self.palette.export_requested.connect(self._export_palette_dialog)
        dock = QDockWidget("Palette", self)
        dock.setObjectName("palette_dock")
        dock.setWidget(self.palette)
        self.addDockWidget(Qt.RightDockWidgetArea, dock)
        self.palette_dock = dock
        hist = QDockWidget("History", self)
        hist.setObjectName("history_dock")
        self.undo_view = QUndoView(self.undo)
        self.undo_view.setEmptyLabel("Opened")
        hist.setWidget(self.undo_view)
        self.addDockWidget(Qt.RightDockWidgetArea, hist)
        self.history_dock = hist

        sb = self.statusBar()
        self.frame_label = QLabel()
        self.doubt_label = QLabel()
        self.engine_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%v / %m frames")
        self.progress.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setIcon(qta.icon("fa5s.stop", color="#c33"))
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.cancel_button.clicked.connect(self.cancel_job)
        self.cancel_button.hide()
        for w in (self.frame_label, self.doubt_label, self.engine_label):
            sb.addPermanentWidget(w)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)

    def _act(self, text, slot, shortcut=None, icon=None, tip=None, checkable=False) -> QAction:
        a = QAction(text, self)
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
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        A = self._act
        self.act_open = A(
            "&Open…", self._open_dialog, QKeySequence.Open, "fa5s.folder-open", "Open a project or frames"
        )
        self.act_import = A(
            "&Import frames…",
            self._import_dialog,
            "Ctrl+I",
            "fa5s.file-import",
            "Add line-art frames or a clip folder",
        )
        self.act_save = A("&Save", self.save_project, QKeySequence.Save, "fa5s.save", "Save the project")
        self.act_save_as = A("Save &as…", self.save_project_as, "Ctrl+Shift+S")
        self.act_export = A(
            "&Export PNG sequence…",
            self._export_dialog,
            "Ctrl+E",
            "fa5s.file-export",
            "Export the frames as PNGs",
        )
        self.act_demo = A("Open the &demo", self.load_demo)
        self.act_quit = A("&Quit", self.close, QKeySequence.Quit)
        self.act_undo = self.undo.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(QKeySequence("Ctrl+Z"))
        self.act_undo.setIcon(qta.icon("fa5s.undo"))
        self.act_redo = self.undo.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.setIcon(qta.icon("fa5s.redo"))
        # Undo and redo during a background run stop it first: what it coloured so far
        # becomes one history step, and undo takes that step back.
        for act, step in ((self.act_undo, self.undo.undo), (self.act_redo, self.undo.redo)):
            act.triggered.disconnect()
            act.triggered.connect(lambda _=False, step=step: self._history_step(step))
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_propagate = A(
            "&Propagate", self.propagate_all, "F5", "fa5s.play", "Colour every frame from the keyframes"
        )
        self.act_cancel = A("Cancel", self.cancel_job, "Esc")
        self.act_key = A(
            "Mark/unmark &keyframe",
            lambda: self.toggle_keyframe(self.current),
            "K",
            "fa5s.key",
            "Mark or unmark this frame as a keyframe",
        )
        self.act_import_key = A(
            "Import coloured keyframe…", lambda: self._import_keyframe_dialog(self.current), None, "fa5s.star"
        )
        self.act_overlay = A(
            "&Confidence overlay",
            self._set_overlay,
            "C",
            "fa5s.search",
            "Tint the regions linepaint doubts",
            checkable=True,
        )
        self.act_next_doubt = A(
            "Next doubtful region",
            lambda: self.next_doubt(False),
            "N",
            "fa5s.step-forward",
            "Jump to the next doubtful region",
        )
        self.act_prev_doubt = A(
            "Previous doubtful region", lambda: self.next_doubt(True), "Shift+N", "fa5s.step-backward"
        )
        self.act_fit = A("&Fit to window", self.fit_views, "Ctrl+0", "fa5s.expand")
        self.act_zoom_in = A("Zoom in", lambda: self.target_view.zoom_by(1.25), "Ctrl++")
        self.act_zoom_out = A("Zoom out", lambda: self.target_view.zoom_by(0.8), "Ctrl+-")
        self.act_next = A("Next frame", lambda: self.step_frame(1), "Right")
        self.act_prev = A("Previous frame", lambda: self.step_frame(-1), "Left")
        self.tool_actions: dict[Tool, QAction] = {}
        group = QActionGroup(self)
        for t in Tool:
            a = A(t.label, lambda t=t: self.set_tool(t), t.key, t.icon, t.tip)
            a.setCheckable(True)
            group.addAction(a)
            self.tool_actions[t] = a
        self.tool_actions[Tool.BUCKET].setChecked(True)

        mb = self.menuBar()
        m = mb.addMenu("&File")
        for a in (self.act_open, self.act_import, self.act_demo):
            m.addAction(a)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        for a in (self.act_save, self.act_save_as, self.act_export):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        m.addAction(self.act_undo)
        m.addAction(self.act_redo)
        m = mb.addMenu("&Frame")
        for a in (self.act_key, self.act_import_key, self.act_next, self.act_prev):
            m.addAction(a)
        m = mb.addMenu("&Colour")
        for a in (
            self.act_propagate,
            self.act_cancel,
            self.act_overlay,
            self.act_next_doubt,
            self.act_prev_doubt,
        ):
            m.addAction(a)
        m = mb.addMenu("&Tools")
        for a in self.tool_actions.values():
            m.addAction(a)
        m = mb.addMenu("&View")
        for a in (self.act_fit, self.act_zoom_in, self.act_zoom_out):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.palette_dock.toggleViewAction())
        m.addAction(self.history_dock.toggleViewAction())

        tb = self.addToolBar("Main")
        tb.setObjectName("main_toolbar")
        for a in (self.act_open, self.act_save, self.act_export):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_undo)
        tb.addAction(self.act_redo)
        tb.addSeparator()
        for a in self.tool_actions.values():
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_key)
        tb.addAction(self.act_propagate)
        self.mode_box = QComboBox()
        self.mode_box.addItems(["nearest", "forward"])
        self.mode_box.setToolTip("Colour each frame from its nearest keyframe, or frame to frame")
        self.mode_box.setCurrentText(str(self.settings.value("propagate/mode", "nearest")))
        self.engine_box = QComboBox()
        self.engine_box.addItems(["auto", "classic", "learned"])
        self.engine_box.setToolTip("Matching engine")
        self.engine_box.setCurrentText(str(self.settings.value("propagate/engine", "auto")))
        tb.addWidget(self.mode_box)
        tb.addWidget(self.engine_box)
        tb.addSeparator()
        for a in (self.act_overlay, self.act_prev_doubt, self.act_next_doubt, self.act_fit):
            tb.addAction(a)

    # -- messages --------------------------------------------------------------------------

    def _status(self, text: str, ms: int = 6000) -> None:
        self.statusBar().showMessage(text, ms)

    def report(self, text: str, details: list[str] | None = None) -> None:
        """Tell the user something went wrong, in words (never a traceback); non-blocking."""
        full = text + (
            "\n\n" + "\n".join(details[:20]) + ("\n…" if len(details) > 20 else "") if details else ""
        )
        self.messages.append(full)
        self._status(text.splitlines()[0], 10000)
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            return
        box = QMessageBox(QMessageBox.Warning, "linepaint", text, QMessageBox.Ok, self)
        if details:
            box.setInformativeText("\n".join(details[:20]))
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    def ask(self, text: str, buttons=QMessageBox.Yes | QMessageBox.No, default=QMessageBox.Yes):
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            # Nobody can answer a dialog without a screen: keep files as they are.
            return QMessageBox.Discard if buttons & QMessageBox.Discard else QMessageBox.No
        return QMessageBox.question(self, "linepaint", text, buttons, default)

    @staticmethod
    def _hex(c) -> str:
        return f"#{c[0]:02x}{c[1]:02x}{c[2]:02x}" + ("" if c[3] == 255 else f" α{c[3]}")

    # -- loading ---------------------------------------------------------------------------

    def open_paths(self, paths: list[str]) -> None:
        """``linepaint PATH...``: a project file, or frames and folders."""
        projects = [p for p in paths if str(p).endswith(".lpproj")]
        if projects:
            self.open_project(projects[0])
        else:
            self.add_paths(paths)

    def load_demo(self) -> None:
        from ..resources import resource_path

        demo = resource_path("demo")
        if not demo.is_dir():
            self.report(f"The built-in demo is missing ({demo}). Drop line-art frames on the window instead.")
            return
        self.add_paths([str(demo)])

    def add_paths(self, paths: list[str]) -> None:
        """Add dropped files/folders (a BasicPBC clip's gt/ frames become keyframes)."""
        projects = [p for p in paths if str(p).endswith(".lpproj")]
        if projects:  # a project dropped on the window opens (after asking about this one)
            self.open_project(projects[0])
            return
        lines, keys, problems = find_frames([p for p in paths if not str(p).endswith(".lpproj")])
        shown = self._frame_path(self.current)
        before = len(self.project)
        problems += self.project.add_frames(lines, keys)
        added = len(self.project) - before
        if problems:
            self.report(
                f"{len(problems)} file(s) were not loaded; the rest are in."
                if added
                else "No frames were loaded.",
                problems,
            )
        if added:
            self._status(f"Added {added} frame(s).")
            if shown is not None:  # frames sort in by name: stay on the frame on screen
                self.current = self.project.index_of(shown)
            self._frames_changed()

    def _frames_changed(self) -> None:
        self.filmstrip.set_frames([self.project.stem(i) for i in range(len(self.project))])
        self._update_marks()
        self._start_thumbnails()
        self.show_frame(max(0, min(self.current, len(self.project) - 1)), force=True)
        QTimer.singleShot(0, self.fit_views)

    def _start_thumbnails(self) -> None:
        proj = self.project
        paths = list(proj.frames)

        def job():
            from ..core.lineart import read_line_art

            for p in paths:
                try:
                    line = read_line_art(p)
                except LinepaintError:
                    continue
                d = thumbnail(np.ascontiguousarray(line.darkness[..., None]))[..., 0]
                rgba = np.empty(d.shape + (4,), np.uint8)
                rgba[..., :3] = (255 * (1 - d))[..., None].astype(np.uint8)
                rgba[..., 3] = 255
                yield p, rgba

        def item(x):
            p, rgba = x
            i = self.project.index_of(p)
            if i >= 0 and self.project.cached(i) is None:
                self.filmstrip.set_thumbnail(i, rgba)

        self.thumb_runner.cancel()
        self.thumb_runner.start("thumbnails", job, item, queue=True)

    # -- frames on screen ------------------------------------------------------------------

    def ref_index_for(self, i: int) -> int:
        st = self.project.state(i)
        j = self.project.index_of(st.reference)
        if j >= 0:
            return j
        keys = [k for k in self.project.keyframes() if k != i]
        if not keys:
            return i if st.keyframe else -1
        return min(keys, key=lambda k: (abs(k - i), k))

    def show_frame(self, i: int, force: bool = False) -> None:
        if not 0 <= i < len(self.project):
            return
        if i == self.current and not force:
            return
        self.current = i
        self._doubt_cursor = -1
        if self.filmstrip.currentRow() != i:
            self.filmstrip.blockSignals(True)
            self.filmstrip.setCurrentRow(i)
            self.filmstrip.blockSignals(False)
        self._refresh_views()

    def step_frame(self, d: int) -> None:
        self.show_frame(self.current + d)

    def _refresh_views(self) -> None:
        """Show the current frame and its reference; segment them in the worker first when
        they are not in the cache."""
        i = self.current
        if i < 0:
            return
        j = self.ref_index_for(i)
        need = [k for k in (i, j) if k >= 0 and (self.project.cached(k) is None or self._unresolved(k))]
        if not need:
            self._display()
            return
        proj = self.project
        wanted = [(proj.frames[k], proj.state(k).strokes) for k in need]
        self._status(f"Reading {', '.join(proj.stem(k) for k in need)}…", 2000)

        def job():
            for path, strokes in wanted:
                k = proj.index_of(path)
                if k < 0:
                    continue
                seg = proj.seg(k, strokes)
                boxes_for(seg)  # the first bucket click on it then costs no more than later ones
                st = proj.state(k)
                key = proj.key_colours(k, seg) if st.keyframe and st.colours is None else None
                yield path, strokes, key

        def item(x):
            path, strokes, key = x
            k = self.project.index_of(path)
            if key is not None and k >= 0 and self.project.state(k).strokes == strokes:
                seg = self.project.cached_seg(k)
                if seg is not None and self.project.resolve_keyframe(k, seg, key):
                    self.palette.set_swatches(self.project.palette)
                    self._update_thumb(k)

        def done(cancelled, error):
            if error:
                self.report(error)
            elif not cancelled:
                self._display()

        self.display_runner.start("display", job, item, done, queue=True)

    def _unresolved(self, k: int) -> bool:
        st = self.project.state(k)
        return st.keyframe and st.colours is None

    def _display(self) -> None:
        i = self.current
        if i < 0:
            return
        j = self.ref_index_for(i)
        tgt = self.project.cached(i)
        if tgt is None or self._unresolved(i):
            self._refresh_views()
            return
        st = self.project.state(i)
        self.target_view.set_frame(i, tgt[0], tgt[1], self.project.colours(i, tgt[1]), st.strokes)
        ref = self.project.cached(j) if j >= 0 else None
        if ref is not None and not self._unresolved(j):
            self.ref_view.set_frame(
                j, ref[0], ref[1], self.project.colours(j, ref[1]), self.project.state(j).strokes
            )
        else:
            self.ref_view.set_frame(-1, None, None, None)
        key = " ★ keyframe" if st.keyframe else ""
        self.target_caption.setText(f"Target: {self.project.stem(i)}{key}")
        self.ref_caption.setText(
            f"Reference: {self.project.stem(j)}" if j >= 0 else "Reference: none (mark a keyframe)"
        )
        self._apply_overlay()
        self._update_thumb(i)
        self._update_status()
        if self._pending_doubt is not None:
            which, self._pending_doubt = self._pending_doubt, None
            regions = self._doubt_list()
            if len(regions):
                self._doubt_cursor = 0 if which == "first" else len(regions) - 1
                self._focus_region(int(regions[self._doubt_cursor]))
        self._sync_view(self.target_view, self.ref_view)
        self.frame_shown.emit(i)

    def _update_thumb(self, i: int) -> None:
        c = self.project.cached(i)
        if c is None:
            return
        line, seg = c
        self.filmstrip.set_thumbnail(
            i, frame_thumbnail(seg.filled, self.project.colours(i, seg), line.darkness)
        )

    def fit_views(self) -> None:
        """Ctrl+0: the whole frame in both views, at the same scale."""
        views = (self.target_view, self.ref_view)
        rect = self.target_view.scene().sceneRect()
        if rect.isEmpty():
            return
        scale = min(
            min((v.viewport().width() - 4) / rect.width(), (v.viewport().height() - 4) / rect.height())
            for v in views
        )
        self._syncing = True
        try:
            for v in views:
                v.setTransform(QTransform.fromScale(scale, scale))
                v.centerOn(rect.center())
        finally:
            self._syncing = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        total = sum(self.split.sizes())
        if total:
            self.split.setSizes([total // 2, total - total // 2])

    def _sync_view(self, src: FrameView, dst: FrameView) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            dst.setTransform(src.transform())
            centre = src.mapToScene(src.viewport().rect().center())
            dst.centerOn(centre)
        finally:
            self._syncing = False

    # -- document changes -------------------------------------------------------------------

    def push(self, change: Change, **kw) -> ChangeCommand | None:
        if change.empty:
            return None
        self.runs.flush(" (so far)")
        cmd = ChangeCommand(self.project, change, self.on_change, **kw)
        self.undo.push(cmd)
        self.on_change(change)
        return cmd

    def _history_step(self, step) -> None:
        """Undo or redo, after stopping a running job (its frames become a step first)."""
        self.runner.wait()
        step()

    def on_change(self, change: Change) -> None:
        """Redraw what ``change`` touched (called after apply, undo and redo)."""
        if change.palette is not None:
            self.palette.set_swatches(self.project.palette)
        if self.current < 0:
            return
        touched = {self.project.index_of(p) for p in change.frames}
        for k in touched:
            if k >= 0 and k != self.current:
                self._update_thumb(k)
        shown = {self.current, self.ref_view.frame_index}
        if touched & shown or self.ref_index_for(self.current) != self.ref_view.frame_index:
            self._refresh_views()
        self._update_marks()
        self._update_status()

    def _update_marks(self) -> None:
        doubt = {i: len(self.project.doubtful(i)) for i in range(len(self.project))}
        self.filmstrip.set_marks(set(self.project.keyframes()), {i: d for i, d in doubt.items() if d})

    def _update_status(self) -> None:
        n = len(self.project)
        if self.current >= 0 and n:
            self.frame_label.setText(f"Frame {self.current + 1}/{n} ({self.project.stem(self.current)})")
            here = len(self.project.doubtful(self.current))
            total = sum(len(self.project.doubtful(i)) for i in range(n))
            self.doubt_label.setText(f"Doubtful: {here} here, {total} left")
        else:
            self.frame_label.setText("No frames: drop line art here")
            self.doubt_label.setText("")
        self.engine_label.setText(f"Engine: {self._last_engine}" if self._last_engine else "")

    # -- tools ----------------------------------------------------------------------------

    def set_tool(self, tool: Tool) -> None:
        self.tool = tool
        self.tool_actions[tool].setChecked(True)
        self.target_view.stroke_mode = tool is Tool.GAP
        cursor = Qt.CrossCursor if tool in (Tool.BUCKET, Tool.UNFILL, Tool.GAP) else Qt.PointingHandCursor
        self.target_view.viewport().setCursor(cursor)
        self._status(tool.tip)

    def _view_click(self, view: FrameView, pos: QPointF, button, mods) -> None:
        if button != Qt.LeftButton:
            return
        if self.tool is Tool.PICKER or mods & Qt.AltModifier or view is self.ref_view:
            self.pick_colour(view, pos)
            return
        if view.seg is None or view.frame_index != self.current:
            self._status("This frame is still being read.")
            return
        region = view.region_at(pos)
        if region == 0:
            return
        if self.tool is Tool.BUCKET:
            self.fill(region, self.palette.colour, carry=bool(mods & Qt.ShiftModifier))
        elif self.tool is Tool.UNFILL:
            self.push(self.project.unfill(self.current, region, view.seg))

    def pick_colour(self, view: FrameView, pos: QPointF) -> None:
        c = view.colour_at(pos)
        if c is not None:
            self.palette.set_current(c)
            self._status(f"Picked {self._hex(c)}")

    def fill(self, region: int, rgba, carry: bool = False) -> None:
        """Bucket in the current frame; ``carry`` re-solves later frames with the fix locked."""
        i = self.current
        seg = self.target_view.seg
        token = object() if carry else None
        cmd = self.push(self.project.fill(i, region, rgba, seg), merge_token=token)
        if not carry:
            return cmd
        if self.runner.busy:
            self._status("Busy: the fix was applied to this frame only.")
            return
        rgba = tuple(int(v) for v in rgba)
        seq = self.project.sequence()
        run = Run(self.project, seq, f"Carry fix forward from {self.project.stem(i)} ({{n}} frame(s))", True)

        def done(run, cancelled, error):
            if error:
                self.report(error)
            if run.count:
                self._status(f"Fix carried to {run.count} later frame(s).")
            else:
                self._status("The region is not matched in later frames; fixed here only.")

        self._start_run(
            "carry",
            lambda matcher, mode: carry_fix_forward(seq, matcher, i, region, rgba, mode),
            run,
            max(0, len(seq) - i - 1),
            lambda k, r: self._update_thumb(k),
            done,
            follows=token,
        )
        return cmd

    def _start_run(self, kind, solve, run: Run, total: int, on_frame, on_done, follows=None) -> bool:
        """Run ``solve(matcher, mode)`` (a FrameResult generator) in the worker with the
        engine and mode chosen in the toolbar, feeding ``run``."""
        engine, device, mode = self.engine_box.currentText(), "auto", self.mode_box.currentText()
        factory = self.matcher_factory

        def job():
            yield from solve(factory(engine, device), mode)  # in the worker: may import torch

        def frame(k, r):
            if r.engine != self._last_engine:
                self._last_engine = r.engine
                self._update_status()
            on_frame(k, r)

        return self.runs.start(kind, job, run, total, frame, on_done, follows=follows)

    def _hover(self, pos: QPointF) -> None:
        view = self.target_view
        r = view.region_at(pos)
        if r == 0 or self.current < 0:
            self.ref_view.highlight(0)
            return
        st = self.project.state(self.current)
        text = f"Region {r}"
        src = -1
        if (
            st.source is not None
            and r < len(st.source)
            and st.reference == self._frame_path(self.ref_view.frame_index)
        ):
            src = int(st.source[r])
        if st.confidence is not None and r < len(st.confidence) and not st.keyframe:
            conf = 1.0 if r in st.locks else float(st.confidence[r])
            text += f", confidence {conf:.2f}" + (" (painted)" if r in st.locks else "")
        if src > 0:
            text += f", from {self.project.stem(self.ref_view.frame_index)} region {src}"
        self.ref_view.highlight(src)
        self._status(text, 3000)

    def _frame_path(self, k: int):
        return self.project.frames[k] if 0 <= k < len(self.project) else None

    def _stroke(self, points: list) -> None:
        """Gap line: add the stroke to this frame's ink and re-segment it in the worker."""
        i = self.current
        if i < 0 or self.target_view.seg is None or self.target_view.frame_index != i:
            self._status("This frame is still being read.")
            return
        pts = tuple((round(p.x(), 1), round(p.y(), 1)) for p in points)
        # Drop consecutive duplicates; a click without a drag makes a dot.
        pts = tuple(p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1])
        self.add_gap_line(i, Stroke(pts, 2.0))

    def add_gap_line(self, i: int, stroke: Stroke) -> None:
        proj = self.project
        path = proj.frames[i]
        strokes = proj.state(i).strokes

        def job():
            k = proj.index_of(path)
            proj.seg(k, strokes)
            proj.seg(k, strokes + (stroke,))
            yield path

        def done(cancelled, error):
            if error:
                self.report(error)
                return
            k = self.project.index_of(path)
            if k < 0:
                return
            # Another line drawn meanwhile: this one is added on top of it all the same.
            self.push(self.project.add_stroke(k, stroke))

        self.display_runner.start("gap", job, None, done, queue=True, latest_only=False)

    def toggle_keyframe(self, i: int) -> None:
        if not 0 <= i < len(self.project):
            return
        st = self.project.state(i)
        view = self.target_view
        seg = view.seg if i == self.current and view.frame_index == i else None
        if seg is None and not st.keyframe and st.colours is None:
            c = self.project.cached(i)
            seg = c[1] if c else None
            if seg is None:
                self._status("Open the frame first, then mark it.")
                return
        self.push(self.project.set_keyframe(i, not st.keyframe, seg))

    def import_keyframe(self, i: int, image: str) -> None:
        try:
            c = self.project.cached(i)
            self.push(self.project.import_keyframe(i, image, c[1] if c else None))
        except LinepaintError as exc:
            self.report(str(exc))

    # -- review ---------------------------------------------------------------------------

    def _set_overlay(self, on: bool) -> None:
        self._overlay = bool(on)
        self._apply_overlay()

    def _apply_overlay(self) -> None:
        view = self.target_view
        if not self._overlay or view.seg is None or self.current < 0:
            view.set_overlay(None)
            return
        st = self.project.state(self.current)
        table = np.zeros((view.seg.n + 1, 4), np.uint8)
        if st.confidence is not None and len(st.confidence) == len(table) and not st.keyframe:
            doubt = self.project.doubtful(self.current)
            conf = st.confidence[doubt]
            table[doubt] = (255, 0, 170, 0)
            table[doubt, 3] = np.clip(90 + 140 * (1 - conf / DOUBT_THRESHOLD), 0, 230).astype(np.uint8)
        view.set_overlay(table)

    def _doubt_list(self) -> np.ndarray:
        regions = self.project.doubtful(self.current)
        seg = self.target_view.seg
        if seg is None or len(regions) == 0:
            return regions
        c = seg.centroid[regions]
        return regions[np.lexsort((c[:, 0], c[:, 1]))]

    def next_doubt(self, back: bool = False) -> None:
        if self.current < 0:
            return
        regions = self._doubt_list()
        k = self._doubt_cursor + (-1 if back else 1)
        if back and self._doubt_cursor < 0:
            k = len(regions) - 1
        if 0 <= k < len(regions):
            self._doubt_cursor = k
            self._focus_region(int(regions[k]))
            return
        n = len(self.project)
        order = range(self.current - 1, -1, -1) if back else range(self.current + 1, n)
        for j in order:
            if len(self.project.doubtful(j)):
                self._pending_doubt = "last" if back else "first"
                self.show_frame(j)
                return
        self._status("No more doubtful regions." if not back else "No earlier doubtful regions.")

    def _focus_region(self, region: int) -> None:
        self.target_view.centre_on_region(region)
        self.target_view.highlight(region, (255, 0, 170, 110))
        st = self.project.state(self.current)
        if st.source is not None and region < len(st.source):
            self.ref_view.highlight(int(st.source[region]))
        left = len(self._doubt_list())
        self._status(
            f"Doubtful region {self._doubt_cursor + 1} of {left} in this frame "
            f"(confidence {float(st.confidence[region]):.2f})."
        )

    # -- propagation -----------------------------------------------------------------------

    def propagate_all(self) -> bool:
        """Start colouring every non-key frame in the background (one undo step)."""
        if self.runner.busy:
            self._status("Already working; press Cancel first.")
            return False
        if not self.project.keyframes():
            self.report(
                "No keyframe yet: colour a frame and mark it as a keyframe (K), "
                "or import a coloured keyframe."
            )
            return False
        seq = self.project.sequence()
        locks = seq.locks()
        self.settings.setValue("propagate/engine", self.engine_box.currentText())
        self.settings.setValue("propagate/mode", self.mode_box.currentText())
        total = len(seq) - len(self.project.keyframes())
        return self._start_run(
            "propagate",
            lambda matcher, mode: propagate(seq, matcher, mode, locks=locks),
            Run(self.project, seq, "Propagate {n} frame(s)"),
            total,
            self._on_result,
            self._on_propagate_done,
        )

    def _on_result(self, k: int, r) -> None:
        self._update_thumb(k)
        if k in (self.current, self.ref_view.frame_index):
            self._refresh_views()

    def _on_propagate_done(self, run: Run, cancelled: bool, error: str) -> None:
        if error:
            self.report(error)
        if cancelled:
            self._status(f"Cancelled: {run.count} frame(s) coloured, the rest unchanged.")
        elif not error:
            self._status(f"Coloured {run.count} frame(s) with {self._last_engine}.")
        self._update_marks()
        self._update_status()

    def cancel_job(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self._status("Cancelling after the current frame…")

    def _clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    def _job_started(self, kind: str) -> None:
        self._busy(True, kind)

    def _job_finished(self, kind: str, cancelled: bool) -> None:
        self._busy(False, kind)

    def _busy(self, on: bool, kind: str) -> None:
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)
        self.act_propagate.setEnabled(not on)

    def _progress(self, kind: str, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, done, 1))
        self.progress.setValue(done)
        verb = {"propagate": "Propagating", "export": "Exporting", "carry": "Carrying fix"}.get(kind, kind)
        self.progress.setFormat(f"{verb} %v/%m")

    # -- palette ---------------------------------------------------------------------------

    def _palette_edited(self, swatches: list, text: str) -> None:
        self.push(self.project.set_palette(swatches, text))

    def extract_palette(self) -> None:
        sw = self.project.extract_palette()
        if not sw:
            self._status("No coloured keyframe to take colours from yet.")
            return
        self.push(self.project.set_palette(sw, "Extract palette"))

    def _import_palette_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import palette", "", "Palettes (*.gpl *.json)")
        if path:
            try:
                self.push(self.project.set_palette(read_palette(path), "Import palette"))
            except LinepaintError as exc:
                self.report(str(exc))

    def _export_palette_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export palette", "palette.gpl", "GIMP palette (*.gpl);;JSON (*.json)"
        )
        if path:
            try:
                write_palette(path, self.project.palette)
            except LinepaintError as exc:
                self.report(str(exc))

    # -- project files ---------------------------------------------------------------------

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open", "", "linepaint project (*.lpproj);;Images (*.png *.tif *.tiff *.jpg *.jpeg *.webp)"
        )
        if path:
            self.open_paths([path])

    def _import_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of frames or a clip")
        if folder:
            self.add_paths([folder])

    def _import_keyframe_dialog(self, i: int) -> None:
        if not 0 <= i < len(self.project):
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            f"Coloured keyframe for {self.project.stem(i)}",
            "",
            "Images (*.png *.tif *.tiff *.jpg *.jpeg *.webp)",
        )
        if path:
            self.import_keyframe(i, path)

    def _set_project(self, project: Project) -> None:
        self.runner.wait()
        self.display_runner.wait()
        self.project = project
        self.undo.clear()
        self.current = -1
        self.palette.set_swatches(project.palette, fresh=True)
        self._frames_changed()

    def _may_replace(self, what: str) -> bool:
        """Before the project is replaced or the window closes: stop a running job (what
        it coloured becomes a history step) and offer to save unsaved work.  False: the
        user cancelled."""
        # A gap line still being segmented is an edit too: let it land first.
        for r in (self.runner, self.display_runner):
            r.wait()
        if self.undo.isClean() or not len(self.project):
            return True
        ans = self.ask(
            f"Save changes to the project before {what}?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Save,
        )
        if ans == QMessageBox.Cancel or (ans == QMessageBox.Save and not self.save_project()):
            self._refresh_views()  # the display stopped above: staying, so show the frame
            return False
        return True

    def open_project(self, path: str) -> None:
        if not self._may_replace(f"opening {Path(path).name}"):
            return
        try:
            try:
                proj = open_project(path)
            except MissingFramesError as exc:
                ans = self.ask(
                    f"{exc}\n\nOpen the project without them?  Their colours leave the project "
                    "when you save it; put the files back and reopen to keep them.",
                )
                if ans != QMessageBox.Yes:
                    return
                proj = open_project(path, skip_missing=True)
                self._status(f"Opened without {len(exc.missing)} missing frame(s).")
        except LinepaintError as exc:
            self.report(str(exc))
            return
        self._set_project(proj)
        self._add_recent(str(path))
        self.setWindowTitle(f"{Path(path).name}[*] — linepaint")

    def save_project(self, path: str | None = None) -> bool:
        if path is None and self.project.path is None:
            return self.save_project_as()
        target = Path(path) if path else self.project.path
        if target.suffix != ".lpproj":
            target = target.with_name(target.name + ".lpproj")
        try:
            save_project(self.project, target)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        self.undo.setClean()
        self._remove_autosave()
        self._add_recent(str(target))
        self.setWindowTitle(f"{target.name}[*] — linepaint")
        self._status(f"Saved {target}")
        return True

    def save_project_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save project", "shot.lpproj", "linepaint project (*.lpproj)"
        )
        return self.save_project(path) if path else False

    def _add_recent(self, path: str) -> None:
        recent = [p for p in (self.settings.value("recent", []) or []) if p != path]
        self.settings.setValue("recent", [path] + recent[:9])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.settings.value("recent", []) or []:
            self.recent_menu.addAction(p, lambda p=p: self.open_paths([p]))

    # -- autosave and crash recovery ---------------------------------------------------------

    def autosave_target(self) -> Path:
        if self.project.path is not None:
            return autosave_path(self.project.path)
        base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or str(
            Path.home() / ".linepaint"
        )
        return Path(base) / "untitled.lpproj.autosave"

    def autosave(self) -> None:
        if self.undo.isClean() or not len(self.project):
            return
        target = self.autosave_target()
        try:
            save_project(self.project, target, as_copy=True)
        except LinepaintError as exc:
            self._status(f"Autosave failed: {exc}")
            return
        self.settings.setValue("session/autosave", str(target))
        self.settings.setValue("session/project", str(self.project.path or ""))
        self._status(f"Autosaved to {target.name}", 3000)

    def _remove_autosave(self) -> None:
        p = self.settings.value("session/autosave")
        if p:
            try:
                Path(p).unlink(missing_ok=True)
            except OSError:
                pass
        self.settings.remove("session/autosave")
        self.settings.remove("session/project")

    def offer_restore(self) -> bool:
        """After a crash the last autosave is still there: offer to restore it."""
        p = self.settings.value("session/autosave")
        if not p or not Path(p).exists():
            return False
        if (
            self.ask(f"linepaint did not close properly. Restore the autosaved work from {Path(p).name}?")
            != QMessageBox.Yes
        ):
            self._remove_autosave()
            return False
        try:
            proj = open_project(p)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        orig = self.settings.value("session/project") or ""
        proj.path = Path(orig) if orig else None
        self._set_project(proj)
        self.undo.resetClean()
        self.setWindowModified(True)
        return True

    # -- export ----------------------------------------------------------------------------

    def _export_dialog(self) -> None:
        if not len(self.project):
            return
        folder = QFileDialog.getExistingDirectory(self, "Export PNG sequence to")
        if not folder:
            return
        labels = list(EXPORT_KINDS.values())
        choice, ok = QInputDialog.getItem(self, "Export", "What to export:", labels, 2, False)
        if ok:
            self.export_frames(folder, list(EXPORT_KINDS)[labels.index(choice)])

    def export_frames(self, folder: str, kind: str = "composite") -> bool:
        """Write ``folder/<stem>.png`` for every frame in the background.  Refuses a
        folder that holds input frames (never overwrite the line art)."""
        if self.runner.busy:
            self._status("Busy; try again when the current job ends.")
            return False
        inputs = {Path(p).parent for p in self.project.frames}
        inputs |= {Path(s.key_image).parent for s in self.project.states.values() if s.key_image}
        try:
            out = prepare_output(folder, inputs)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        seq = self.project.sequence()

        def done(cancelled, error):
            if error:
                self.report(error)
            else:
                self._status(f"Exported to {out}" + (" (cancelled)" if cancelled else ""))

        def job():
            yield from export_frames(seq, out, kind, inputs)

        return self.runner.start("export", job, None, done, total=len(seq))

    # -- drag and drop, closing --------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = urls_to_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def closeEvent(self, event) -> None:
        if not self._may_replace("closing"):
            event.ignore()
            return
        for r in (self.runner, self.display_runner, self.thumb_runner):
            r.wait()
        self._remove_autosave()
        if self.persist_layout:
            self.settings.setValue("window/geometry", self.saveGeometry())
            self.settings.setValue("window/state", self.saveState())
        event.accept()

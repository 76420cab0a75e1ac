"""The main window: reference and target views side by side, filmstrip, palette dock,
undo history, status bar with progress and Cancel.  Heavy work (segmentation, matching,
export) runs in :mod:`.workers` threads; the window only applies finished results.
Its actions and menus are built in :mod:`.actions`; what each tool does is in
:mod:`.tools`, batch runs go through :mod:`.runs`, project files and export are
:mod:`.files`, the review of doubtful regions is :mod:`.review`."""

from __future__ import annotations

import os
import sys

import numpy as np
import qtawesome as qta
from PySide6.QtCore import QByteArray, QPointF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QTransform, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
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

from ..core.check import review_progress
from ..core.clip import find_frames
from ..core.errors import LinepaintError
from ..core.project import Change, Project
from ..core.propagate import carry_fix_forward, propagate
from ..core.run import Run
from .actions import build_actions
from .canvas import FrameView, boxes_for
from .check import Checks
from .commands import ChangeCommand
from .files import ProjectFiles
from .filmstrip import Filmstrip, frame_thumbnail, thumbnail, urls_to_paths
from .frames import FrameTools
from .gapcheck import GapTools
from .palette_dock import PaletteWidget
from .review import Review
from .runs import RunFeeder
from .sheet import Sheets
from .styles import Styles
from .tools import AreaDrag, GapDrag, RegionClick, Tool, area_fill, bucket
from .workers import JobRunner


def default_matcher(engine: str, device: str):
    """Called in the worker thread only: the learned engine may import torch."""
    from ..core.match.base import get_matcher

    return get_matcher(engine, device)


def _one_line(text: str, details: list[str] | None = None) -> str:
    """A message and its details as one line (for stderr)."""
    flat = " ".join(text.split())
    rest = "; ".join(" ".join(d.split()) for d in details or [] if d.strip())
    return f"{flat.rstrip('.:')}: {rest}" if rest else flat


class MainWindow(ProjectFiles, Review, GapTools, Styles, Checks, FrameTools, Sheets, QMainWindow):
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
        #: No one at the screen (``--screenshot``, ``--smoke``): questions take their
        #: default answer and messages go to stderr, so nothing waits on a dialog.
        self.unattended = False
        self._overlay = False
        self._unpainted_check = False
        self._unpainted_cursor = -1
        self._gap_check = False
        self._leak_shown = False
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
        build_actions(self)
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
        self.target_view.enter_pressed.connect(self.accept_doubt)
        self.target_view.stroke_finished.connect(self._stroke)
        self.filmstrip.files_dropped.connect(self.add_paths)
        self.filmstrip.frame_chosen.connect(self.show_frame)
        self.filmstrip.keyframe_toggled.connect(self.toggle_keyframe)
        self.filmstrip.import_keyframe.connect(self._import_keyframe_dialog)
        self._connect_frame_tools()

        self.palette = PaletteWidget()
        self.palette.colour_picked.connect(lambda c: self._status(f"Colour {self._hex(c)}"))
        self.palette.palette_edited.connect(self._palette_edited)
        self.palette.extract_requested.connect(self.extract_palette)
        self.palette.import_requested.connect(self._import_palette_dialog)
        self.palette.export_requested.connect(self._export_palette_dialog)
        self.palette.style_chosen.connect(self.switch_style)
        self.palette.style_import_requested.connect(self._import_style_dialog)
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
        self._build_sheet_dock()

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
        if self.unattended:
            print(f"linepaint: {_one_line(text, details)}", file=sys.stderr, flush=True)
            return
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            return
        box = QMessageBox(QMessageBox.Warning, "linepaint", text, QMessageBox.Ok, self)
        if details:
            box.setInformativeText("\n".join(details[:20]))
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    def ask(self, text: str, buttons=QMessageBox.Yes | QMessageBox.No, default=QMessageBox.Yes):
        if self.unattended:
            answer = {QMessageBox.Yes: "yes", QMessageBox.No: "no", QMessageBox.Save: "save"}
            answer |= {QMessageBox.Discard: "discard", QMessageBox.Cancel: "cancel"}
            print(
                f"linepaint: {_one_line(text)} -> {answer.get(default, 'default')} (unattended)",
                file=sys.stderr,
                flush=True,
            )
            return default
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
        self._count_unpainted()
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
        self._shown_path = self.project.frames[i]
        self._doubt_cursor = self._unpainted_cursor = -1
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
        shown = (i, j, *self._onion_frames())
        need = [k for k in shown if k >= 0 and (self.project.cached(k) is None or self._unresolved(k))]
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
        self._show_gap_size()
        self._apply_onion()
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
        if change.order is not None:
            self._order_changed()
        if change.palette is not None:
            self.palette.set_swatches(self.project.palette)
        if change.style is not None:
            self._show_styles()
        if self.current < 0:
            return
        touched = {self.project.index_of(p) for p in change.frames}
        for k in touched:
            if k >= 0 and k != self.current:
                self._update_thumb(k)
        shown = {self.current, self.ref_view.frame_index}
        # A new project gap size re-segments every frame without its own, colours or not.
        if (
            touched & shown
            or change.gap is not None
            or self.ref_index_for(self.current) != self.ref_view.frame_index
        ):
            self._refresh_views()
        self._recount_unpainted(touched)
        self._update_marks()
        self._update_status()

    def _update_marks(self) -> None:
        # (reviewed, to review): the doubtful regions are the difference, read once.
        progress = {i: review_progress(self.project, i) for i in range(len(self.project))}
        self.filmstrip.set_marks(
            set(self.project.keyframes()),
            {i: p[1] - p[0] for i, p in progress.items() if p[1] > p[0]},
            {i: p for i, p in progress.items() if p[1]},
        )

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
        self.target_view.stroke_mode = tool in (Tool.GAP, Tool.RECT_FILL, Tool.LASSO_FILL)
        self.target_view.draft_shape = {Tool.RECT_FILL: "rect", Tool.LASSO_FILL: "lasso"}.get(tool, "line")
        cursor = Qt.PointingHandCursor if tool is Tool.PICKER else Qt.CrossCursor
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
        if region == 0 or self.tool.edit is None:
            return
        self._leak_shown = False
        if self.tool is Tool.BUCKET and self._stopped_by_leak(view, region, pos):
            return
        if self.tool is Tool.BUCKET and mods & Qt.ShiftModifier:
            self.fill(region, self.palette.colour, carry=True)
        else:
            click = RegionClick(self.current, view.seg, region, self.palette.colour, self.palette.swatch_id)
            self.push(self.tool.edit(self.project, click))

    def pick_colour(self, view: FrameView, pos: QPointF) -> None:
        c = view.colour_at(pos)
        if c is not None:
            self.palette.set_current(c)
            self._status(f"Picked {self._hex(c)}")

    def fill(self, region: int, rgba, carry: bool = False) -> None:
        """Bucket in the current frame; ``carry`` re-solves later frames with the fix locked."""
        i = self.current
        token = object() if carry else None
        cmd = self.push(
            bucket(self.project, RegionClick(i, self.target_view.seg, region, rgba, self.palette.swatch_id)),
            merge_token=token,
        )
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

    def _frame_path(self, k: int):
        return self.project.frames[k] if 0 <= k < len(self.project) else None

    def _stroke(self, points: list) -> None:
        """Gap line: add the stroke to this frame's ink and re-segment it in the worker."""
        i = self.current
        if i < 0 or self.target_view.seg is None or self.target_view.frame_index != i:
            self._status("This frame is still being read.")
            return
        pts = tuple((p.x(), p.y()) for p in points)
        if self.tool in (Tool.RECT_FILL, Tool.LASSO_FILL):
            only = self.unpainted_here() if self.act_paint_unpainted.isChecked() else None
            seg, colour, swatch = self.target_view.seg, self.palette.colour, self.palette.swatch_id
            lasso = self.tool is Tool.LASSO_FILL
            change = area_fill(self.project, AreaDrag(i, seg, pts, colour, swatch, lasso, only))
            if change.empty:
                self._status("No region lies wholly inside; nothing painted.")
            self.push(change)
            return
        drag = GapDrag(i, pts, self._gap_line_width())
        self.add_gap_line(i, drag.stroke())

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
            leaks = ""
            if run.cuts:
                leaks = (
                    f"; {run.cuts} leak(s) closed with a gap line, their regions marked doubtful "
                    "(N finds them, G shows the regions)"
                )
            self._status(f"Coloured {run.count} frame(s) with {self._last_engine}{leaks}.")
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
        verb = {
            "propagate": "Propagating",
            "export": "Exporting",
            "carry": "Carrying fix",
            "gap size": "Re-segmenting",
        }.get(kind, kind)
        self.progress.setFormat(f"{verb} %v/%m")

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

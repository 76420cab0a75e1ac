"""Finding and stopping leaks in the window: the gap check (every region in its own
random colour, as OpenToonz and PaintMan show it), a bucket that will not flood the
background through a gap, and the gap line's width.  Mixed into
:class:`~linepaint.gui.main_window.MainWindow`."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPointF

from ..core.leak import bucket_leak
from ..core.segment import DEFAULT_GAP_1080P
from ..core.strokes import Stroke
from .canvas import FrameView

#: Whose gap size the gap size box sets: the current frame's own, or that of every frame
#: without its own (the project's).
THIS, ALL = GAP_SCOPES = ("this frame", "all frames")

#: Tints of a leak shown after a refused bucket click: where the click was meant to go,
#: and the rest of the region it would have flooded.
MEANT = (255, 230, 0, 150)
FLOODED = (255, 40, 40, 150)


class GapTools:
    def _set_gap_check(self, on: bool) -> None:
        self._gap_check = bool(on)
        for view in (self.target_view, self.ref_view):
            view.set_gap_check(self._gap_check)
        if on:
            self._status("Gap check: each region in its own colour; one colour over two areas is a leak.")

    def _stopped_by_leak(self, view: FrameView, region: int, pos: QPointF) -> bool:
        """Before a bucket fill: when the region leaks into the frame's background
        through a gap, show the leak instead of painting, and say so."""
        inside = bucket_leak(view.seg, region, int(pos.x()), int(pos.y()))
        if inside is None:
            return False
        view.show_mask(view.seg.labels == region, FLOODED, inside, MEANT)
        self._leak_shown = True
        self._status(
            "Not painted: this region leaks into the background through a gap (red). "
            "Draw a gap line (L) across it, or raise the gap size.",
            12000,
        )
        return True

    def _gap_line_width(self) -> float:
        return float(self.gap_width_box.value())

    def _show_gap_size(self) -> None:
        """The gap size box shows the size the current frame uses, and the box beside it
        whose that is: the frame's own, or that of all frames (the project's)."""
        i = self.current
        if i < 0:
            return
        own = self.project.state(i).gap
        value = own if own is not None else self.project.gap
        self.gap_size_box.blockSignals(True)
        self.gap_size_box.setValue(float(DEFAULT_GAP_1080P) if value is None else value)
        self.gap_size_box.blockSignals(False)
        self.gap_scope_box.blockSignals(True)
        self.gap_scope_box.setCurrentIndex(GAP_SCOPES.index(THIS if own is not None else ALL))
        self.gap_scope_box.blockSignals(False)

    def _gap_size_changed(self, value: float) -> None:
        """The gap size box: sets the current frame's own size, or that of all frames,
        as the box beside it says."""
        if self.gap_scope_box.currentText() == ALL:
            self.set_project_gap(float(value))
        else:
            self.set_frame_gap(float(value))

    def _gap_scope_changed(self, index: int) -> None:
        """'this frame': the frame gets its own size (the one it uses now); 'all frames':
        a frame with its own size takes the project's again."""
        i = self.current
        if i < 0:
            return
        own = self.project.state(i).gap
        if GAP_SCOPES[index] == ALL and own is not None:
            self.set_frame_gap(None)
        elif GAP_SCOPES[index] == THIS and own is None:
            self.set_frame_gap(float(self.gap_size_box.value()))

    def set_frame_gap(self, gap: float | None) -> None:
        """The current frame's own gap size (px at 1080p; None: the project's again): it
        is re-segmented in the background, then the setting lands (undoable), shown in
        the gap check."""
        i = self.current
        if i < 0:
            return
        proj = self.project
        px = proj.frame_gap(i, replace(proj.state(i), gap=gap))

        def land(k):
            self.act_gap_check.setChecked(True)  # no signal when it already is
            self.push(self.project.set_gap(k, gap))
            stem = self.project.stem(k)
            if gap is None:
                self._status(f"{stem} uses the gap size of all frames again: Ctrl+Z takes it back.")
            else:
                self._status(f"Gap size {gap:g} px (at 1080p) for {stem} only: Ctrl+Z takes it back.")

        self.resegment_then(i, lambda p, k: (p.seg(k), p.seg(k, gap=px)), land)

    def add_gap_line(self, i: int, stroke: Stroke) -> None:
        """Draw gap line ``stroke`` on frame ``i``: re-segmented with it in the background,
        then added (undoable).  A cancel does not drop it: the colourist drew it."""
        strokes = self.project.state(i).strokes
        self.resegment_then(
            i,
            lambda p, k: (p.seg(k, strokes), p.seg(k, strokes + (stroke,))),
            # Another line drawn meanwhile: this one is added on top of it all the same.
            lambda k: self.push(self.project.add_stroke(k, stroke)),
            even_cancelled=True,
        )

    def resegment_then(self, i: int, segment, land, even_cancelled: bool = False) -> None:
        """Segment frame ``i`` in the background (``segment(project, index)``: the label
        maps the change needs, now cached), then ``land(index)`` on the GUI thread, with
        the frame's index then: frames may have moved meanwhile, and a frame removed
        meanwhile is left alone.  Queued behind other display jobs; errors are reported."""
        proj = self.project
        path = proj.frames[i]

        def job():
            k = proj.index_of(path)
            if k >= 0:
                segment(proj, k)
            yield path

        def done(cancelled, error):
            if error:
                self.report(error)
                return
            k = self.project.index_of(path)
            if k >= 0 and (even_cancelled or not cancelled):
                land(k)

        self.display_runner.start("gap", job, None, done, queue=True, latest_only=False)

    def set_project_gap(self, gap: float | None) -> None:
        """The gap size of all frames without their own (px at 1080p; None: the
        default): the coloured ones are re-segmented in the background, with progress
        and Cancel, their colours carried; then it lands as one undo step, shown in the
        gap check.  Behind a running job it waits its turn (a newer size replaces one
        still waiting: the box's arrows clicked in a row)."""
        proj = self.project
        if gap == proj.gap and not self.runner.busy:
            return
        total = sum(
            1 for p in proj.frames if proj.states[p].gap is None and proj.states[p].colours is not None
        )
        ready: dict = {}

        def job():
            yield from proj.project_gap_states(gap)

        def item(x):
            ready[x[0]] = x[1:]

        def done(cancelled, error):
            if error:
                self.report(error)
            elif cancelled or self.project is not proj:
                self._status("Cancelled: the gap size of all frames is as it was.")
            elif gap != proj.gap:
                change = proj.set_project_gap(gap, ready)
                self.act_gap_check.setChecked(True)
                self.push(change)
                own = sum(1 for p in proj.frames if proj.states[p].gap is not None)
                size = "the default" if gap is None else f"{gap:g} px (at 1080p)"
                keep = f"; {own} frame(s) keep their own" if own else ""
                self._status(
                    f"Gap size {size} for all frames: {len(change.frames)} coloured frame(s) "
                    f"re-segmented, colours kept{keep}. Ctrl+Z takes it back.",
                    12000,
                )
            self._show_gap_size()

        later = " when the current job ends" if self.runner.busy else ""
        self.runner.start("gap size", job, item, done, total=total, queue=True)
        self._status(f"Re-segmenting the frames with the new gap size{later}…")

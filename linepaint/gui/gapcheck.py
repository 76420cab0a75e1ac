"""Finding and stopping leaks in the window: the gap check (every region in its own
random colour, as OpenToonz and PaintMan show it), a bucket that will not flood the
background through a gap, and the gap line's width.  Mixed into
:class:`~linepaint.gui.main_window.MainWindow`."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPointF

from ..core.leak import bucket_leak
from ..core.segment import DEFAULT_GAP_1080P
from .canvas import FrameView

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
        """The gap size box shows the current frame's setting (its own, or the project's)."""
        i = self.current
        if i < 0:
            return
        st = self.project.state(i)
        if st.gap is not None:
            value = st.gap
        elif self.project.gap is None:
            value = float(DEFAULT_GAP_1080P)
        else:
            shape = self.target_view.seg.shape if self.target_view.seg is not None else (1080, 1080)
            value = self.project.gap * 1080 / min(shape)
        self.gap_size_box.blockSignals(True)
        self.gap_size_box.setValue(value)
        self.gap_size_box.blockSignals(False)

    def _gap_size_changed(self, value: float) -> None:
        """The gap size box: the current frame is re-segmented with it in the background,
        then the setting becomes the frame's own (undoable), shown in the gap check."""
        i = self.current
        if i < 0:
            return
        proj = self.project
        path, gap = proj.frames[i], float(value)
        px = proj.frame_gap(i, replace(proj.state(i), gap=gap))

        def job():
            k = proj.index_of(path)
            if k >= 0:
                proj.seg(k)
                proj.seg(k, gap=px)
            yield path

        def done(cancelled, error):
            if error:
                self.report(error)
                return
            k = self.project.index_of(path)
            if cancelled or k < 0:
                return
            if not self.act_gap_check.isChecked():
                self.act_gap_check.setChecked(True)
            self.push(self.project.set_gap(k, gap))
            self._status(f"Gap size {gap:g} px (at 1080p) for {self.project.stem(k)}: Ctrl+Z takes it back.")

        self.display_runner.start("gap", job, None, done, queue=True, latest_only=False)

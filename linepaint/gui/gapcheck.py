"""Finding and stopping leaks in the window: the gap check (every region in its own
random colour, as OpenToonz and PaintMan show it), a bucket that will not flood the
background through a gap, and the gap line's width.  Mixed into
:class:`~linepaint.gui.main_window.MainWindow`."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from ..core.leak import bucket_leak
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

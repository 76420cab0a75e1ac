"""Reviewing what propagation doubts: the confidence overlay, jumping from one doubtful
region to the next, and hovering a target region to light up the reference region it
was matched to.  Mixed into :class:`~linepaint.gui.main_window.MainWindow`."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF

from ..core.check import dust_regions
from ..core.project import DOUBT_THRESHOLD, Change


def step_cursor(cursor: int, count: int, back: bool) -> int | None:
    """The next (``back``: previous) of ``count`` regions after ``cursor`` (-1: none yet;
    going back from none starts at the last), or None when this frame has no more."""
    k = count - 1 if back and cursor < 0 else cursor + (-1 if back else 1)
    return k if 0 <= k < count else None


def frames_after(current: int, n: int, back: bool) -> range:
    """The frames to look at next, nearest first, after (``back``: before) ``current``."""
    return range(current - 1, -1, -1) if back else range(current + 1, n)


class Review:
    # -- onion skin ------------------------------------------------------------------------

    def _onion_frames(self) -> tuple[int, ...]:
        on = getattr(self, "act_onion", None) is not None and self.act_onion.isChecked()
        return (self.current - 1,) if on and self.current > 0 else ()

    def _set_onion(self, on: bool) -> None:
        if on and self._onion_frames() and self.project.cached(self.current - 1) is None:
            self._refresh_views()  # reads the previous frame first
        else:
            self._apply_onion()

    def _apply_onion(self) -> None:
        """The previous frame's colours over the target, at the slider's opacity."""
        view = self.target_view
        prev = self._onion_frames()
        c = self.project.cached(prev[0]) if prev else None
        if c is None or view.seg is None:
            view.set_onion(None)
            return
        seg = c[1]
        view.set_onion(self.project.colours(prev[0], seg)[seg.filled], self.onion_slider.value() / 100)

    # -- accepting a doubtful region ------------------------------------------------------

    def accept_doubt(self) -> None:
        """Enter: the doubtful region N went to is right as it is.  It is locked in its
        colour (propagation keeps it), leaves the queue, counts as reviewed; on to the
        next one."""
        regions = self._doubt_list()
        if not 0 <= self._doubt_cursor < len(regions) or self.target_view.seg is None:
            self._status("Press N to go to a doubtful region first, then Enter to accept it.")
            return
        region = int(regions[self._doubt_cursor])
        seg = self.target_view.seg
        colours = self.project.colours(self.current, seg)
        swatch = int(self.project.swatch_ids(self.current, colours)[region])
        change = self.project.fill(self.current, region, tuple(int(v) for v in colours[region]), seg, swatch)
        self.push(Change(f"Accept region {region} of {self.project.stem(self.current)}", change.frames))
        self._doubt_cursor -= 1  # the list lost this region: the next one moved up
        self.next_doubt(False)

    def _set_overlay(self, on: bool) -> None:
        self._overlay = bool(on)
        self._apply_overlay()

    def _apply_overlay(self) -> None:
        view = self.target_view
        unpainted = self._unpainted_table()
        if (not self._overlay and unpainted is None) or view.seg is None or self.current < 0:
            view.set_overlay(None)
            return
        st = self.project.state(self.current)
        table = np.zeros((view.seg.n + 1, 4), np.uint8)
        if unpainted is not None:  # the unpainted check draws over the doubt tint
            table[:] = unpainted
        if not self._overlay:
            view.set_overlay(table)
            return
        if st.confidence is not None and len(st.confidence) == len(table) and not st.keyframe:
            doubt = self.project.doubtful(self.current)
            conf = st.confidence[doubt]
            tint = np.zeros((len(doubt), 4), np.uint8)
            tint[:] = (255, 0, 170, 0)
            tint[:, 3] = np.clip(90 + 140 * (1 - conf / DOUBT_THRESHOLD), 0, 230).astype(np.uint8)
            free = table[doubt, 3] == 0
            table[doubt[free]] = tint[free]
        view.set_overlay(table)

    def _doubt_list(self) -> np.ndarray:
        seg = self.target_view.seg
        return self.project.doubtful(self.current, centroid=None if seg is None else seg.centroid)

    def next_doubt(self, back: bool = False) -> None:
        if self.current < 0:
            return
        regions = self._doubt_list()
        k = step_cursor(self._doubt_cursor, len(regions), back)
        if k is not None:
            self._doubt_cursor = k
            self._focus_region(int(regions[k]))
            return
        for j in frames_after(self.current, len(self.project), back):
            if len(self.project.doubtful(j)):
                self._pending_doubt = "last" if back else "first"
                self.show_frame(j)
                return
        self._status("No more doubtful regions." if not back else "No earlier doubtful regions.")

    def _focus_region(self, region: int) -> None:
        seg = self.target_view.seg
        speck = (
            seg is not None and region <= seg.n and bool(dust_regions(seg, self.project.dust.size)[region])
        )
        self.target_view.show_region(region)
        # A speck is ringed, not tinted: its own colour is what is in doubt.
        self.target_view.highlight(region, (255, 0, 170, 230) if speck else (255, 0, 170, 110), ring=speck)
        st = self.project.state(self.current)
        if st.source is not None and region < len(st.source):
            self.ref_view.highlight(int(st.source[region]))
        left = len(self._doubt_list())
        what = f"speck of {int(seg.area[region])} px" if speck else "region"
        self._status(
            f"Doubtful {what} {self._doubt_cursor + 1} of {left} in this frame "
            f"(confidence {float(st.confidence[region]):.2f})."
        )

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
        if not self._leak_shown:  # the leak's explanation stays until the next click
            self._status(text, 3000)

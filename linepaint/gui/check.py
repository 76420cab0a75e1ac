"""The unpainted check in the window (Harmony's and OpenToonz's check views): regions
left unpainted tinted on the frame on screen and counted under every thumbnail, a key
that jumps to the next one, and the dust setting used at export.
Mixed into :class:`~linepaint.gui.main_window.MainWindow`."""

from __future__ import annotations

import numpy as np

from ..core.check import Dust, unpainted
from .review import frames_after, step_cursor

#: Tint of an unpainted region in the check view.
UNPAINTED = (255, 90, 0, 210)


def frame_unpainted(project, i: int, seg) -> np.ndarray:
    """int[k]: regions of frame ``i`` (segmented as ``seg``) left unpainted."""
    st = project.state(i)
    colours = project.colours(i, seg) if st.colours is not None else None
    return unpainted(seg, colours, project.swatch_ids(i, colours), project.palette, project.dust.size)


class Checks:
    def _set_unpainted_check(self, on: bool) -> None:
        self._unpainted_check = bool(on)
        self._apply_overlay()
        if on:
            self._count_unpainted()
            here = len(self._unpainted_list())
            self._status(f"Unpainted check: {here} region(s) left here; M jumps to the next.")
        else:
            self.filmstrip.set_unpainted({})

    def unpainted_here(self) -> np.ndarray:
        """int[k]: unpainted regions of the frame on screen (empty while it is read)."""
        view = self.target_view
        if view.seg is None or view.frame_index != self.current or self.current < 0:
            return np.zeros(0, np.int64)
        return frame_unpainted(self.project, self.current, view.seg)

    def _unpainted_list(self) -> np.ndarray:
        regions = self.unpainted_here()
        if len(regions) == 0:
            return regions
        c = self.target_view.seg.centroid[regions]
        return regions[np.lexsort((c[:, 0], c[:, 1]))]

    def _unpainted_table(self) -> np.ndarray | None:
        """Overlay rows for the unpainted regions of the frame on screen (None: check off)."""
        if not getattr(self, "_unpainted_check", False) or self.target_view.seg is None:
            return None
        table = np.zeros((self.target_view.seg.n + 1, 4), np.uint8)
        table[self.unpainted_here()] = UNPAINTED
        return table

    def _count_unpainted(self) -> None:
        """Count the unpainted regions of every frame in the background (for the strip)."""
        if not getattr(self, "_unpainted_check", False):
            return
        proj = self.project
        wanted = [(p, proj.states[p].strokes) for p in proj.frames]

        def job():
            for path, strokes in wanted:
                k = proj.index_of(path)
                if k < 0 or proj.states[path].strokes != strokes:
                    continue
                yield path, len(frame_unpainted(proj, k, proj.seg(k, strokes)))

        counts: dict[int, int] = {}

        def item(x):
            k = self.project.index_of(x[0])
            if k >= 0:
                counts[k] = x[1]
                self.filmstrip.set_unpainted(dict(counts))

        self.thumb_runner.start("unpainted", job, item, queue=True)

    def _recount_unpainted(self, frames) -> None:
        """After an edit: recount the frames it touched that are segmented already."""
        if not getattr(self, "_unpainted_check", False):
            return
        counts = dict(self.filmstrip.unpainted)
        for k in frames:
            c = self.project.cached(k) if 0 <= k < len(self.project) else None
            if c is not None:
                counts[k] = len(frame_unpainted(self.project, k, c[1]))
        self.filmstrip.set_unpainted(counts)

    def next_unpainted(self, back: bool = False) -> None:
        """M / Shift+M: the next (previous) unpainted region, in this frame then the next."""
        if self.current < 0:
            return
        regions = self._unpainted_list()
        k = step_cursor(self._unpainted_cursor, len(regions), back)
        if k is not None:
            self._unpainted_cursor = k
            region = int(regions[k])
            self.target_view.show_region(region)
            self.target_view.highlight(region, UNPAINTED)
            self._status(f"Unpainted region {k + 1} of {len(regions)} in this frame.")
            return
        counts = self.filmstrip.unpainted
        for j in frames_after(self.current, len(self.project), back):
            if counts.get(j, 1):  # not counted yet: look there
                self._unpainted_cursor = -1
                self.show_frame(j)
                return
        self._status("No more unpainted regions." if not back else "No earlier unpainted regions.")

    def set_dust(self, size: int | None = None, to: str | None = None) -> None:
        """Specks below ``size`` px are dust: never unpainted, last in the doubt queue, and
        at export those still unpainted take their largest painted neighbour's colour or
        the line's (``to``)."""
        d = self.project.dust
        self.project.dust = Dust(d.size if size is None else int(size), d.to if to is None else to)
        self._apply_overlay()
        # Dust is never unpainted: the counts under the frames and in the status bar change.
        self._update_marks()
        self._update_status()
        if getattr(self, "_unpainted_check", False):
            self._count_unpainted()

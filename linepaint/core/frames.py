"""Editing the shot's frames (mixed into :class:`~linepaint.core.project.Project`): move a
frame to another place, insert and remove frames, replace a frame's line art by a
retake that keeps the colours of the regions that still match.  Each edit returns the
project's invertible change record, with the frame order before and after."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from .errors import ProjectError

#: A retake's region keeps its old colour when it and the old region it lies on share
#: at least this share of both their areas (a redrawn part has moved or changed shape).
RETAKE_MATCH = 0.6


def region_correspondence(old, new, share: float = RETAKE_MATCH) -> np.ndarray:
    """int64[new.n + 1]: for each region of segmentation ``new``, the region of ``old``
    (same frame size) that it matches (0: none): the old region most of its pixels lie
    on, when the overlap is at least ``share`` of both regions' areas."""
    mask = (new.labels > 0) & (old.labels > 0)
    pair = new.labels[mask].astype(np.int64) * (old.n + 1) + old.labels[mask]
    uniq, cnt = np.unique(pair, return_counts=True)
    reg, src = uniq // (old.n + 1), uniq % (old.n + 1)
    order = np.lexsort((cnt, reg))
    reg, src, cnt = reg[order], src[order], cnt[order]
    last = np.append(reg[1:] != reg[:-1], True)
    reg, src, cnt = reg[last], src[last], cnt[last]
    good = (cnt >= share * new.area[reg]) & (cnt >= share * old.area[src])
    out = np.zeros(new.n + 1, np.int64)
    out[reg[good]] = src[good]
    return out


class FrameEdits:
    def _order_change(self, text: str, order: list[str], frames: dict | None = None):
        change = self._change(text, dict(frames or {}), order=(list(self.frames), list(order)))
        self.apply(change)
        return change

    def move_frame(self, i: int, j: int):
        """Move frame ``i`` to place ``j`` (its colours go with it)."""
        if not (0 <= i < len(self.frames) and 0 <= j < len(self.frames)) or i == j:
            return self._change("Move frame")
        order = list(self.frames)
        path = order.pop(i)
        order.insert(j, path)
        return self._order_change(f"Move {Path(path).stem} to {j + 1}", order)

    def insert_frames(self, at: int, paths) -> tuple:
        """Insert line frames before place ``at`` (in the order given): (change, one
        message per file that could not be added)."""
        from .project import FrameState

        problems, new = [], []
        for p in paths:
            p = str(Path(p).resolve())
            if p in self.states or p in new:
                problems.append(f"{Path(p).name}: already in the shot.")
                continue
            problem = self._frame_size(p)[1]
            if problem:
                problems.append(problem)
                continue
            new.append(p)
        if not new:
            return self._change("Insert frames"), problems
        at = max(0, min(at, len(self.frames)))
        order = self.frames[:at] + new + self.frames[at:]
        frames = {p: (None, FrameState()) for p in new}
        return self._order_change(f"Insert {len(new)} frame(s)", order, frames), problems

    def remove_frames(self, indices):
        """Remove frames (their colours come back with undo)."""
        paths = [self.frames[i] for i in sorted(set(indices)) if 0 <= i < len(self.frames)]
        if not paths:
            return self._change("Remove frames")
        order = [p for p in self.frames if p not in paths]
        frames = {p: (self.states[p], None) for p in paths}
        return self._order_change(f"Remove {len(paths)} frame(s)", order, frames)

    def retake(self, i: int, line_path: str | os.PathLike, seg=None):
        """Replace frame ``i``'s line art by ``line_path`` (a retake, same size).  Regions
        of the new drawing that match a region of the old one keep its colour, swatch and
        lock; the others are left unpainted.  Gap lines are dropped (they closed the old
        drawing's gaps)."""
        from .project import FrameState

        new_path = str(Path(line_path).resolve())
        old_path = self.frames[i]
        if new_path in self.states:
            raise ProjectError(f"{Path(new_path).name}: already a frame of the shot.")
        problem = self._frame_size(new_path)[1]
        if problem:
            raise ProjectError(problem)
        st = self.states[old_path]
        old_seg = seg or self.seg(i)
        if st.keyframe and st.colours is None:
            self.resolve_keyframe(i, old_seg)
            st = self.states[old_path]
        order = list(self.frames)
        order[i] = new_path
        fresh = FrameState(keyframe=st.keyframe, gap=st.gap)  # its own gap size, if any
        if st.colours is not None:
            # Segment the retake as a frame of the shot would be (its own cache entry).
            self.frames[i], self.states[new_path] = new_path, fresh
            try:
                new_seg = self.seg(i)
            finally:
                self.frames[i] = old_path
                del self.states[new_path]
            owner = region_correspondence(old_seg, new_seg)
            colours = np.asarray(st.colours)[owner].astype(np.uint8)
            colours[owner == 0] = 0
            ids = self.swatch_ids(i)
            swatches = ids[owner].astype(np.int32) if len(ids) == len(st.colours) else None
            if swatches is not None:
                swatches[owner == 0] = 0
            conf = np.where(owner > 0, 1.0, 0.0).astype(np.float32)
            if st.confidence is not None and len(st.confidence) == len(st.colours):
                conf = np.where(owner > 0, np.asarray(st.confidence)[owner], 0.0).astype(np.float32)
            locks = {r: st.locks[int(o)] for r, o in enumerate(owner) if r and int(o) in st.locks}
            fresh = replace(
                fresh,
                colours=colours,
                confidence=conf,
                swatches=swatches,
                locks=locks,
                engine=st.engine,
                area=new_seg.area.astype(np.int32),
            )
        frames = {old_path: (st, None), new_path: (None, fresh)}
        return self._order_change(f"Retake {Path(old_path).stem}", order, frames)

"""A batch operation on a project (propagation, carrying a fix forward) as one record:
begin a :class:`Run` over a snapshot, :meth:`Run.apply` each finished
:class:`~linepaint.core.propagate.FrameResult` as it arrives, :meth:`Run.close` it into one
invertible :class:`~linepaint.core.project.Change`.  Qt-free: the GUI feeds it from a worker
and pushes the closed change as one undo step; tests drive it directly.
"""

from __future__ import annotations

from .project import Change, Project, ProjectSequence
from .propagate import FrameResult


class Run:
    """Results of one batch job applied to ``project`` as they arrive.

    seq: the snapshot the job iterates (result indices are its frame indices);
    text: the history step's name, ``{n}`` replaced by the number of frames;
    own_locks: keep the locks each result was solved with (a carried fix adds locks);
        otherwise a frame keeps the locks it has when its result arrives, so a region
        painted during the run stays painted.
    """

    def __init__(self, project: Project, seq: ProjectSequence, text: str, own_locks: bool = False):
        self.project = project
        self.seq = seq
        self.text = text
        self.own_locks = own_locks
        self.count = 0  # frames applied, over every close
        self.cuts = 0  # gap lines propagation drew across leaks, over every close
        self.engine = ""
        self._frames: dict = {}  # path -> (state before the run, latest state)

    def apply(self, result: FrameResult) -> int:
        """Put one frame's result in the project.  Returns the frame's index in the
        project, or -1 when the frame changed meanwhile so that the result no longer fits
        (made a keyframe, re-segmented, removed)."""
        seq = self.seq
        path = seq.frames[result.index]
        st = self.project.result_state(
            path,
            result.colours,
            result.confidence,
            result.source,
            seq.frames[result.reference],
            result.engine,
            seq.strokes(result.index),
            result.locks if self.own_locks else None,
            result.cuts,
            result.seg.area,
        )
        if st is None:
            return -1
        before = self._frames[path][0] if path in self._frames else self.project.states[path]
        self.project.apply(Change(self.text, {path: (self.project.states[path], st)}))
        self._frames[path] = (before, st)
        self.count += 1
        self.cuts += len(result.cuts)
        self.engine = result.engine
        return self.project.index_of(path)

    def close(self, note: str = "") -> Change:
        """What was applied since the run began or was last closed, as one change (empty
        when nothing).  The run may go on: an edit made meanwhile closes it first, so
        the edit sits after the frames coloured before it in the history."""
        frames, self._frames = self._frames, {}
        if not frames:
            return Change(self.text)
        return Change(self.text.replace("{n}", str(len(frames))) + note, frames)

"""Batch jobs in the app: a worker's :class:`~linepaint.core.propagate.FrameResult`\\ s go
into a core :class:`~linepaint.core.run.Run` as they arrive, and what the run applied
becomes one undo command when it ends (or earlier, when the user edits meanwhile)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtGui import QUndoStack

from ..core.project import Change
from ..core.run import Run
from .commands import ChangeCommand
from .workers import JobRunner


class RunFeeder:
    """Runs one batch job at a time on ``runner``; undo steps go on ``undo``, and
    ``on_change`` redraws after their undo and redo."""

    def __init__(self, runner: JobRunner, undo: QUndoStack, on_change: Callable[[Change], None]):
        self.runner = runner
        self.undo = undo
        self.on_change = on_change
        self._run: Run | None = None
        self._follows: object | None = None

    def start(
        self,
        kind: str,
        make_job: Callable[[], Iterator],
        run: Run,
        total: int,
        on_frame: Callable[[int, object], None] | None = None,
        on_done: Callable[[Run, bool, str], None] | None = None,
        follows: object | None = None,
    ) -> bool:
        """Start ``make_job`` (yielding FrameResults) feeding ``run``; False when busy.
        ``on_frame(index, result)`` after each applied frame; ``on_done(run, cancelled,
        error)`` after the last undo step was pushed; ``follows``: the merge token of
        the command the first step merges into (a carried fix joins its fill)."""
        if self.runner.busy:
            return False

        def item(result) -> None:
            k = run.apply(result)
            if k >= 0 and on_frame is not None:
                on_frame(k, result)

        def done(cancelled: bool, error: str) -> None:
            self.flush(" (cancelled)" if cancelled else "")
            self._run = None
            if on_done is not None:
                on_done(run, cancelled, error)

        self._run, self._follows = run, follows
        return self.runner.start(kind, make_job, item, done, total=total)

    def flush(self, note: str = "") -> int:
        """Make what the running job applied so far one undo step; returns its frames.

        Results are applied as they arrive; an edit made meanwhile must land after them
        in the history, or undoing one would restore states from before the other."""
        if self._run is None:
            return 0
        change = self._run.close(note)
        if change.empty:
            return 0
        follows, self._follows = self._follows, None
        self.undo.push(ChangeCommand(self._run.project, change, self.on_change, follows=follows))
        return len(change.frames)

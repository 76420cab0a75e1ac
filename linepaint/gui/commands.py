"""Undo commands: each wraps one :class:`~linepaint.core.project.Change` (STYLE §3) and
holds the document it changes, not the window.  Edits are applied when made, so the first
``redo`` that QUndoStack.push calls is skipped."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from ..core.project import Change, Project

#: Id shared by a Shift+click fill and the carried-forward re-solve that follows it.
CARRY_ID = 4711


class ChangeCommand(QUndoCommand):
    """``change`` of ``project``; ``on_change`` redraws what it touched after undo/redo."""

    def __init__(
        self,
        project: Project,
        change: Change,
        on_change: Callable[[Change], None] | None = None,
        merge_token: object | None = None,
        follows: object | None = None,
    ):
        super().__init__(change.text)
        self.project = project
        self.change = change
        self.on_change = on_change
        self.merge_token = merge_token  # set on the fill that a carry may merge into
        self.follows = follows  # set on the carry result: the token of its fill
        self._applied = True

    def id(self) -> int:
        return CARRY_ID if (self.merge_token is not None or self.follows is not None) else -1

    def mergeWith(self, other) -> bool:
        if (
            not isinstance(other, ChangeCommand)
            or other.follows is None
            or other.follows is not self.merge_token
        ):
            return False
        self.change = self.change.merged(other.change, self.change.text + " (carried forward)")
        self.setText(self.change.text)
        self.merge_token = None  # merge once
        return True

    def _step(self, undo: bool) -> None:
        self.project.apply(self.change, undo=undo)
        if self.on_change is not None:
            self.on_change(self.change)

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._step(False)

    def undo(self) -> None:
        self._step(True)

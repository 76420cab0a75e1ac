"""Undo commands: each wraps one :class:`~linepaint.core.project.Change` (STYLE §3).
Edits are applied when made, so the first ``redo`` that QUndoStack.push calls is skipped."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from ..core.project import Change

#: Id shared by a Shift+click fill and the carried-forward re-solve that follows it.
CARRY_ID = 4711


class ChangeCommand(QUndoCommand):
    def __init__(
        self, window, change: Change, merge_token: object | None = None, follows: object | None = None
    ):
        super().__init__(change.text)
        self.window = window
        self.change = change
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

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.window.project.apply(self.change)
        self.window.on_change(self.change)

    def undo(self) -> None:
        self.window.project.apply(self.change, undo=True)
        self.window.on_change(self.change)

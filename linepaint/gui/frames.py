"""Editing the shot's frames in the window: drag a thumbnail to move the frame, insert
and remove frames, replace a frame's line art by a retake.  Every edit is one undo step.
Mixed into :class:`~linepaint.gui.main_window.MainWindow`."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog

from ..core.clip import find_frames
from ..core.errors import LinepaintError
from .files import IMAGES


class FrameTools:
    def _connect_frame_tools(self) -> None:
        fs = self.filmstrip
        fs.frame_moved.connect(self.move_frame)
        fs.insert_requested.connect(self._insert_dialog)
        fs.remove_requested.connect(lambda i: self.remove_frames([i]))
        fs.retake_requested.connect(self._retake_dialog)

    def _order_changed(self) -> None:
        """Frames moved, came or went (an edit, its undo or redo): rebuild the strip and
        stay on the frame that was on screen, or on its place when it went."""
        k = self.project.index_of(getattr(self, "_shown_path", None))
        self.current = k if k >= 0 else min(self.current, len(self.project) - 1)
        self.filmstrip.set_frames([self.project.stem(i) for i in range(len(self.project))])
        for i in range(len(self.project)):
            self._update_thumb(i)
        self._start_thumbnails()
        self.filmstrip.set_unpainted({})
        self._count_unpainted()  # queued after the thumbnails
        self.show_frame(max(0, self.current), force=True)

    def move_frame(self, i: int, j: int) -> None:
        """Move frame ``i`` to place ``j`` (the filmstrip's drag)."""
        self.push(self.project.move_frame(i, j))

    def insert_frames(self, at: int, paths: list[str]) -> None:
        lines, _, problems = find_frames(paths)
        change, more = self.project.insert_frames(at, lines)
        problems += more
        if problems:
            self.report(f"{len(problems)} file(s) were not inserted.", problems)
        self.push(change)

    def remove_frames(self, indices: list[int]) -> None:
        if len(set(indices)) >= len(self.project):
            self._status("A shot keeps at least one frame.")
            return
        self.push(self.project.remove_frames(indices))

    def retake(self, i: int, path: str) -> bool:
        """Replace frame ``i``'s line art by ``path``; unchanged regions keep their colours."""
        try:
            change = self.project.retake(i, path)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        self.push(change)
        st = self.project.state(i)
        if st.colours is not None:
            unpainted = int((st.colours[1:, 3] == 0).sum())
            self._status(
                f"Retake: the regions that still match kept their colours; {unpainted} left unpainted."
            )
        return True

    def _insert_dialog(self, at: int) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Insert frames", "", IMAGES)
        if paths:
            self.insert_frames(at, paths)

    def _retake_dialog(self, i: int) -> None:
        if not 0 <= i < len(self.project):
            return
        path, _ = QFileDialog.getOpenFileName(self, f"Retake of {self.project.stem(i)}", "", IMAGES)
        if path:
            self.retake(i, path)

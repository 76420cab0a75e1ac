"""The main window's project files: open and save (with the dialogs and the recent
list), replacing the project safely, autosave and the offer to restore after a crash,
and export of the frames as PNGs.
Mixed into :class:`~linepaint.gui.main_window.MainWindow`, whose state it uses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from ..core.errors import LinepaintError
from ..core.export import export_frames, prepare_output
from ..core.project import Project
from ..core.project_file import MissingFramesError, autosave_path, open_project, save_project

#: The file dialogs' filter for images linepaint reads.
IMAGES = "Images (*.png *.tif *.tiff *.jpg *.jpeg *.webp)"

#: Export kinds (:data:`~linepaint.core.export.KINDS`) as the export dialog names them.
EXPORT_KINDS = {
    "flat": "Flat colours with black lines",
    "colour": "Colour layer",
    "composite": "Colour and lines composited",
    "line": "Line layer",
}


class ProjectFiles:
    # -- project files ---------------------------------------------------------------------

    def _open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open", "", f"linepaint project (*.lpproj);;{IMAGES}")
        if path:
            self.open_paths([path])

    def _import_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of frames or a clip")
        if folder:
            self.add_paths([folder])

    def _import_keyframe_dialog(self, i: int) -> None:
        if not 0 <= i < len(self.project):
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            f"Coloured keyframe for {self.project.stem(i)}",
            "",
            IMAGES,
        )
        if path:
            self.import_keyframe(i, path)

    def _set_project(self, project: Project) -> None:
        self.runner.wait()
        self.display_runner.wait()
        self.project = project
        self.undo.clear()
        self.current = -1
        self.palette.set_swatches(project.palette, fresh=True)
        self._show_styles()
        self.dust_box.setValue(project.dust.size)
        self.dust_to_box.setCurrentText(project.dust.to)
        self._frames_changed()

    def _may_replace(self, what: str) -> bool:
        """Before the project is replaced or the window closes: stop a running job (what
        it coloured becomes a history step) and offer to save unsaved work.  False: the
        user cancelled."""
        # A gap line still being segmented is an edit too: let it land first.
        for r in (self.runner, self.display_runner):
            r.wait()
        if self.undo.isClean() or not len(self.project):
            return True
        ans = self.ask(
            f"Save changes to the project before {what}?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Save,
        )
        if ans == QMessageBox.Cancel or (ans == QMessageBox.Save and not self.save_project()):
            self._refresh_views()  # the display stopped above: staying, so show the frame
            return False
        return True

    def open_project(self, path: str) -> None:
        if not self._may_replace(f"opening {Path(path).name}"):
            return
        try:
            try:
                proj = open_project(path)
            except MissingFramesError as exc:
                ans = self.ask(
                    f"{exc}\n\nOpen the project without them?  Their colours leave the project "
                    "when you save it; put the files back and reopen to keep them.",
                )
                if ans != QMessageBox.Yes:
                    return
                proj = open_project(path, skip_missing=True)
                self._status(f"Opened without {len(exc.missing)} missing frame(s).")
        except LinepaintError as exc:
            self.report(str(exc))
            return
        self._set_project(proj)
        if proj.notes:
            self.report(f"{Path(path).name} was damaged; linepaint repaired it as follows.", proj.notes)
        self._add_recent(str(path))
        self.setWindowTitle(f"{Path(path).name}[*] — linepaint")

    def save_project(self, path: str | None = None) -> bool:
        if path is None and self.project.path is None:
            return self.save_project_as()
        target = Path(path) if path else self.project.path
        if target.suffix != ".lpproj":
            target = target.with_name(target.name + ".lpproj")
        try:
            save_project(self.project, target)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        self.undo.setClean()
        self._remove_autosave()
        self._add_recent(str(target))
        self.setWindowTitle(f"{target.name}[*] — linepaint")
        self._status(f"Saved {target}")
        return True

    def save_project_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save project", "shot.lpproj", "linepaint project (*.lpproj)"
        )
        return self.save_project(path) if path else False

    def _add_recent(self, path: str) -> None:
        recent = [p for p in (self.settings.value("recent", []) or []) if p != path]
        self.settings.setValue("recent", [path] + recent[:9])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.settings.value("recent", []) or []:
            self.recent_menu.addAction(p, lambda p=p: self.open_paths([p]))

    # -- autosave and crash recovery ---------------------------------------------------------

    def autosave_target(self) -> Path:
        if self.project.path is not None:
            return autosave_path(self.project.path)
        base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or str(
            Path.home() / ".linepaint"
        )
        return Path(base) / "untitled.lpproj.autosave"

    def autosave(self) -> None:
        if self.undo.isClean() or not len(self.project):
            return
        target = self.autosave_target()
        try:
            save_project(self.project, target, as_copy=True)
        except LinepaintError as exc:
            self._status(f"Autosave failed: {exc}")
            return
        self.settings.setValue("session/autosave", str(target))
        self.settings.setValue("session/project", str(self.project.path or ""))
        self._status(f"Autosaved to {target.name}", 3000)

    def _remove_autosave(self) -> None:
        p = self.settings.value("session/autosave")
        if p:
            try:
                Path(p).unlink(missing_ok=True)
            except OSError:
                pass
        self.settings.remove("session/autosave")
        self.settings.remove("session/project")

    def offer_restore(self) -> bool:
        """After a crash the last autosave is still there: offer to restore it."""
        p = self.settings.value("session/autosave")
        if not p or not Path(p).exists():
            return False
        if (
            self.ask(f"linepaint did not close properly. Restore the autosaved work from {Path(p).name}?")
            != QMessageBox.Yes
        ):
            self._remove_autosave()
            return False
        try:
            proj = open_project(p)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        orig = self.settings.value("session/project") or ""
        proj.path = Path(orig) if orig else None
        self._set_project(proj)
        self.undo.resetClean()
        self.setWindowModified(True)
        return True

    # -- export ----------------------------------------------------------------------------

    def _export_dialog(self) -> None:
        if not len(self.project):
            return
        folder = QFileDialog.getExistingDirectory(self, "Export PNG sequence to")
        if not folder:
            return
        labels = list(EXPORT_KINDS.values())
        choice, ok = QInputDialog.getItem(self, "Export", "What to export:", labels, 2, False)
        if not ok:
            return
        style = None
        names = list(self.project.styles)
        if len(names) > 1:
            style, ok = QInputDialog.getItem(
                self, "Export", "Palette style:", names, names.index(self.project.style), False
            )
            if not ok:
                return
        self.export_frames(folder, list(EXPORT_KINDS)[labels.index(choice)], style)

    def export_frames(self, folder: str, kind: str = "composite", style: str | None = None) -> bool:
        """Write ``folder/<stem>.png`` for every frame in the background, in palette style
        ``style`` (default: the one on screen).  Refuses a folder that holds input
        frames (never overwrite the line art)."""
        if self.runner.busy:
            self._status("Busy; try again when the current job ends.")
            return False
        inputs = {Path(p).parent for p in self.project.frames}
        inputs |= {Path(s.key_image).parent for s in self.project.states.values() if s.key_image}
        try:
            out = prepare_output(folder, inputs)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        seq = self.project.sequence(style, dust=True)

        def done(cancelled, error):
            if error:
                self.report(error)
            else:
                self._status(f"Exported to {out}" + (" (cancelled)" if cancelled else ""))

        def job():
            yield from export_frames(seq, out, kind, inputs)

        return self.runner.start("export", job, None, done, total=len(seq))

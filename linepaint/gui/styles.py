"""The palette and its styles in the window: palette edits (a recoloured swatch
recolours every frame), extract/import/export, and palette styles (day, night) switched
in one step and added from a palette file or a colour model sheet.
Mixed into :class:`~linepaint.gui.main_window.MainWindow`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog

from ..core.errors import LinepaintError
from ..core.image_io import is_image_file, read_rgba
from ..core.palette import read_palette, write_palette
from ..core.swatches import style_by_name, style_from_sheets
from .files import IMAGES


class Styles:
    def _palette_edited(self, swatches: list, text: str) -> None:
        change = self.project.set_palette(swatches, text)
        self.push(change)
        if len(change.frames):
            self._status(f"{text}: {len(change.frames)} frame(s) recoloured.")

    def extract_palette(self) -> None:
        sw = self.project.extract_palette()
        if not sw:
            self._status("No coloured keyframe to take colours from yet.")
            return
        self.push(self.project.set_palette(sw, "Extract palette"))

    def _import_palette_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import palette", "", "Palettes (*.gpl *.json)")
        if path:
            try:
                self.push(self.project.set_palette(read_palette(path), "Import palette"))
            except LinepaintError as exc:
                self.report(str(exc))

    def _export_palette_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export palette", "palette.gpl", "GIMP palette (*.gpl);;JSON (*.json)"
        )
        if path:
            try:
                write_palette(path, self.project.palette)
            except LinepaintError as exc:
                self.report(str(exc))

    # -- styles ------------------------------------------------------------------------------

    def _show_styles(self) -> None:
        self.palette.set_styles(list(self.project.styles), self.project.style)

    def switch_style(self, name: str) -> None:
        """Recolour the whole project in palette style ``name`` (one undo step)."""
        if name == self.project.style or name not in self.project.styles:
            return
        change = self.project.set_style(name)
        self.push(change)
        self._status(f"Palette style {name}: {len(change.frames)} frame(s) recoloured.")

    def next_style(self) -> None:
        names = list(self.project.styles)
        if len(names) < 2:
            self._status("One palette style only: add one (Import style…) first.")
            return
        self.switch_style(names[(names.index(self.project.style) + 1) % len(names)])

    def import_style(self, path: str, name: str | None = None, base: str | None = None) -> bool:
        """Add a palette style from ``path``: a palette file (.gpl, .json; swatches matched
        by name), or a colour model sheet drawn in the layout of the ``base`` sheet of the
        palette's own colours (matched by place)."""
        name = name or Path(path).stem
        try:
            if is_image_file(path):
                if base is None:
                    raise LinepaintError(
                        f"{Path(path).name}: a model sheet needs the sheet of the current colours "
                        "in the same layout to know which colour becomes which."
                    )
                style = style_from_sheets(
                    self.project.palette, read_rgba(base), read_rgba(path), Path(path).name
                )
            else:
                style = style_by_name(self.project.palette, read_palette(path), Path(path).name)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        self.push(self.project.add_style(name, style))
        self._status(f"Added palette style {name} ({len(style)} swatches).")
        return True

    def _import_style_dialog(self) -> None:
        if not self.project.palette:
            self._status("The palette is empty: give the project a keyframe first.")
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import palette style",
            "",
            f"Palettes and model sheets (*.gpl *.json *.png *.tif *.jpg);;{IMAGES}",
        )
        if not path:
            return
        base = None
        if is_image_file(path):
            base, _ = QFileDialog.getOpenFileName(
                self, "The model sheet in the current colours, same layout", str(Path(path).parent), IMAGES
            )
            if not base:
                return
        name, ok = QInputDialog.getText(self, "Palette style", "Name of the style:", text=Path(path).stem)
        if ok and name:
            self.import_style(path, name, base)

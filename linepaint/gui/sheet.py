"""The colour model sheet dock: the studio's sheet image beside the palette, an
eyedropper on it (click a colour to paint with it), and "extract swatches" that adds its
flat patches to the palette (rename them there)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core.errors import LinepaintError
from ..core.image_io import read_rgba
from ..core.sheet import sheet_swatches
from .files import IMAGES
from .palette_dock import add_tool_buttons


class SheetView(QLabel):
    """The sheet scaled to the dock's width; a click reports the pixel under it."""

    picked = Signal(int, int)

    def __init__(self):
        super().__init__()
        self.setAlignment(Qt.AlignTop | Qt.AlignHCenter)
        self.setMinimumHeight(120)
        self.setCursor(Qt.CrossCursor)
        self._image: QImage | None = None

    def set_image(self, rgba: np.ndarray | None) -> None:
        if rgba is None:
            self._image = None
            self.clear()
            return
        h, w = rgba.shape[:2]
        self._buf = np.ascontiguousarray(rgba)
        self._image = QImage(self._buf.data, w, h, 4 * w, QImage.Format_RGBA8888)
        self._rescale()

    def _rescale(self) -> None:
        if self._image is not None:
            self.setPixmap(QPixmap.fromImage(self._image).scaledToWidth(max(50, self.width() - 4)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._rescale()

    def image_pos(self, pos: QPoint) -> tuple[int, int] | None:
        """(x, y) in sheet pixels of a point of the widget, None when off the sheet."""
        pm = self.pixmap()
        if self._image is None or pm is None or pm.isNull():
            return None
        x0 = (self.width() - pm.width()) // 2
        s = self._image.width() / pm.width()
        x, y = int((pos.x() - x0) * s), int(pos.y() * s)
        if 0 <= x < self._image.width() and 0 <= y < self._image.height():
            return x, y
        return None

    def mousePressEvent(self, event) -> None:
        p = self.image_pos(event.position().toPoint())
        if p is not None and event.button() == Qt.LeftButton:
            self.picked.emit(*p)


class SheetWidget(QWidget):
    colour_picked = Signal(tuple)
    extract_requested = Signal()
    open_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rgba: np.ndarray | None = None
        self.path: str | None = None
        self.view = SheetView()
        self.view.picked.connect(self._picked)
        row = QHBoxLayout()
        add_tool_buttons(
            row,
            (
                ("fa5s.image", "Open a colour model sheet", self.open_requested.emit),
                (
                    "fa5s.magic",
                    "Add the sheet's flat colour patches to the palette",
                    self.extract_requested.emit,
                ),
            ),
        )
        self.caption = QLabel("No model sheet: open one to pick its colours")
        row.addWidget(self.caption, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.view, 1)

    def set_sheet(self, path: str, rgba: np.ndarray) -> None:
        self.path, self.rgba = path, rgba
        self.caption.setText(Path(path).name)
        self.view.set_image(rgba)

    def _picked(self, x: int, y: int) -> None:
        if self.rgba is not None:
            self.colour_picked.emit(tuple(int(v) for v in self.rgba[y, x]))


class Sheets:
    """Window side (mixed into :class:`~linepaint.gui.main_window.MainWindow`)."""

    def _build_sheet_dock(self) -> None:
        from PySide6.QtWidgets import QDockWidget

        self.sheet = SheetWidget()
        self.sheet.open_requested.connect(self._open_sheet_dialog)
        self.sheet.extract_requested.connect(self.extract_sheet_swatches)
        self.sheet.colour_picked.connect(self._sheet_colour)
        dock = QDockWidget("Model sheet", self)
        dock.setObjectName("sheet_dock")
        dock.setWidget(self.sheet)
        self.addDockWidget(Qt.RightDockWidgetArea, dock)
        self.sheet_dock = dock

    def open_sheet(self, path: str) -> bool:
        try:
            rgba = read_rgba(path)
        except LinepaintError as exc:
            self.report(str(exc))
            return False
        self.sheet.set_sheet(str(path), rgba)
        self.sheet_dock.show()
        self._status(f"Model sheet {Path(path).name}: click a colour to paint with it.")
        return True

    def _open_sheet_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open colour model sheet", "", IMAGES)
        if path:
            self.open_sheet(path)

    def _sheet_colour(self, rgba) -> None:
        swatch = next((s for s in self.project.palette if s.rgba == rgba), None)
        self.palette.set_current(rgba, swatch=swatch.id if swatch else None)
        self._status(
            f"Picked {self._hex(rgba)} from the model sheet" + (f" ({swatch.name})" if swatch else "")
        )

    def extract_sheet_swatches(self) -> None:
        """Add the sheet's flat patches to the palette (colours it has already are kept)."""
        if self.sheet.rgba is None:
            self._status("Open a colour model sheet first.")
            return
        have = {s.rgba for s in self.project.palette}
        new = [s for s in sheet_swatches(self.sheet.rgba) if s.rgba not in have]
        if not new:
            self._status("The palette has every colour of the sheet already.")
            return
        self.push(self.project.set_palette(self.project.palette + new, "Extract swatches from the sheet"))
        self._status(f"Added {len(new)} swatch(es) from the sheet; double-click one to name it.")

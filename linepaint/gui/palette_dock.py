"""Palette dock: the current colour, named swatches (click to pick, double-click to
rename), add/remove/recolour, extract from keyframes, import/export .gpl and JSON."""

from __future__ import annotations

from dataclasses import replace

import qtawesome as qta
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.palette import Swatch


def add_tool_buttons(layout, specs) -> None:
    """Append an icon button to ``layout`` per (qtawesome icon, tooltip, slot) of ``specs``."""
    for icon, tip, slot in specs:
        b = QToolButton()
        b.setIcon(qta.icon(icon))
        b.setToolTip(tip)
        b.clicked.connect(slot)
        layout.addWidget(b)


def swatch_icon(rgba, size: int = 20) -> QIcon:
    pm = QPixmap(size, size)
    r, g, b, a = rgba
    if a == 0:
        pm.fill(QColor(255, 255, 255))
        from PySide6.QtGui import QPainter, QPen

        p = QPainter(pm)
        p.setPen(QPen(QColor(220, 0, 0), 2))
        p.drawLine(0, size, size, 0)
        p.end()
    else:
        pm.fill(QColor(r, g, b, a))
    return QIcon(pm)


class PaletteWidget(QWidget):
    colour_picked = Signal(tuple)
    palette_edited = Signal(list, str)  # new swatches, undo text
    extract_requested = Signal()
    import_requested = Signal()
    export_requested = Signal()
    style_chosen = Signal(str)
    style_import_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.swatches: list[Swatch] = []
        self.current = QToolButton()
        self.current.setIconSize(QSize(40, 40))
        self.current.setToolTip("Current colour (click to edit)")
        self.current.clicked.connect(self._edit_current)
        self.current_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.current)
        top.addWidget(self.current_label, 1)
        self.style_box = QComboBox()
        self.style_box.setToolTip("Palette style: every frame shows in its colours (Shift+S: next style)")
        self.style_box.textActivated.connect(self.style_chosen.emit)
        style_row = QHBoxLayout()
        style_row.addWidget(QLabel("Style"))
        style_row.addWidget(self.style_box, 1)
        add_style = QToolButton()
        add_style.setIcon(qta.icon("fa5s.moon"))
        add_style.setToolTip("Import a palette style (a .gpl/.json palette, or a colour model sheet)")
        add_style.clicked.connect(self.style_import_requested.emit)
        style_row.addWidget(add_style)
        self.list = QListWidget()
        self.list.setIconSize(QSize(20, 20))
        self.list.itemClicked.connect(self._clicked)
        self.list.itemChanged.connect(self._renamed)
        buttons = QHBoxLayout()
        add_tool_buttons(
            buttons,
            (
                ("fa5s.plus", "Add the current colour", self._add),
                ("fa5s.minus", "Remove the selected swatch", self._remove),
                ("fa5s.tint", "Set the selected swatch to the current colour", self._recolour),
                ("fa5s.magic", "Extract swatches from the keyframes", self.extract_requested.emit),
                ("fa5s.file-import", "Import a palette (.gpl, .json)", self.import_requested.emit),
                ("fa5s.file-export", "Export the palette (.gpl, .json)", self.export_requested.emit),
            ),
        )
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(style_row)
        lay.addWidget(self.list, 1)
        lay.addLayout(buttons)
        self.colour = (255, 255, 255, 255)
        # Until the user picks a colour, the bucket holds the palette's first swatch: the
        # first fill of a fresh project is one of its colours, not a stray default.
        self._chosen = False
        #: The swatch the bucket paints with (None: a colour not picked from the list).
        self.swatch_id: int | None = None
        self.set_current((200, 80, 80, 255), chosen=False)
        self.set_styles(["default"], "default")

    def set_styles(self, names: list[str], current: str) -> None:
        self.style_box.blockSignals(True)
        self.style_box.clear()
        self.style_box.addItems(names)
        self.style_box.setCurrentText(current)
        self.style_box.blockSignals(False)

    def set_current(self, rgba, chosen: bool = True, swatch: int | None = None) -> None:
        self._chosen = self._chosen or chosen
        self.colour = tuple(int(v) for v in rgba)
        self.swatch_id = swatch
        self.current.setIcon(swatch_icon(self.colour, 40))
        name = next((s.name for s in self.swatches if s.rgba == self.colour), "")
        r, g, b, a = self.colour
        code = f"#{r:02x}{g:02x}{b:02x}"
        named = f"{name}\n" if name and name.lower() != code else ""  # an unnamed swatch's name is its code
        self.current_label.setText(named + code + ("" if a == 255 else f" α{a}"))

    def set_swatches(self, swatches: list[Swatch], fresh: bool = False) -> None:
        """Show these swatches; ``fresh``: they belong to another project, so a colour
        picked in the last one no longer counts as the user's choice."""
        self._chosen = self._chosen and not fresh
        self.swatches = list(swatches)
        self.list.blockSignals(True)
        self.list.clear()
        for s in self.swatches:
            item = QListWidgetItem(swatch_icon(s.rgba), s.name)
            item.setFlags(item.flags() | Qt.ItemIsEditable)
            item.setToolTip(s.hex)
            self.list.addItem(item)
        self.list.blockSignals(False)
        # The bucket's swatch keeps its identity (and takes its new colour when recoloured).
        held = next((s for s in self.swatches if s.id and s.id == self.swatch_id), None)
        if held is not None:
            self.colour = held.rgba
        elif not self._chosen and self.swatches:
            self.colour = self.swatches[0].rgba
            held = self.swatches[0]
        self.set_current(self.colour, chosen=False, swatch=held.id if held is not None else None)

    def _clicked(self, item) -> None:
        s = self.swatches[self.list.row(item)]
        self.set_current(s.rgba, swatch=s.id or None)
        self.colour_picked.emit(s.rgba)

    def _renamed(self, item) -> None:
        row = self.list.row(item)
        new = list(self.swatches)
        if item.text() and item.text() != new[row].name:
            new[row] = replace(new[row], name=item.text())
            self.palette_edited.emit(new, "Rename swatch")

    def _add(self) -> None:
        r, g, b, a = self.colour
        self.palette_edited.emit(
            self.swatches + [Swatch(f"#{r:02x}{g:02x}{b:02x}", self.colour)], "Add swatch"
        )

    def _remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.swatches):
            self.palette_edited.emit(self.swatches[:row] + self.swatches[row + 1 :], "Remove swatch")

    def _recolour(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.swatches):
            new = list(self.swatches)
            new[row] = replace(new[row], rgba=self.colour)
            self.palette_edited.emit(new, "Recolour swatch")

    def _edit_current(self) -> None:
        c = QColorDialog.getColor(QColor(*self.colour), self, "Current colour", QColorDialog.ShowAlphaChannel)
        if c.isValid():
            self.set_current((c.red(), c.green(), c.blue(), c.alpha()))
            self.colour_picked.emit(self.colour)

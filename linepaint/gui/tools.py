"""The painting tools and their shortcuts (Clip Studio / OpenToonz habits)."""

from __future__ import annotations

from enum import Enum


class Tool(Enum):
    BUCKET = (
        "Bucket",
        "B",
        "fa5s.fill-drip",
        "Fill the clicked region with the current colour "
        "(Shift+click: carry the fix forward to later frames)",
    )
    PICKER = ("Eyedropper", "I", "fa5s.eye-dropper", "Pick a colour from either view (or Alt+click)")
    UNFILL = ("Unfill", "E", "fa5s.eraser", "Clear the clicked region")
    GAP = ("Gap line", "L", "fa5s.pen", "Draw a closing line that splits a leaking region")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def key(self) -> str:
        return self.value[1]

    @property
    def icon(self) -> str:
        return self.value[2]

    @property
    def tip(self) -> str:
        return self.value[3]

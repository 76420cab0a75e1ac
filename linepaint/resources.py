"""Find shipped files (demo clip, model weights, icons) from source and from a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, inside ``sys._MEIPASS``
    in a PyInstaller build."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("demo")``."""
    return resource_root().joinpath(*parts)

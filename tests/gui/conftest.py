"""pytest-qt fixtures: an offscreen Qt, an isolated QSettings, the real main window with a
deterministic matcher (the engine itself is tested elsewhere)."""

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported
sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from synthetic import OverlapMatcher, write_clip  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def window(qtbot, settings, monkeypatch):
    from linepaint.gui.main_window import MainWindow

    win = MainWindow(settings=settings, autosave_ms=10**8)
    win.matcher_factory = lambda engine, device: OverlapMatcher()
    win.ask = lambda *a, **k: QMessageBox.Discard
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    yield win
    for r in (win.runner, win.display_runner, win.thumb_runner):
        r.wait()


@pytest.fixture
def clip(tmp_path):
    return write_clip(tmp_path / "clip", frames=12)

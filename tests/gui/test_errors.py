"""The app never shows nothing (issue 19): an exception no slot caught becomes a message
naming what failed and a log entry, the project stays; unattended runs never wait."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from linepaint.gui import app


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "data" / "linepaint.log"
    monkeypatch.setattr(app, "error_log_path", lambda: path)
    return path


@pytest.mark.qt_no_exception_capture
def test_an_uncaught_exception_in_a_slot_becomes_a_message_and_a_log_entry(
    qtbot, window, clip, log, monkeypatch
):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    window.add_paths([str(clip)])
    frames_before = list(window.project.frames)
    saved = []
    monkeypatch.setattr(window, "autosave", lambda: saved.append(True))
    app.install_error_hooks(window)

    def broken_slot():
        {}["no such key"]

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: any("unexpected error" in m for m in window.messages), timeout=5000)
    message = next(m for m in window.messages if "unexpected error" in m)
    assert "broken_slot" in message and "KeyError" in message and str(log) in message
    assert "Traceback" in log.read_text() and "no such key" in log.read_text()
    assert window.project.frames == frames_before and saved == [True]
    assert window.isVisible()


def test_a_bug_in_a_worker_is_logged_and_named(qtbot, window, clip, log):
    window.add_paths([str(clip)])

    def job():
        yield 1
        raise ZeroDivisionError("division by zero")

    errors = []
    window.runner.start("export", job, None, lambda cancelled, error: errors.append(error))
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "ZeroDivisionError" in errors[0] and "job" in errors[0] and str(log) in errors[0]
    assert "Traceback" in log.read_text()


def test_unattended_questions_take_their_default_and_say_so(window, capsys):
    from linepaint.gui.main_window import MainWindow

    window.unattended = True
    del window.ask  # the fixture's stand-in: the real question this time
    assert isinstance(window.ask, type(MainWindow.ask.__get__(window)))
    assert window.ask("Open the project without them?") == QMessageBox.Yes
    ans = window.ask("Save?", QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
    assert ans == QMessageBox.Save
    window.report("No frames were loaded.", ["a.png: empty", "b.png: damaged"])
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "linepaint: Open the project without them? -> yes (unattended)",
        "linepaint: Save? -> save (unattended)",
        "linepaint: No frames were loaded: a.png: empty; b.png: damaged",
    ]

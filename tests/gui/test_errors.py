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


def test_opening_a_repaired_project_says_what_was_repaired(qtbot, window, clip, tmp_path):
    import json
    import zipfile

    from linepaint.core.clip import find_frames
    from linepaint.core.project import Project
    from linepaint.core.project_file import save_project

    lines, keys, _ = find_frames([clip])
    proj = Project()
    proj.add_frames(lines, keys)
    good = tmp_path / "good.lpproj"
    save_project(proj, good)
    with zipfile.ZipFile(good) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    doc = json.loads(files["project.json"])
    doc["frames"][3]["keyframe"] = "yes"
    doc["frames"][4]["locks"] = {"7": [1, 2, 3, 255]}  # a frame with no colours locks nothing
    files["project.json"] = json.dumps(doc).encode()
    bad = tmp_path / "retake.lpproj"
    with zipfile.ZipFile(bad, "w") as zf:
        for n, b in files.items():
            zf.writestr(n, b)
    window.open_project(str(bad))
    assert len(window.project) == len(lines)
    message = window.messages[-1]
    assert message.startswith("retake.lpproj was damaged; linepaint repaired it as follows.")
    assert "'yes'" in message and "1 painted-region lock" in message
    assert not window.project.state(3).keyframe and not window.project.state(4).locks

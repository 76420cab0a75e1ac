"""Start the desktop app: ``linepaint [PATH...] [--screenshot OUT.png]``.

Importing this module must stay cheap (no torch): the window shows first, the matcher is
created later in a worker thread.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import sysconfig
import time
import traceback
from pathlib import Path

_T0 = time.perf_counter()

#: Where unexpected errors and Qt's own warnings are written (the user's data folder).
LOG_NAME = "linepaint.log"
#: The log is started afresh beyond this size, so it never grows without end.
LOG_MAX_BYTES = 1 << 20


def error_log_path() -> Path:
    """The log file in the user's data folder (``~/.local/share/linepaint`` and the like)."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    return Path(base or Path.home() / ".linepaint") / LOG_NAME


def log_text(text: str) -> Path | None:
    """Append ``text`` with a time stamp to the log; the log's path, or None when it
    cannot be written (a full disk must not turn one error into two)."""
    try:
        path = error_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.exists() and path.stat().st_size > LOG_MAX_BYTES else "a"
        with open(path, mode, encoding="utf-8") as fh:
            fh.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')}\n{text.rstrip()}\n")
        return path
    except Exception:
        return None


def describe_failure(exc_type, exc, tb) -> str:
    """One sentence naming what failed: the linepaint function the error came from and
    the error itself."""
    where = ""
    libraries = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], "site-packages")
    for frame in traceback.extract_tb(tb):  # the innermost of our own functions
        if not any(lib in frame.filename for lib in libraries):
            where = frame.name
    what = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
    if exc_type is MemoryError:
        what = "not enough memory"
    return f"linepaint hit an unexpected error{f' in {where}' if where else ''} ({what})."


def install_error_hooks(win, on_error=None) -> None:
    """An exception no slot caught becomes a message naming what failed, and its trace
    goes to the log; the project stays as it was and its autosave is kept (and brought up
    to date, so nothing done before the error is lost).  Qt's warnings go to the log too.
    ``on_error(text)``, when given, is told instead of the window (unattended runs)."""

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        text = describe_failure(exc_type, exc, tb)
        log = log_text(text + "\n" + "".join(traceback.format_exception(exc_type, exc, tb)))
        if on_error is not None:
            on_error(text)
            return
        try:
            win.autosave()
        except Exception:
            pass
        where = f" Details are in {log}." if log else ""
        win.report(f"{text} The project was not changed.{where}")

    sys.excepthook = hook


def install_qt_log() -> None:
    """Qt's own warnings ("This plugin does not support ...") go to the log, not beside
    linepaint's messages; a fatal one is still printed before Qt aborts."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def qt_messages(mode, context, message) -> None:
        if mode == QtMsgType.QtFatalMsg:
            sys.stderr.write(f"Qt: {message}\n")
        log_text(f"Qt {mode.name}: {message}")

    qInstallMessageHandler(qt_messages)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="linepaint", description="linepaint: colour line-art frames from keyframes."
    )
    p.add_argument(
        "paths", nargs="*", help="line-art frames, folders (a clip with line/ and gt/), or a .lpproj project"
    )
    p.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help="load (the demo by default), propagate, save a grab of the window and exit",
    )
    p.add_argument("--frame", type=int, default=None, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    from ..core.heap import limit_heap_growth

    limit_heap_growth()  # a long cut must not creep up frame after frame
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("linepaint")
    app.setApplicationName("linepaint")
    install_qt_log()
    from PySide6.QtGui import QIcon

    from ..resources import resource_path

    app.setWindowIcon(QIcon(str(resource_path("icons", "linepaint.svg"))))
    win = MainWindow()
    if args.screenshot:
        win.persist_layout = False  # an automated grab has a fixed layout, and leaves the user's alone
        win.unattended = True  # no one is there to answer a dialog
        win.resize(1400, 860)
    else:
        install_error_hooks(win)
    win.show()
    if os.environ.get("LINEPAINT_EXIT_AFTER_SHOW"):
        # Startup probe (benchmarks/startup.py): the window is up once the loop turns.
        QTimer.singleShot(
            0,
            lambda: (print(f"window shown after {time.perf_counter() - _T0:.3f} s", flush=True), app.quit()),
        )
        return app.exec()
    if args.screenshot:
        return _screenshot(app, win, args.paths, args.screenshot, args.frame)
    if not win.offer_restore():
        QTimer.singleShot(0, lambda: win.open_paths(args.paths) if args.paths else win.load_demo())
    return app.exec()


def _screenshot(app, win, paths: list[str], out: str, frame: int | None) -> int:
    """Load, propagate, show a middle frame with its reference, grab the window, exit."""
    from PySide6.QtCore import QTimer

    state = {"rc": 1}

    def fail(msg: str, rc: int = 2) -> None:
        print(f"linepaint: {' '.join(msg.split())}", file=sys.stderr, flush=True)
        state["rc"] = rc
        app.quit()

    # Whatever goes wrong ends the run at once (an unreadable file: 2, a bug: 1).
    install_error_hooks(win, on_error=lambda text: fail(text, 1))

    def grab() -> None:
        win.fit_views()
        app.processEvents()
        if not win.grab().save(out):
            fail(f"could not write {out}")
            return
        print(f"saved {out}")
        state["rc"] = 0
        win.undo.setClean()  # an automated run has nothing to save
        app.quit()

    def shown(i: int) -> None:
        if state.get("propagated") and i == state.get("target"):
            win.frame_shown.disconnect(shown)
            QTimer.singleShot(300, grab)

    def propagated(kind: str, cancelled: bool) -> None:
        if kind != "propagate":
            return
        if len(win.messages) > state["messages"]:  # it failed, and said why on stderr
            fail("could not colour the frames.")
            return
        state["propagated"] = True
        n = len(win.project)
        target = frame if frame is not None else min(n - 1, max(1, n // 2))
        state["target"] = target
        win.frame_shown.connect(shown)
        win.show_frame(target, force=True)

    def start() -> None:
        try:
            win.open_paths(paths) if paths else win.load_demo()
        except Exception as exc:  # a reader that let something else escape: still exit 2
            log_text("".join(traceback.format_exception(exc)))
            what = describe_failure(type(exc), exc, exc.__traceback__)
            fail(f"cannot open {', '.join(paths) or 'the demo'}: {what}")
            return
        if not len(win.project):  # what was wrong is on stderr already (unattended report)
            fail("nothing to load." if win.messages else "nothing to load: no frames.")
            return
        state["messages"] = len(win.messages)
        win.runner.finished.connect(propagated)
        if not win.propagate_all():
            fail("; ".join(win.messages) or "could not propagate")

    QTimer.singleShot(0, start)
    QTimer.singleShot(240_000, lambda: fail("timed out"))
    app.exec()
    win.undo.setClean()
    win.close()
    return state["rc"]


if __name__ == "__main__":
    sys.exit(main())

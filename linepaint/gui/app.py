"""Start the desktop app: ``linepaint [PATH...] [--screenshot OUT.png]``.

Importing this module must stay cheap (no torch): the window shows first, the matcher is
created later in a worker thread.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

_T0 = time.perf_counter()


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
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("linepaint")
    app.setApplicationName("linepaint")
    from PySide6.QtGui import QIcon

    from ..resources import resource_path

    app.setWindowIcon(QIcon(str(resource_path("icons", "linepaint.svg"))))
    win = MainWindow()
    if args.screenshot:
        win.persist_layout = False  # an automated grab has a fixed layout, and leaves the user's alone
        win.resize(1400, 860)
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

    def fail(msg: str) -> None:
        print(f"linepaint: {msg}", file=sys.stderr)
        state["rc"] = 2
        app.quit()

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
        state["propagated"] = True
        n = len(win.project)
        target = frame if frame is not None else min(n - 1, max(1, n // 2))
        state["target"] = target
        win.frame_shown.connect(shown)
        win.show_frame(target, force=True)

    def start() -> None:
        win.open_paths(paths) if paths else win.load_demo()
        if not len(win.project):
            fail("nothing to load: " + ("; ".join(win.messages) or "no frames"))
            return
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

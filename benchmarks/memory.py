"""Peak memory of the app on long 1080p cuts (target, DESIGN §8: a 500-frame 1080p project
under 4 GB, growing well under 5 MB a frame).

    python benchmarks/memory.py [--frames 50 200 500] [--size 1920x1080] [--engine classic]

For each N, a fresh process opens an N-frame clip in the real window (offscreen),
propagates every frame from one keyframe, saves the project and prints its peak
resident memory (``ru_maxrss``).  The clip cycles through a few distinct procedural
drawings (generating 500 different 1080p drawings would take longer than colouring
them), so each frame is read, segmented and matched like any other.  The last line is
``peak RSS <N> frames <size>: X GB`` for the largest N; the growth per frame is the
slope between the smallest and the largest N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Distinct drawings the clips cycle through.
DRAWINGS = 8


def _size(text: str) -> tuple[int, int]:
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def make_clip(root: Path, frames: int, size: tuple[int, int], drawings: Path) -> Path:
    """An N-frame clip whose line files cycle through the drawings in ``drawings``."""
    clip = root / f"cut_{frames}"
    (clip / "line").mkdir(parents=True)
    (clip / "gt").mkdir()
    lines = sorted((drawings / "line").iterdir())
    for i in range(frames):
        shutil.copyfile(lines[i % len(lines)], clip / "line" / f"{i:04d}.png")
    shutil.copyfile(drawings / "gt" / "0000.png", clip / "gt" / "0000.png")
    return clip


def child(clip: Path, project: Path, engine: str, heap_limit: bool = True) -> int:
    """Open ``clip`` in the window, propagate, save; print one JSON line."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from linepaint.core.match import get_matcher
    from linepaint.gui.main_window import MainWindow

    if heap_limit:
        from linepaint.core.heap import limit_heap_growth

        limit_heap_growth()  # as linepaint.gui.app.main does
    app = QApplication([])
    settings = QSettings(str(project.with_suffix(".ini")), QSettings.IniFormat)
    win = MainWindow(settings=settings)
    win.persist_layout = False
    win.matcher_factory = lambda _engine, _device: get_matcher(engine, "cpu")
    win.show()
    out: dict = {}
    t0 = time.perf_counter()

    def finished(kind: str, cancelled: bool) -> None:
        if kind != "propagate":
            return
        out["propagate_s"] = round(time.perf_counter() - t0, 1)
        out["rss_after_propagate_gb"] = round(_rss_now() / 2**30, 3)
        out["peak_before_save_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3)
        out["saved"] = win.save_project(str(project))
        out["coloured"] = sum(win.project.states[p].colours is not None for p in win.project.frames)
        out["errors"] = list(win.messages)
        app.quit()

    def start() -> None:
        win.open_paths([str(clip)])
        win.runner.finished.connect(finished)
        if not win.propagate_all():
            out["errors"] = list(win.messages) or ["could not propagate"]
            app.quit()

    QTimer.singleShot(0, start)
    app.exec()
    win.undo.setClean()
    win.close()
    out["frames"] = len(win.project)
    out["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3)
    print(json.dumps(out), flush=True)
    # Leave without the interpreter's teardown, which this does not measure.  (It once
    # aborted there after a few hundred frames: PySide6 6.12.0, excluded in pyproject.)
    os._exit(0 if out.get("saved") else 1)


def _rss_now() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, nargs="+", default=[50, 200, 500])
    ap.add_argument("--size", type=_size, default=(1920, 1080))
    ap.add_argument("--engine", default="classic", choices=("auto", "classic", "learned"))
    ap.add_argument(
        "--no-heap-limit", action="store_true", help="leave glibc's mmap threshold alone (to compare)"
    )
    ap.add_argument("--child", nargs=2, metavar=("CLIP", "PROJECT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(Path(args.child[0]), Path(args.child[1]), args.engine, not args.no_heap_limit)

    from linepaint.synth import generate_clip, write_clip

    w, h = args.size
    with tempfile.TemporaryDirectory(prefix="memory_") as tmp:
        root = Path(tmp)
        drawings = root / "drawings"
        write_clip(
            generate_clip(7, frames=DRAWINGS, size=args.size, difficulty=0.5), drawings, [0], seg=False
        )
        results = []
        for n in sorted(args.frames):
            clip = make_clip(root, n, args.size, drawings)
            cmd = [
                sys.executable,
                __file__,
                "--engine",
                args.engine,
                "--child",
                str(clip),
                str(root / f"{n}.lpproj"),
            ]
            cmd += ["--no-heap-limit"] if args.no_heap_limit else []
            # The child leaves without teardown, so its temporary files go in here.
            env = {**os.environ, "TMPDIR": str(root)}
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
            if proc.returncode or not lines:
                print(f"{n} frames: failed ({proc.returncode}): {proc.stderr[-2000:]}", file=sys.stderr)
                return 1
            r = json.loads(lines[-1])
            r["project_mb"] = round((root / f"{n}.lpproj").stat().st_size / 2**20, 1)
            results.append(r)
            print(json.dumps(r), flush=True)
            shutil.rmtree(clip)
        if len(results) > 1:
            a, b = results[0], results[-1]
            slope = (b["peak_rss_gb"] - a["peak_rss_gb"]) * 1024 / (b["frames"] - a["frames"])
            print(f"growth per frame ({a['frames']} -> {b['frames']} frames): {slope:.2f} MB")
        last = results[-1]
        print(f"peak RSS {last['frames']} frames {w}x{h}: {last['peak_rss_gb']:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

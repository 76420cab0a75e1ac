"""``linepaint --smoke [OUT.png]``: check an installed (frozen) build end to end.

Starts the app offscreen on the built-in demo through the GUI's own ``--screenshot`` flow,
colours it on the CPU (learned engine when weights are shipped, else classic, saying so),
saves a grab of the window and exits 0; any failure exits nonzero with a message.
"""

from __future__ import annotations

import argparse
import os
import sys


class _Recorder:
    """Wraps the matcher the window builds: which engine coloured how many frames, what failed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.engines: list[str] = []
        self.errors: list[str] = []

    def match(self, *args, **kwargs):
        try:
            result = self.inner.match(*args, **kwargs)
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}")
            raise
        self.engines.append(getattr(result, "engine", self.name))
        return result

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def _is_blank(path: str) -> str:
    """Why the grab at ``path`` is not a coloured window ("" when it is)."""
    import cv2

    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        return f"{path} is not a readable image"
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    coloured = float(((hsv[..., 1] > 80) & (hsv[..., 2] > 60)).mean())
    if img.std() < 10 or coloured < 0.01:
        return f"{path} looks blank (std {img.std():.1f}, {coloured:.1%} coloured pixels)"
    return ""


def run_smoke(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="linepaint --smoke",
        description="Open the built-in demo offscreen, colour it on the CPU, save a screenshot, exit.",
    )
    p.add_argument("out", nargs="?", default="linepaint-smoke.png", help="screenshot (default %(default)s)")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported: no display needed

    from . import __version__
    from .core.match.base import get_matcher
    from .core.match.learned import weights_available
    from .resources import resource_path

    demo = resource_path("demo")
    if not (demo / "line").is_dir():
        print(f"linepaint smoke: FAILED: the built-in demo is missing ({demo})", file=sys.stderr)
        return 1
    engine = "learned" if weights_available() else "classic"
    note = "" if engine == "learned" else " (no weights in resources/models: learned engine not shipped)"
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    print(f"linepaint {__version__} smoke ({frozen}): demo {demo}, {engine} engine on the CPU{note}")

    from .gui import app, main_window

    built: list[_Recorder] = []
    failures: list[str] = []

    def matcher(_engine: str, _device: str):
        # The window asks for its combo box's engine on "auto" device; a smoke run pins both.
        try:
            rec = _Recorder(get_matcher(engine, "cpu"))
        except Exception as exc:
            failures.append(f"could not start the {engine} engine: {type(exc).__name__}: {exc}")
            raise
        built.append(rec)
        return rec

    if not hasattr(main_window, "default_matcher"):
        print("linepaint smoke: FAILED: linepaint.gui.main_window has no default_matcher", file=sys.stderr)
        return 1
    main_window.default_matcher = matcher  # MainWindow.__init__ takes its matcher factory from here
    try:
        rc = app.main(["--screenshot", args.out])
    except Exception as exc:
        rc, failures = 1, [*failures, f"{type(exc).__name__}: {exc}"]
    failures += [e for rec in built for e in rec.errors]
    engines = sorted({e for rec in built for e in rec.engines})
    if rc == 0 and not failures:
        if not engines:
            failures.append("no frame was coloured")
        elif not any(e.startswith(engine) for e in engines):  # e.g. "learned (cpu)"
            failures.append(f"frames were coloured by {', '.join(engines)}, not the {engine} engine")
        elif blank := _is_blank(args.out):
            failures.append(blank)
    if rc != 0:
        failures.insert(0, f"the app exited with {rc}")
    if failures:
        print("linepaint smoke: FAILED: " + "; ".join(failures), file=sys.stderr)
        return rc or 1
    n = sum(len(rec.engines) for rec in built)
    print(f"linepaint smoke: OK: {n} frames coloured with {', '.join(engines)}; screenshot {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(run_smoke())

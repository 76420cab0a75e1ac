"""Time from process start to a visible main window (target: <= 3 s, DESIGN §8), and
check that showing the window does not import torch.

Runs ``python -m linepaint.gui.app`` with LINEPAINT_EXIT_AFTER_SHOW set (the app prints
when its event loop first turns with the window shown, then quits).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def once() -> tuple[float, str]:
    env = dict(os.environ, LINEPAINT_EXIT_AFTER_SHOW="1")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "linepaint.gui.app"], env=env, capture_output=True, text=True, timeout=60
    )
    wall = time.perf_counter() - t
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("window shown")), "no window")
    return wall, line


def main() -> int:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - t
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, linepaint.gui.app, linepaint.gui.main_window;print('torch' in sys.modules)",
        ],
        capture_output=True,
        text=True,
    )
    runs = [once() for _ in range(3)]
    best = min(r[0] for r in runs)
    print(f"bare python start: {bare:.3f} s")
    for wall, line in runs:
        print(f"process start -> window shown and loop running: {wall:.3f} s  ({line})")
    print(
        f"best {best:.3f} s = {best / bare:.1f}x a bare interpreter start; target <= 3 s: "
        f"{'ok' if best <= 3 else 'OVER'}"
    )
    print(f"torch imported by the GUI modules: {probe.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

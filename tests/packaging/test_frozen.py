"""The Linux installer end to end: build the tarball with packaging/build.sh, install it into a
temporary prefix, run the installed command (``--version``, window start-up, ``--smoke``),
uninstall.  Takes minutes, so it runs only with ``LINEPAINT_TEST_PACKAGING=1``.

``LINEPAINT_BUILD_DIR`` picks the build folder (default: a pytest temporary folder);
``LINEPAINT_TARBALL`` tests an already built tarball instead of building one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest

from linepaint import __version__

ROOT = Path(__file__).resolve().parents[2]
NAME = f"linepaint-{__version__}-linux-x86_64"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("LINEPAINT_TEST_PACKAGING") != "1",
        reason="builds the installer (minutes): set LINEPAINT_TEST_PACKAGING=1",
    ),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux installer"),
]


def run(cmd: list, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    out = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{cmd} exited {out.returncode}\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"
    return out


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    if os.environ.get("LINEPAINT_TARBALL"):
        return Path(os.environ["LINEPAINT_TARBALL"])
    build_dir = Path(os.environ.get("LINEPAINT_BUILD_DIR") or tmp_path_factory.mktemp("build"))
    env = {**os.environ, "BUILD_DIR": str(build_dir), "PYTHON": sys.executable}
    t0 = time.monotonic()
    run(["bash", ROOT / "packaging" / "build.sh"], env=env, timeout=1800)
    print(f"build: {time.monotonic() - t0:.0f} s")
    return build_dir / f"{NAME}.tar.gz"


@pytest.fixture(scope="module")
def unpacked(tarball, tmp_path_factory) -> Path:
    assert tarball.is_file(), f"no tarball at {tarball}"
    dest = tmp_path_factory.mktemp("unpacked")
    run(["tar", "-C", dest, "-xzf", tarball])
    return dest / NAME


@pytest.fixture
def user_env(tmp_path) -> dict:
    """The installed app's environment: its settings and autosaves go to a temporary folder."""
    return {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_DATA_HOME": str(tmp_path / "data")}


def test_tarball_layout(unpacked):
    for name in ("install.sh", "uninstall.sh", "app/linepaint", "linepaint.desktop", "linepaint.png"):
        assert (unpacked / name).exists(), name
    internal = unpacked / "app" / "_internal"
    assert (internal / "resources" / "demo" / "line").is_dir()
    assert (internal / "torch" / "bin" / "torch_shm_manager").is_file()
    files = [p for p in (unpacked / "app").rglob("*") if p.is_file() and not p.is_symlink()]
    libs = {p.name for p in files if ".so" in p.name}
    cuda = [n for n in libs if any(k in n for k in ("cudart", "cublas", "cudnn", "nvjpeg", "libcuda."))]
    assert not cuda, f"CUDA libraries shipped: {cuda}"
    assert not (internal / "torch" / "test").exists()
    size = sum(p.stat().st_size for p in files)
    print(f"app folder: {size / 1e6:.0f} MB")
    assert size <= 1e9


def test_install_smoke_uninstall(unpacked, tmp_path, user_env):
    prefix = tmp_path / "prefix"
    run([unpacked / "install.sh", "--prefix", prefix])
    app_dir, command = prefix / "opt" / "linepaint", prefix / "bin" / "linepaint"
    assert command.is_symlink() and command.resolve() == (app_dir / "linepaint").resolve()
    desktop = (prefix / "share" / "applications" / "linepaint.desktop").read_text()
    assert f'Exec="{app_dir}/linepaint" %F' in desktop

    assert run([command, "--version"], env=user_env).stdout.strip() == f"linepaint {__version__}"

    # The frozen app starts to a shown window (how fast: benchmarks/startup.py, not a test).
    t0 = time.monotonic()
    out = run([command], env={**user_env, "QT_QPA_PLATFORM": "offscreen", "LINEPAINT_EXIT_AFTER_SHOW": "1"})
    print(f"start-up: {time.monotonic() - t0:.2f} s ({out.stdout.strip()})")
    assert "window shown after" in out.stdout

    shot = tmp_path / "shot.png"
    t0 = time.monotonic()
    out = run([command, "--smoke", shot], env=user_env)
    print(f"smoke: {time.monotonic() - t0:.1f} s\n{out.stdout}")
    assert "smoke: OK" in out.stdout
    img = cv2.imread(str(shot), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[0] >= 400 and img.shape[1] >= 600
    assert img.std() > 20
    # The target view (right of the reference, left of the docks) shows the coloured frame:
    # flat skin, hair and clothes colours, not just black lines on white.
    h, w = img.shape[:2]
    view = cv2.cvtColor(img[h // 10 : h * 8 // 10, w * 2 // 5 : w * 4 // 5], cv2.COLOR_BGR2HSV)
    coloured = ((view[..., 1] > 60) & (view[..., 2] > 60)).mean()
    assert coloured > 0.05, f"only {coloured:.1%} of the target view is coloured"

    run([app_dir / "uninstall.sh"])
    assert not app_dir.exists() and not os.path.lexists(command)
    left = [p for p in prefix.rglob("*") if "linepaint" in p.name]
    assert not left, f"left behind: {left}"

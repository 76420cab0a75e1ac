"""``linepaint batch``: many shots on local processes and on a local Ray cluster, the same
frames as ``colorize``, a bad shot reported while the others finish, a killed batch resumed.

Every test runs on both backends; the Ray ones skip when Ray is not installed (CI has no
Ray, so the local-process backend is what CI tests).  One Ray cluster serves the module.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from linepaint.cli import main
from linepaint.core.batch import Settings, find_shots, run_batch, span_tasks
from linepaint.core.clip import Clip
from linepaint.core.errors import LinepaintError
from linepaint.core.image_io import read_rgba
from linepaint.synth import generate_clip, write_clip

# A local cluster for the tests: loopback only, no usage statistics (read at import of ray).
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

#: shot -> (frames, keyframes)
SHOTS = {"ep1/shA": (6, [0]), "ep1/shB": (6, [0, 5]), "ep2/shC": (5, [4])}


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("season")
    for seed, (name, (frames, keys)) in enumerate(SHOTS.items()):
        clip = generate_clip(100 + seed, frames=frames, size=(192, 160), difficulty=0.3)
        write_clip(clip, root / name, gt_frames=keys, seg=False)
    return root


@pytest.fixture(scope="module")
def reference(season, tmp_path_factory) -> Path:
    """What ``colorize`` writes for each shot, one process, one clip at a time."""
    out = tmp_path_factory.mktemp("colorize")
    for name in SHOTS:
        assert main(["colorize", str(season / name), "-o", str(out / name), "--engine", "classic"]) == 0
    return out


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(params=["local", "ray"])
def backend(request) -> str:
    if request.param == "ray":
        request.getfixturevalue("ray_cluster")
    return request.param


def frames_of(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*.png"))}


def assert_same_frames(out: Path, reference: Path, shots=SHOTS) -> None:
    want = {k: v for k, v in frames_of(reference).items() if k.rsplit("/", 1)[0] in shots}
    got = {k: v for k, v in frames_of(out).items() if k.rsplit("/", 1)[0] in shots}
    assert sorted(got) == sorted(want)
    for k in want:
        assert np.array_equal(read_rgba(got[k]), read_rgba(want[k])), k


def test_batch_writes_what_colorize_writes(season, reference, backend, tmp_path):
    out = tmp_path / "out"
    # Tasks of two frames: every shot is split into spans, yet colours as colorize does.
    summary = run_batch([season], out, Settings(engine="classic"), backend=backend, workers=2, span_frames=2)
    assert_same_frames(out, reference)
    assert summary.backend == backend and summary.tasks >= 6
    assert 1 <= summary.model_loads <= 2  # one matcher per worker, not one per task
    data = json.loads((out / "batch.json").read_text())
    assert [s["shot"] for s in data["shots"]] == list(SHOTS)
    for s in data["shots"]:
        frames, keys = SHOTS[s["shot"]]
        todo = frames - len(keys)
        assert (s["status"], s["frames"], s["coloured"], s["skipped"]) == ("done", todo, todo, 0)
        assert s["engine"] == "classic" and s["keyframes"] == len(keys) and s["error"] == ""
        assert 0 <= s["doubtful_frames"] <= s["frames"] and s["doubtful_regions"] >= s["doubtful_frames"]
    rows = (out / "batch.csv").read_text().splitlines()
    assert rows[0].startswith("shot,status,frames,coloured,skipped")
    assert [r.split(",")[:2] for r in rows[1:]] == [[name, "done"] for name in SHOTS]


def test_a_corrupt_frame_fails_its_shot_and_the_others_finish(season, reference, backend, tmp_path, capsys):
    import shutil

    src = tmp_path / "season"
    shutil.copytree(season, src)
    bad = src / "ep1/shB/line/0002.png"
    bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])  # a truncated PNG
    out = tmp_path / "out"
    args = ["batch", str(src), "-o", str(out), "--engine", "classic", "--backend", backend, "--workers", "2"]
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "ep1/shB: failed" in err and "0002.png" in err
    shots = {s["shot"]: s for s in json.loads((out / "batch.json").read_text())["shots"]}
    assert shots["ep1/shB"]["status"] == "failed" and "0002.png" in shots["ep1/shB"]["error"]
    # The cut-off frame is found when the shot is opened, before any of it is coloured.
    assert shots["ep1/shB"]["coloured"] == 0
    for name in ("ep1/shA", "ep2/shC"):
        assert shots[name]["status"] == "done"
    assert_same_frames(out, reference, shots=("ep1/shA", "ep2/shC"))
    assert "ep1/shB,failed" in (out / "batch.csv").read_text()


def test_a_killed_batch_resumes_without_redoing_finished_frames(season, reference, backend, tmp_path):
    out = tmp_path / "out"
    total = sum(f - len(k) for f, k in SHOTS.values())
    cmd = [sys.executable, "-m", "linepaint", "batch", str(season), "-o", str(out), "--engine", "classic"]
    cmd += ["--backend", backend, "--workers", "1"]
    if backend == "ray":
        import ray

        cmd += ["--address", ray.get_runtime_context().gcs_address]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while len(frames_of(out)) < 3 if out.exists() else True:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the batch wrote no frames in 120 s"
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    time.sleep(0.5)  # a Ray worker of the killed driver may still finish the frame it was on
    before = {k: (p.stat().st_ino, p.stat().st_mtime_ns) for k, p in frames_of(out).items()}
    assert 3 <= len(before) < total, "the kill came too late to test a resume"

    summary = run_batch([season], out, Settings(engine="classic"), backend=backend, workers=2, resume=True)
    assert_same_frames(out, reference)
    after = {k: (p.stat().st_ino, p.stat().st_mtime_ns) for k, p in frames_of(out).items()}
    assert {k: after[k] for k in before} == before  # finished frames were not written again
    data = summary.as_dict()
    assert (data["skipped"], data["coloured"], data["shots_failed"]) == (len(before), total - len(before), 0)


def test_without_ray_batch_runs_on_local_processes_and_says_how_to_get_ray(
    season, reference, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr("linepaint.core.batch.ray_available", lambda: False)
    out = tmp_path / "out"
    capsys.readouterr()
    assert main(["batch", str(season / "ep2"), "-o", str(out), "--engine", "classic", "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "Ray is not installed" in err and "linepaint[cluster]" in err
    assert json.loads((out / "batch.json").read_text())["backend"] == "local"
    want = frames_of(reference / "ep2/shC")
    got = frames_of(out / "shC")
    assert sorted(got) == sorted(want)
    assert all(np.array_equal(read_rgba(got[k]), read_rgba(want[k])) for k in want)
    # Asking for Ray, or for a cluster, without it: one line saying how to install it.
    for extra in (["--backend", "ray"], ["--address", "10.0.0.1:6379"]):
        assert main(["batch", str(season), "-o", str(tmp_path / "o2"), *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "pip install" in err


def test_a_cluster_that_does_not_answer_is_one_line_in_seconds(season, tmp_path, capsys):
    pytest.importorskip("ray")
    capsys.readouterr()
    assert main(["batch", str(season), "-o", str(tmp_path / "out"), "--address", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("linepaint: error: cannot reach the Ray cluster at 127.0.0.1:1")
    assert not (tmp_path / "out").exists()


def _fake_clip(n: int, keys: list[int]) -> Clip:
    stems = [f"{i:04d}" for i in range(n)]
    return Clip(
        root=Path("/nowhere"),
        stems=stems,
        lines=[Path(f"/nowhere/line/{s}.png") for s in stems],
        keyframes={stems[k]: Path(f"/nowhere/gt/{stems[k]}.png") for k in keys},
        size=(64, 64),
    )


def test_tasks_follow_keyframe_spans():
    clip = _fake_clip(20, [0, 10])
    todo = [s for s in clip.stems if s not in clip.keyframes]
    # forward: a chain is never cut, one task per span, each with its keyframes.
    tasks = span_tasks("s", clip, Path("/out"), todo, Settings(mode="forward"), span_frames=4)
    assert [t.stems for t in tasks] == [tuple(todo[:9]), tuple(todo[9:])]
    assert [sorted(t.clip.keyframes) for t in tasks] == [["0000", "0010"], ["0010"]]
    # nearest: long spans cut into tasks of at most 4 frames, covering every frame once.
    tasks = span_tasks("s", clip, Path("/out"), todo, Settings(mode="nearest"), span_frames=4)
    assert max(len(t.stems) for t in tasks) <= 4 and len(tasks) == 6
    assert [s for t in tasks for s in t.stems] == todo
    for t in tasks:  # each task's frames lie inside its span
        assert set(t.stems) <= set(t.clip.stems) and t.clip.keyframes
    # short spans share a task.
    clip = _fake_clip(9, [0, 2, 4, 6, 8])
    todo = [s for s in clip.stems if s not in clip.keyframes]
    tasks = span_tasks("s", clip, Path("/out"), todo, Settings(), span_frames=16)
    assert [t.stems for t in tasks] == [tuple(todo)]


def test_shots_are_found_below_the_folders_given(season, tmp_path):
    assert [s.name for s in find_shots([season])] == list(SHOTS)
    assert [s.name for s in find_shots([season / "ep1" / "shA", season / "ep2"])] == ["shA", "shC"]
    with pytest.raises(LinepaintError, match="no clip inside"):
        find_shots([tmp_path])
    with pytest.raises(LinepaintError, match="same folder"):
        find_shots([season / "ep1", season / "ep1"])


def test_local_workers_fork_from_a_preloaded_server_except_in_a_frozen_build(monkeypatch):
    """From source on Linux the workers fork from a server that imported the engines once
    (each would otherwise pay for torch and timm again); a frozen build spawns them."""
    import multiprocessing as mp

    from linepaint.core import batch

    if "forkserver" not in mp.get_all_start_methods():
        pytest.skip("no fork server on this platform")
    assert batch._worker_context().get_start_method() == "forkserver"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert batch._worker_context().get_start_method() == "spawn"
    # The server's preload imports the engines and fails on nothing.
    out = subprocess.run(
        [sys.executable, "-c", "import sys, linepaint.core._preload; print('torch' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"

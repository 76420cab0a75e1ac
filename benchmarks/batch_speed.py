"""Throughput of ``linepaint batch`` against one ``colorize`` process over the same clips
(target: >= 1.6x on a 2-core machine), printed as ratios measured in one run.

    python benchmarks/batch_speed.py [--clips 4] [--frames 9] [--size 960x540] [--engine auto]
                                     [--backends local,ray]

The clips are procedural (one keyframe each, written to a temporary folder).  The
reference is one process running the real ``colorize`` command on each clip in turn
(torch and the model loaded once; OpenCV and torch free to use every core).  Each
batch is the real ``linepaint batch`` command in its own process: ``local`` on one
process per core; ``ray`` joining a local Ray cluster this script starts first (a
studio's cluster is up before a batch is sent to it), so the cluster's start-up is
timed apart.  The machine is shared, so the load average is printed before and after:
compare ratios, not seconds, and only between runs on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from linepaint.synth import generate_clip, write_clip  # noqa: E402


def _size(text: str) -> tuple[int, int]:
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


CPU_S: dict[str, float] = {}


def _machine_busy_s() -> float | None:
    """CPU seconds the whole machine has been busy since boot (Linux), else None."""
    try:
        fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed(cmd: list[str], name: str) -> float:
    """Wall seconds of ``cmd``; the CPU seconds the machine was busy meanwhile go to
    ``CPU_S[name]`` (a local batch's workers are forked by a fork server, not children
    of the command, so its own usage would leave them out; on a quiet machine this is
    the command's)."""
    before = _machine_busy_s()
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = _machine_busy_s()
    if before is not None and after is not None:
        CPU_S[name] = round(after - before, 1)
    return wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=4)
    ap.add_argument("--frames", type=int, default=9)
    ap.add_argument("--size", type=_size, default=(960, 540))
    ap.add_argument("--engine", default="auto", choices=("auto", "classic", "learned"))
    ap.add_argument("--backends", default="local,ray")
    args = ap.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    if "ray" in backends:
        from linepaint.core.batch import ray_available

        if not ray_available():
            print("Ray is not installed: timing the local backend only", file=sys.stderr)
            backends.remove("ray")

    with tempfile.TemporaryDirectory(prefix="batch_speed_") as tmp:
        root = Path(tmp)
        clips = []
        for i in range(args.clips):
            clip = generate_clip(1000 + i, frames=args.frames, size=args.size, difficulty=0.5)
            write_clip(clip, root / "clips" / f"sh{i:03d}", gt_frames=[0], seg=False)
            clips.append(root / "clips" / f"sh{i:03d}")
        frames = args.clips * (args.frames - 1)
        load = [round(v, 2) for v in os.getloadavg()]

        code = (
            "import sys; from linepaint.cli import main\n"
            "for c in sys.argv[2:]:\n"
            "    assert main(['colorize', c, '-o', sys.argv[1] + '/' + c.rsplit('/', 1)[1],"
            f" '--engine', '{args.engine}']) == 0\n"
        )
        single = timed([sys.executable, "-c", code, str(root / "single"), *map(str, clips)], "colorize")
        report = {
            "clips": args.clips,
            "frames_coloured": frames,
            "size": f"{args.size[0]}x{args.size[1]}",
            "engine": args.engine,
            "cores": os.cpu_count(),
            "colorize_one_process_s": round(single, 2),
        }
        batch = [sys.executable, "-m", "linepaint", "batch", str(root / "clips"), "--engine", args.engine]
        if "local" in backends:
            t = timed([*batch, "-o", str(root / "local"), "--backend", "local"], "batch_local")
            report["batch_local_s"] = round(t, 2)
            report["batch_local_speedup"] = round(single / t, 2)
        if "ray" in backends:
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            import ray

            t = time.perf_counter()
            ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
            report["ray_cluster_start_s"] = round(time.perf_counter() - t, 2)
            address = ray.get_runtime_context().gcs_address
            try:
                t = timed([*batch, "-o", str(root / "ray"), "--address", address], "batch_ray")
            finally:
                ray.shutdown()
            report["batch_ray_s"] = round(t, 2)
            report["batch_ray_speedup"] = round(single / t, 2)
        # CPU seconds the machine was busy during each run (Ray's idle cluster included).
        report["machine_cpu_s"] = CPU_S
        report["load_average_before"] = load
        report["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
        print(json.dumps(report, indent=2))
        for b in backends:
            print(f"batch ({b}) / one colorize process: {report[f'batch_{b}_speedup']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

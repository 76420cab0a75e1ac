"""Colour clips headless: one clip (``linepaint colorize``) or a season of shots at once
(``linepaint batch``) on local processes or a Ray cluster.

:func:`colour_clip` is the one per-clip job; ``colorize`` runs it in its own process,
``batch`` runs it as tasks, one per clip or per keyframe span of a long clip.  Frames are
written atomically and a frame's file exists only once it is finished, so a stopped
batch resumes by skipping the files that are there (``--resume``).  A shot that fails is
reported in the summary (``batch.json``, ``batch.csv``) and the other shots carry on.

Ray is optional (``pip install 'linepaint[cluster]'``) and imported only when used.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .check import settle_dust
from .clip import Clip, ClipFrames, choose_keyframes, open_clip
from .errors import LinepaintError
from .export import prepare_output, write_frame
from .image_io import atomic_write_bytes
from .project import doubt_queue
from .propagate import propagate

#: Most frames one task colours in ``nearest`` mode, where every frame depends only on
#: its keyframes: long spans are cut into tasks of this size so that the workers share
#: a long clip and the progress bar moves; each cut costs reading its keyframes again.
SPAN_FRAMES = 16

INSTALL_RAY = "pip install 'linepaint[cluster]' (from a checkout: pip install -e '.[cluster]')"


@dataclass(frozen=True)
class ColouredFrame:
    """One frame :func:`colour_clip` wrote: the engine that coloured it and how many of
    its regions the app's doubt queue would visit."""

    stem: str
    engine: str
    doubtful: int


def clip_inputs(clip: Clip) -> tuple[Path, ...]:
    """The folders that hold a clip's own frames, never to be written into."""
    return (clip.root / "line", clip.root / "gt", clip.root)


def to_colour(clip: Clip, out: Path, resume: bool = False) -> list[str]:
    """Stems of the frames to colour: every frame without a keyframe, less (``resume``)
    those whose output file is already there."""
    stems = [s for s in clip.stems if s not in clip.keyframes]
    if resume:
        stems = [s for s in stems if not (out / f"{s}.png").is_file()]
    return stems


def colour_clip(
    clip: Clip,
    out: Path,
    matcher,
    mode: str = "nearest",
    output: str = "flat",
    gap: int | None = None,
    stems: Iterable[str] | None = None,
    restyle: Callable[[np.ndarray], np.ndarray] | None = None,
    dust=None,
) -> Iterator[ColouredFrame]:
    """Colour ``stems`` of ``clip`` (default: every frame without a keyframe) and write
    ``out/<stem>.png`` for each (``out`` made by :func:`~.export.prepare_output`),
    yielding each frame once its file is written.  ``restyle`` (a palette style, see
    :func:`~.swatches.clip_restyle`) recolours every frame, the keyframes too: they are
    written in the style as well.  ``dust`` (a :class:`~.check.Dust`) settles the specks."""
    frames = ClipFrames(clip, gap=gap)
    index = {s: i for i, s in enumerate(clip.stems)}
    only = None if stems is None else [index[s] for s in stems]
    if restyle is not None:
        for stem in clip.keyframes:
            k = index[stem]
            colours = restyle(frames.known_colours(k))
            colours = colours if dust is None else settle_dust(frames.seg(k), colours, dust)
            write_frame(out, stem, output, frames.line(k), frames.seg(k), colours)
    for result in propagate(frames, matcher, mode=mode, only=only):
        colours = result.colours if restyle is None else restyle(result.colours)
        colours = colours if dust is None else settle_dust(result.seg, colours, dust)
        write_frame(out, result.stem, output, frames.line(result.index), result.seg, colours)
        doubtful = len(doubt_queue(result.confidence, None, 0))
        yield ColouredFrame(result.stem, result.engine, doubtful)


# --- a batch: shots, tasks, workers -------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How every shot of a batch is coloured (the options ``colorize`` takes)."""

    engine: str = "auto"
    device: str = "auto"
    mode: str = "nearest"
    output: str = "flat"
    gap: int | None = None
    keys: str | None = None


@dataclass(frozen=True)
class Shot:
    """A clip of a batch: ``name`` is its path below the folder given on the command line
    (``ep01/sh010``), and where its frames go below the output folder."""

    name: str
    root: Path


def find_shots(inputs: Iterable[str | Path]) -> list[Shot]:
    """The clips named on the command line: each input is a clip (a folder with ``line/``)
    or a folder searched for clips at any depth."""
    from .clip import natural_key

    shots: list[Shot] = []
    for raw in inputs:
        root = Path(raw)
        if not root.is_dir():
            raise LinepaintError(f"{root}: not a folder (give clips, or folders of clips).")
        if (root / "line").is_dir():
            shots.append(Shot(root.resolve().name, root))
            continue
        found = sorted(
            (p.parent for p in root.rglob("line") if p.is_dir()),
            key=lambda p: [natural_key(part) for part in p.relative_to(root).parts],
        )
        if not found:
            raise LinepaintError(f"{root}: no clip inside (a clip is a folder with line/ and gt/).")
        shots += [Shot(p.relative_to(root).as_posix(), p) for p in found]
    seen: dict[str, Path] = {}
    for s in shots:
        if s.name in seen:
            raise LinepaintError(
                f"two shots would write to the same folder {s.name}: {seen[s.name]} and {s.root}."
            )
        seen[s.name] = s.root
    return shots


@dataclass(frozen=True)
class Task:
    """One unit of work: colour ``stems`` of ``clip`` (a span of the shot's frames with
    the keyframes that bound it) into ``out``."""

    shot: str
    clip: Clip
    out: Path
    stems: tuple[str, ...]
    settings: Settings


@dataclass
class TaskResult:
    shot: str
    stems: tuple[str, ...]
    written: list[str] = field(default_factory=list)
    engines: set[str] = field(default_factory=set)
    doubtful: int = 0
    doubtful_frames: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    worker: str = ""
    loaded_model: bool = False


def span_tasks(
    shot: str, clip: Clip, out: Path, stems: list[str], settings: Settings, span_frames: int = SPAN_FRAMES
) -> list[Task]:
    """Split a shot's frames to colour into tasks.

    Each frame is coloured from the keyframes either side of it (``nearest``) or by a
    chain from them (``forward``), so a task needs only the span between two keyframes.
    Short neighbouring spans share a task; in ``nearest`` mode a long span is cut into
    tasks of at most ``span_frames`` frames (a ``forward`` chain is never cut).
    """
    keys = clip.keyframe_indices()
    index = {s: i for i, s in enumerate(clip.stems)}
    n = len(clip.stems)
    groups: dict[tuple[int, int], list[int]] = {}
    for s in stems:
        i = index[s]
        lo = max((k for k in keys if k < i), default=0)
        hi = min((k for k in keys if k > i), default=n - 1)
        groups.setdefault((lo, hi), []).append(i)
    pieces: list[tuple[int, int, list[int]]] = []
    for (lo, hi), idx in sorted(groups.items()):
        parts = [idx] if settings.mode == "forward" else np.array_split(idx, -(-len(idx) // span_frames))
        for part in parts:
            part = [int(i) for i in part]
            if pieces and len(pieces[-1][2]) + len(part) <= span_frames:
                plo, _, pidx = pieces.pop()
                pieces.append((plo, hi, pidx + part))
            else:
                pieces.append((lo, hi, part))
    tasks = []
    for lo, hi, idx in pieces:
        span = replace(
            clip,
            stems=clip.stems[lo : hi + 1],
            lines=clip.lines[lo : hi + 1],
            keyframes={s: p for s, p in clip.keyframes.items() if lo <= index[s] <= hi},
        )
        tasks.append(Task(shot, span, out, tuple(clip.stems[i] for i in idx), settings))
    return tasks


#: Matchers built in this process, by (engine, device): a worker loads the model once
#: and colours every task it is given with it.
_MATCHERS: dict[tuple[str, str], object] = {}


def worker_matcher(engine: str, device: str) -> tuple[object, bool]:
    """This process's matcher for (engine, device), and whether this call built it.
    A worker runs one task per core, so its libraries use one thread each."""
    key = (engine, device)
    if key in _MATCHERS:
        return _MATCHERS[key], False
    import cv2

    from .heap import limit_heap_growth
    from .match import get_matcher

    limit_heap_growth()
    cv2.setNumThreads(1)
    matcher = get_matcher(engine, device)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    _MATCHERS[key] = matcher
    return matcher, True


def run_task(task: Task) -> TaskResult:
    """Colour one task in this process; never raises: a failure is the result's ``error``."""
    s = task.settings
    res = TaskResult(task.shot, task.stems, worker=f"{os.uname().nodename}:{os.getpid()}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            matcher, res.loaded_model = worker_matcher(s.engine, s.device)
            for f in colour_clip(task.clip, task.out, matcher, s.mode, s.output, s.gap, stems=task.stems):
                res.written.append(f.stem)
                res.engines.add(f.engine)
                res.doubtful += f.doubtful
                res.doubtful_frames += f.doubtful > 0
        except LinepaintError as exc:
            res.error = str(exc)
        except OSError as exc:
            res.error = f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "") + "."
        except Exception as exc:  # a bug or a worker out of memory: report it, keep the batch going
            res.error = f"unexpected {type(exc).__name__} while colouring: {exc}"
    res.notes = sorted({str(w.message) for w in caught})
    return res


def _init_local_worker() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _worker_context():
    """How local workers start: forked from a fork server that imported the engines once
    (:mod:`._preload`), where there is one (Linux, macOS) and linepaint is not a frozen
    build; else spawned, each importing everything afresh (Windows, the installers).
    Never a plain fork of this process, which may hold threads or torch's state."""
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods() and not getattr(sys, "frozen", False):
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["linepaint.core._preload"])
        return ctx
    return mp.get_context("spawn")


def run_local(tasks: list[Task], workers: int) -> Iterator[TaskResult]:
    """Run ``tasks`` on ``workers`` local processes, yielding results as they finish."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = _worker_context()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_local_worker)
    try:
        futures = {pool.submit(run_task, t): t for t in tasks}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # the worker process died (killed, out of memory)
                t = futures[fut]
                yield TaskResult(t.shot, t.stems, error=f"a worker process died ({type(exc).__name__}).")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def ray_available() -> bool:
    """Whether the ``cluster`` extra (Ray) is installed, without importing it."""
    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError, AttributeError):  # a broken or blocked install
        return False


def _check_reachable(address: str, timeout: float = 10.0) -> None:
    """Fail in seconds, not minutes, when a ``host:port`` cluster address does not answer
    (Ray itself retries for minutes)."""
    import socket

    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "://" in address:
        return  # "auto", "ray://..." and the like: Ray's to resolve
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise LinepaintError(
            f"cannot reach the Ray cluster at {address} ({exc.strerror or exc}); is `ray start --head` "
            "running there, and is this its address?"
        ) from None


def run_ray(
    tasks: list[Task],
    address: str | None,
    workers: int | None,
    on_start: Callable[[int], None] | None = None,
) -> Iterator[TaskResult]:
    """Run ``tasks`` on Ray: the cluster at ``address``, or a local one of ``workers``
    CPUs that this call starts and stops.  One Ray task per :class:`Task`; ``on_start``
    hears how many CPUs the cluster has."""
    if address is None and "ray" not in sys.modules:
        # A throwaway cluster on this machine: keep it on the loopback interface, and
        # send no usage statistics anywhere.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise LinepaintError(f"Ray is not installed; to run on a cluster: {INSTALL_RAY}.") from None
    started = False
    if not ray.is_initialized():
        try:
            ray.init(
                address=address,
                num_cpus=workers if address is None else None,
                include_dashboard=False,
                log_to_driver=False,
                logging_level="warning",
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
            raise LinepaintError(f"could not start or join {where}: {exc}") from None
        started = True
    try:
        if on_start:
            on_start(int(ray.cluster_resources().get("CPU", 0)))
        remote = ray.remote(num_cpus=1)(run_task)
        pending = [remote.remote(t) for t in tasks]
        task_of = dict(zip(pending, tasks, strict=True))
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                try:
                    yield ray.get(ref)
                except Exception as exc:  # the worker or its node died
                    t = task_of[ref]
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    yield TaskResult(t.shot, t.stems, error=f"the Ray task failed ({first}).")
    finally:
        if started:
            ray.shutdown()


# --- the summary a supervisor reads -------------------------------------------------


@dataclass
class ShotSummary:
    shot: str
    clip: str
    out: str
    keyframes: int = 0
    frames: int = 0  # frames to colour in all (every frame without a keyframe)
    coloured: int = 0  # coloured by this run
    skipped: int = 0  # already finished (--resume)
    engine: str = ""
    doubtful_regions: int = 0
    doubtful_frames: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _engines: set = field(default_factory=set, repr=False)

    @property
    def status(self) -> str:
        if self.errors:
            return "failed"
        return "done" if self.coloured + self.skipped >= self.frames else "incomplete"

    def add(self, r: TaskResult) -> None:
        self.coloured += len(r.written)
        self._engines |= r.engines
        self.engine = "+".join(sorted(self._engines))
        self.doubtful_regions += r.doubtful
        self.doubtful_frames += r.doubtful_frames
        if r.error and r.error not in self.errors:
            self.errors.append(r.error)
        self.notes = sorted(set(self.notes) | set(r.notes))

    def as_dict(self) -> dict:
        return {
            "shot": self.shot,
            "status": self.status,
            "frames": self.frames,
            "coloured": self.coloured,
            "skipped": self.skipped,
            "keyframes": self.keyframes,
            "engine": self.engine,
            "doubtful_regions": self.doubtful_regions,
            "doubtful_frames": self.doubtful_frames,
            "error": "; ".join(self.errors),
            "notes": self.notes,
            "clip": self.clip,
            "out": self.out,
        }


CSV_COLUMNS = (
    "shot",
    "status",
    "frames",
    "coloured",
    "skipped",
    "keyframes",
    "engine",
    "doubtful_regions",
    "doubtful_frames",
    "error",
    "clip",
    "out",
)


@dataclass
class BatchSummary:
    out: Path
    backend: str
    workers: int | None
    address: str | None
    settings: Settings
    shots: list[ShotSummary]
    model_loads: int = 0
    tasks: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> list[ShotSummary]:
        return [s for s in self.shots if s.status != "done"]

    def as_dict(self) -> dict:
        shots = [s.as_dict() for s in self.shots]
        total = {k: sum(s[k] for s in shots) for k in ("frames", "coloured", "skipped", "doubtful_regions")}
        return {
            "backend": self.backend,
            "address": self.address,
            "workers": self.workers,
            "settings": vars(self.settings),
            "tasks": self.tasks,
            "model_loads": self.model_loads,
            "seconds": round(self.seconds, 2),
            "shots_done": sum(s["status"] == "done" for s in shots),
            "shots_failed": len(shots) - sum(s["status"] == "done" for s in shots),
            **total,
            "shots": shots,
        }

    def write(self) -> None:
        """``batch.json`` and ``batch.csv`` in the output folder, atomically."""
        data = self.as_dict()
        atomic_write_bytes(self.out / "batch.json", (json.dumps(data, indent=2) + "\n").encode())
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(data["shots"])
        atomic_write_bytes(self.out / "batch.csv", buf.getvalue().encode())


def choose_backend(backend: str, address: str | None) -> str:
    """The backend ("ray" or "local") for ``--backend auto|ray|local``: auto is Ray when installed."""
    if backend not in ("auto", "ray", "local"):
        raise LinepaintError(f"unknown backend '{backend}' (choose auto, ray or local).")
    if backend == "local" and address:
        raise LinepaintError("--address names a Ray cluster; it cannot be used with --backend local.")
    if backend == "local":
        return "local"
    if ray_available():
        return "ray"
    if backend == "ray" or address:
        raise LinepaintError(f"Ray is not installed; to run on a cluster: {INSTALL_RAY}.")
    return "local"


Progress = Callable[[int, int, int, int, int], None]  # frames done, frames, shots done, shots, failed


def run_batch(
    inputs: Iterable[str | Path],
    out: str | Path,
    settings: Settings = Settings(),
    backend: str = "auto",
    address: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    span_frames: int = SPAN_FRAMES,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Colour every shot of ``inputs`` into ``out/<shot>/<stem>.png`` and write the
    summary; returns it.  Raises :class:`LinepaintError` only for a batch that cannot
    start (no shots, Ray asked for but missing); a shot that fails is in the summary."""
    t0 = time.perf_counter()
    out = Path(out)
    shots = find_shots(inputs)
    kind = choose_backend(backend, address)
    if kind == "ray" and address:
        _check_reachable(address)
    if kind == "local":
        workers = workers or os.cpu_count() or 1
        if backend == "auto" and notice:
            notice(
                f"Ray is not installed: running on {workers} local processes (for a cluster: {INSTALL_RAY})."
            )
    elif notice:
        notice(f"joining the Ray cluster at {address}" if address else "starting a local Ray cluster")
    out.mkdir(parents=True, exist_ok=True)
    summaries, tasks = [], []
    for shot in shots:
        dest = out / shot.name
        summary = ShotSummary(shot.name, str(shot.root), str(dest))
        summaries.append(summary)
        try:
            clip = open_clip(shot.root)
            if settings.keys:
                clip = choose_keyframes(clip, settings.keys)
            prepare_output(dest, clip_inputs(clip))
            summary.keyframes = len(clip.keyframes)
            summary.frames = len(clip.stems) - len(clip.keyframes)
            todo = to_colour(clip, dest, resume)
            summary.skipped = summary.frames - len(todo)
            tasks += span_tasks(shot.name, clip, dest, todo, settings, span_frames)
        except LinepaintError as exc:
            summary.errors.append(str(exc))
    batch = BatchSummary(out, kind, workers, address, settings, summaries, tasks=len(tasks))
    by_name = {s.shot: s for s in summaries}
    left = {s.shot: 0 for s in summaries}
    for t in tasks:
        left[t.shot] += 1
    total = sum(len(t.stems) for t in tasks)
    done = 0

    def report() -> None:
        if progress:
            finished = sum(1 for s in summaries if left[s.shot] == 0)
            progress(done, total, finished, len(summaries), sum(1 for s in summaries if s.errors))

    batch.write()
    report()

    def started(cpus: int) -> None:
        batch.workers = cpus

    results = run_ray(tasks, address, workers, started) if kind == "ray" else run_local(tasks, workers)
    for r in results if tasks else ():
        by_name[r.shot].add(r)
        left[r.shot] -= 1
        batch.model_loads += r.loaded_model
        done += len(r.written)
        batch.seconds = time.perf_counter() - t0
        batch.write()
        report()
    batch.seconds = time.perf_counter() - t0
    batch.write()
    return batch

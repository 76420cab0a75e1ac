"""Time the learned engine on a 1080p frame pair with about 300 regions (target: <= 1 s on CPU
end to end, DESIGN §8) and print one JSON object.

    python benchmarks/learned_speed.py [--device cpu] [--threads 2] [--size 1920x1080] [--regions 300]

The pair is drawn with OpenCV (outlined ellipses and boxes, the second frame shifted and
rotated a little) so the region count can be dialled; a procedural clip frame is timed too.
``end_to_end_s`` is reading the target's line art, segmenting it, checking it for leaks the
reference shows (as propagation does) and matching it (alignment, classical posterior,
crops, network, colours) against a reference new to the matcher;
``end_to_end_known_ref_s`` the same when the reference has coloured a frame before, as it
has for every frame but the first of a propagation run (its crops and tokens are kept).

The DESIGN target is in seconds, so those are printed; since these machines are noisy,
each run also times a reference operation on the same device (a 1024 x 1024 float32
matrix product, median of 15) and prints every figure as a ratio to it
(``*_ratio``): compare runs by those.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def drawn_pair(
    size: tuple[int, int], regions: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ref line RGBA, ref colour RGBA, target line RGBA) with roughly ``regions`` regions."""
    rng = np.random.default_rng(seed)
    w, h = size
    k = max(4, regions // 4)  # overlapping outlines make about 4 regions per shape
    c = rng.uniform([0, 0], [w, h], (k, 2))
    ax = rng.uniform(0.02, 0.12, (k, 2)) * min(w, h)
    ang = rng.uniform(0, 180, k)
    thick = max(2, round(min(w, h) / 400))

    def draw(shift: np.ndarray, rot: float) -> np.ndarray:
        ink = np.zeros((h, w), np.uint8)
        for i in range(k):
            centre = tuple(int(v) for v in c[i] + shift)
            cv2.ellipse(
                ink,
                centre,
                tuple(int(v) for v in ax[i]),
                float(ang[i] + rot),
                0,
                360,
                255,
                thick,
                cv2.LINE_AA,
            )
        rgba = np.zeros((h, w, 4), np.uint8)
        rgba[..., 3] = ink
        return rgba

    ref = draw(np.zeros(2), 0.0)
    tgt = draw(np.array([w, h]) * 0.004, 2.0)
    return ref, tgt


def time_pair(matcher, ref_rgba: np.ndarray, ref_colours_fn, tgt_rgba: np.ndarray, repeats: int) -> dict:
    """Cold: the reference is new to the matcher (as for the first frame coloured from a
    keyframe); warm: it has coloured a frame before (every later frame of a run)."""
    from linepaint.core.leak import leak_cuts
    from linepaint.core.lineart import line_art_from_rgba
    from linepaint.core.match.base import Reference
    from linepaint.core.segment import segment

    def new_reference():
        line = line_art_from_rgba(ref_rgba)
        seg = segment(line)
        seg.filled, seg.adjacency  # noqa: B018 (computed once per keyframe, not per pair)
        return Reference(line, seg, ref_colours_fn(seg))

    ref = new_reference()
    matcher.match([ref], line_art_from_rgba(tgt_rgba), ref.seg)  # warm-up (first-call kernels)
    times: dict[str, list[float]] = {"lineart": [], "segment": [], "cold": [], "warm": []}
    for _ in range(repeats):
        ref = new_reference()
        for kind in ("cold", "warm"):
            t0 = time.perf_counter()
            tgt_line = line_art_from_rgba(tgt_rgba)
            t1 = time.perf_counter()
            tgt_seg = segment(tgt_line)
            t2 = time.perf_counter()
            leak_cuts(tgt_line, tgt_seg, ref.seg, ref.colours)  # propagation's leak check
            matcher.match([ref], tgt_line, tgt_seg)
            t3 = time.perf_counter()
            times["lineart"].append(t1 - t0)
            times["segment"].append(t2 - t1)
            times[kind].append(t3 - t0)
    med = {k: round(float(np.median(v)), 3) for k, v in times.items()}
    return {
        "ref_regions": int(ref.seg.n),
        "target_regions": int(tgt_seg.n),
        "lineart_s": med["lineart"],
        "segment_s": med["segment"],
        "end_to_end_s": med["cold"],
        "end_to_end_known_ref_s": med["warm"],
    }


def reference_op_s(device) -> float:
    """Median seconds of one 1024 x 1024 float32 matrix product on ``device``."""
    import torch

    a = torch.randn(1024, 1024, device=device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    times = []
    for _ in range(16):
        sync()
        t0 = time.perf_counter()
        a @ a
        sync()
        times.append(time.perf_counter() - t0)
    return float(np.median(times[1:]))


def with_ratios(figures: dict, ref_s: float) -> dict:
    out = dict(figures)
    for k, v in figures.items():
        if k.endswith("_s"):
            out[k[:-2] + "_ratio"] = round(v / ref_s, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--size", default="1920x1080")
    p.add_argument("--regions", type=int, default=400, help="shapes drawn x 4 (400: about 300 regions)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--weights", default=None, help="a .safetensors file (default: the shipped one)")
    a = p.parse_args(argv)
    import torch

    torch.set_num_threads(a.threads)
    from linepaint.core.match.learned import LearnedMatcher

    w, h = (int(v) for v in a.size.lower().split("x"))
    matcher = LearnedMatcher(a.device, weights=a.weights)
    palette = np.random.default_rng(1).integers(0, 255, (64, 4)).astype(np.uint8)
    palette[:, 3] = 255

    def colours(seg):
        return palette[np.arange(seg.n + 1) % len(palette)]

    ref, tgt = drawn_pair((w, h), a.regions)
    ref_s = reference_op_s(matcher.device)
    out = {
        "device": str(matcher.device),
        "device_name": torch.cuda.get_device_name(matcher.device) if matcher.device.type == "cuda" else "cpu",
        "threads": a.threads,
        "size": [w, h],
        "reference_op_ms": round(ref_s * 1000, 2),
        "drawn_pair": with_ratios(time_pair(matcher, ref, colours, tgt, a.repeats), ref_s),
    }
    try:
        from linepaint.synth import generate_clip

        clip = generate_clip(1_000_000, frames=3, size=(w, h))
        out["synth_pair"] = with_ratios(
            time_pair(matcher, clip.lines[0], colours, clip.lines[2], a.repeats), ref_s
        )
    except ImportError:
        pass
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

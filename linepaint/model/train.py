"""Train the segment matcher on procedural clips generated on the fly.

``linepaint train --out runs/matcher --steps 3000`` (wired to :func:`train_main`): resumes
from ``OUT/last.pt`` when present, validates on clips of fixed seeds, prints one progress
line per interval, and with ``--export DIR`` writes ``matcher.safetensors`` and its card.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from ..core.render import pack_colours, palette_index
from .data import PairSample, clip_pairs
from .infer import as_tensor, colour_onehot, predict_pair, to_device
from .network import MatcherConfig, SegmentMatcher, fused_colour_loss, match_loss

#: Validation clips use seeds from here on.
VAL_SEED_BASE = 1_000_000
#: Training clips of run seed ``k`` use seeds ``k * SEEDS_PER_RUN`` on.
SEEDS_PER_RUN = 100_000


def train_seed_block(run_seed: int) -> int:
    """First clip seed of a training run; refuses the run seed whose clips would be the
    validation clips (``--seed 10`` drew them until 2026-12-07)."""
    first = run_seed * SEEDS_PER_RUN
    if first <= VAL_SEED_BASE < first + SEEDS_PER_RUN:
        raise ValueError(
            f"--seed {run_seed} would train on the validation clips (seeds {VAL_SEED_BASE} on); "
            "choose another seed."
        )
    return first


@dataclass
class TrainSettings:
    steps: int = 2000
    batch: int = 4  # pairs per optimiser step
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup: int = 100
    size: tuple[int, int] = (384, 288)
    frames: int = 8
    difficulty: float = 0.5
    real_motion: float = 0.0  # share of clips drawn with synth motion="real"
    redraw: float = 0.0  # most hand-drawn variation per drawing; each clip draws its own
    sketch: float = 0.0  # most stroke tails per 100 px of line; each clip draws its own
    fused_loss: float = 0.0  # weight of the loss on the engine's fused colours (classic_prior only)
    #: The classical share the engine blends in (``core.match.learned.PRIOR_NETWORK_CLASSIC_WEIGHT``,
    #: which the model package may not import: the engine imports the model; a test keeps
    #: the two equal).
    fused_share: float = 0.3
    pairs_per_clip: int = 6
    new_clip_every: int = 1  # steps between fresh clips
    buffer: int = 96  # pairs kept for replay
    max_gap: int = 3
    seed: int = 0
    val_clips: int = 8
    val_pairs_per_clip: int = 2
    val_every: int = 200
    log_every: int = 20
    ckpt_every_s: float = 180.0
    threads: int = 2
    device: str = "auto"
    init: str | None = None  # weights to start from (a last.pt or .safetensors) when not resuming
    model: MatcherConfig = field(default_factory=MatcherConfig)


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def synth_clip_fn(
    size: tuple[int, int],
    frames: int,
    difficulty: float,
    spread: float = 0.0,
    real_motion: float = 0.0,
    redraw: float = 0.0,
    sketch: float = 0.0,
) -> Callable[[int], object]:
    """seed -> clip from :mod:`linepaint.synth`; with ``spread``, the difficulty of each
    clip is drawn (from its seed) within ``difficulty +- spread``; ``real_motion`` is the
    share of clips (chosen by seed) drawn with ``motion="real"`` (drawn animation: limbs
    swinging far, parts crossing, appearing and disappearing) instead of the default;
    ``redraw``, the most hand-drawn variation of the parts' outlines between drawings
    (``generate_clip(redraw=...)``), each clip drawing its own amount in 0..redraw;
    ``sketch``, the most stroke tails per 100 px of line (``generate_clip(sketch=...)``),
    each clip drawing its own in 0..sketch."""
    from ..synth import generate_clip

    def make(seed: int):
        d = difficulty
        if spread:
            d = float(np.clip(difficulty + np.random.default_rng([seed, 7]).uniform(-spread, spread), 0, 1))
        real = real_motion > 0 and np.random.default_rng([seed, 15]).random() < real_motion
        wobble = float(np.random.default_rng([seed, 21]).uniform(0, redraw)) if redraw > 0 else 0.0
        tails = float(np.random.default_rng([seed, 23]).uniform(0, sketch)) if sketch > 0 else 0.0
        return generate_clip(
            seed,
            frames=frames,
            size=size,
            difficulty=d,
            motion="real" if real else "default",
            redraw=wobble,
            sketch=tails,
        )

    return make


def _tensors(sample: PairSample, device: torch.device):
    """The network inputs of :func:`to_device`, plus the pair's targets."""
    return (
        *to_device(sample.inputs, device),
        as_tensor(sample.positive, device),
        as_tensor(sample.valid, device),
    )


def _colour_targets(sample: PairSample, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """(reference regions' colours one-hot [n_ref, k], each target's colour index or -1)
    for :func:`fused_colour_loss`."""
    palette, onehot = colour_onehot(sample.ref_colours)
    index = palette_index(palette, pack_colours(sample.tgt_colours[1:]))
    return as_tensor(onehot, device), as_tensor(index, device)


def batch_loss(
    model: SegmentMatcher,
    batch: list[PairSample],
    device: torch.device,
    fused: float = 0.0,
    share: float = TrainSettings.fused_share,
) -> torch.Tensor:
    """Mean inclusion loss over pairs; all crops of the batch go through the CNN at once.
    ``fused``: plus that weight of :func:`fused_colour_loss` (a network that takes the
    classical posterior), with ``share`` of the classical posterior blended in."""
    parts = [_tensors(s, device) for s in batch]
    crops = torch.cat([torch.cat([p[0], p[2]]) for p in parts])
    geo = torch.cat([torch.cat([p[1], p[3]]) for p in parts])
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        tokens = model.embed(crops, geo)
        losses = []
        at = 0
        for sample, (rc, _, tc, _, prior, classic, pos, valid) in zip(batch, parts, strict=True):
            r = tokens[at : at + len(rc)]
            t = tokens[at + len(rc) : at + len(rc) + len(tc)]
            at += len(rc) + len(tc)
            if len(rc) == 0 or len(tc) == 0:
                continue
            logits = model(r, t, prior, classic)
            loss = match_loss(logits, pos, valid)
            if fused > 0 and classic is not None:
                onehot, target = _colour_targets(sample, device)
                loss = loss + fused * fused_colour_loss(logits, classic, onehot, target, share)
            losses.append(loss)
    return torch.stack(losses).mean() if losses else tokens.sum() * 0.0


def evaluate(model: SegmentMatcher, samples: list[PairSample], device: torch.device) -> dict:
    """Foreground segment colour accuracy of the model and of the coarse warp alone.

    A target segment is foreground when its ground-truth colour is not transparent; it
    is right when the chosen colour equals it.  ``*_px`` weighs segments by area.
    """
    was = model.training
    model.eval()
    right = right_prior = total = 0
    right_px = right_prior_px = total_px = 0.0
    loss_sum, n_loss = 0.0, 0
    for s in samples:
        inp = s.inputs
        if inp.prior.shape[0] == 0 or inp.prior.shape[1] == 0:
            continue
        pred = predict_pair(model, inp, s.ref_colours, device)
        fg = s.tgt_colours[1:, 3] > 0
        area = inp.tgt.geometry[:, 4] ** 2  # geometry holds sqrt(area) / side
        gt = pack_colours(s.tgt_colours[1:])
        choice = pred.palette[pred.colour_probs.argmax(1)]
        ref_codes = pack_colours(s.ref_colours[1:])
        prior_choice = ref_codes[inp.prior.argmax(1)]
        ok, okp = (choice == gt) & fg, (prior_choice == gt) & fg
        right += int(ok.sum())
        right_prior += int(okp.sum())
        total += int(fg.sum())
        right_px += float(area[ok].sum())
        right_prior_px += float(area[okp].sum())
        total_px += float(area[fg].sum())
        probs = np.clip(pred.probs, 1e-9, 1.0)
        none = ~s.positive.any(1)
        pos = np.concatenate([s.positive, none[:, None]], 1)
        per = -np.log((probs * pos).sum(1).clip(1e-9))
        loss_sum += float(per[s.valid].sum())
        n_loss += int(s.valid.sum())
    model.train(was)
    return {
        "acc_fg": right / max(total, 1),
        "acc_fg_warp": right_prior / max(total, 1),
        "acc_fg_px": right_px / max(total_px, 1e-12),
        "acc_fg_px_warp": right_prior_px / max(total_px, 1e-12),
        "loss": loss_sum / max(n_loss, 1),
        "segments": total,
    }


def validation_set(clip_fn: Callable[[int], object], s: TrainSettings) -> list[PairSample]:
    """Fixed pairs from clips of seeds ``VAL_SEED_BASE + i``."""
    out = []
    for i in range(s.val_clips):
        rng = np.random.default_rng(VAL_SEED_BASE + i)
        clip = clip_fn(VAL_SEED_BASE + i)
        out += clip_pairs(clip, rng, s.val_pairs_per_clip, s.max_gap, s.model.crop, s.model.classic_prior)
    return out


def warm_start(model: SegmentMatcher, path: str | Path, device: torch.device) -> str:
    """Copy the weights of a checkpoint (``last.pt``) or ``.safetensors`` file into
    ``model`` where names and shapes agree (new parts keep their initial values);
    returns what was left out."""
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(path))
    else:
        state = torch.load(path, map_location="cpu", weights_only=False)["model"]
    own = model.state_dict()
    keep = {k: v.to(own[k].dtype) for k, v in state.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(keep, strict=False)
    model.to(device)
    new = sorted(set(own) - set(keep))
    return f"{len(keep)} tensors copied, new: {', '.join(new) or 'none'}"


def _lr_factor(step: int, s: TrainSettings) -> float:
    if step < s.warmup:
        return (step + 1) / s.warmup
    p = min(1.0, (step - s.warmup) / max(1, s.steps - s.warmup))
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p))


def train(
    s: TrainSettings,
    clip_fn: Callable[[int], object],
    out: str | Path | None = None,
    export: str | Path | None = None,
    log: Callable[[str], None] = print,
    val_samples: list[PairSample] | None = None,
) -> tuple[SegmentMatcher, list[dict]]:
    """Train (resuming from ``out/last.pt``); returns the model and the history of
    progress records.  ``export``: write shipped weights and card there at the end."""
    first_seed = train_seed_block(s.seed)
    torch.set_num_threads(max(1, s.threads))
    device = _device(s.device)
    torch.manual_seed(s.seed)
    rng = np.random.default_rng(s.seed)
    random.seed(s.seed)
    model = SegmentMatcher(s.model).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    step, next_clip, history = 0, 0, []
    ckpt = Path(out) / "last.pt" if out else None
    if ckpt and ckpt.exists():
        state = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        step, next_clip, history = state["step"], state["next_clip"], state["history"]
        rng = np.random.default_rng([s.seed, step])
        log(f"resumed {ckpt} at step {step}")
    elif s.init:
        log(f"initialised from {s.init}: {warm_start(model, s.init, device)}")

    def save() -> None:
        if not ckpt:
            return
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        tmp = ckpt.with_suffix(".tmp")
        torch.save(
            {
                "model": model.state_dict(),
                "opt": opt.state_dict(),
                "step": step,
                "next_clip": next_clip,
                "history": history,
                "settings": repr(s),
            },
            tmp,
        )
        tmp.replace(ckpt)

    t0 = time.time()
    if val_samples is None:
        val_samples = validation_set(clip_fn, s) if s.val_clips > 0 else []
    log(
        f"validation: {len(val_samples)} pairs ({time.time() - t0:.1f}s); device {device}; "
        f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters"
    )
    buffer: list[PairSample] = []
    last_ckpt = time.time()
    run_loss, run_n, t_data, t_step = 0.0, 0, 0.0, 0.0
    model.train()
    while step < s.steps:
        td = time.time()
        if not buffer or step % max(1, s.new_clip_every) == 0:
            clip = clip_fn(first_seed + next_clip)
            next_clip += 1
            buffer += clip_pairs(clip, rng, s.pairs_per_clip, s.max_gap, s.model.crop, s.model.classic_prior)
            buffer = buffer[-s.buffer :]
        batch = [buffer[int(i)] for i in rng.integers(0, len(buffer), s.batch)]
        tt = time.time()
        t_data += tt - td
        for g in opt.param_groups:
            g["lr"] = s.lr * _lr_factor(step, s)
        loss = batch_loss(model, batch, device, s.fused_loss, s.fused_share)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        t_step += time.time() - tt
        run_loss += float(loss.detach())
        run_n += 1
        step += 1
        if step % s.log_every == 0 or step == s.steps:
            rec = {
                "step": step,
                "loss": run_loss / run_n,
                "clips": next_clip,
                "data_s": t_data / run_n,
                "step_s": t_step / run_n,
                "elapsed": time.time() - t0,
            }
            line = (
                f"step {step:6d}  loss {rec['loss']:.4f}  lr {s.lr * _lr_factor(step, s):.2e}  "
                f"data {rec['data_s']:.2f}s  step {rec['step_s']:.2f}s  clips {next_clip}"
            )
            if val_samples and (step % s.val_every == 0 or step == s.steps):
                v = evaluate(model, val_samples, device)
                rec["val"] = v
                line += (
                    f"  val acc_fg {v['acc_fg']:.4f} (warp {v['acc_fg_warp']:.4f})  "
                    f"px {v['acc_fg_px']:.4f}  val loss {v['loss']:.4f}"
                )
            history.append(rec)
            log(line)
            run_loss, run_n, t_data, t_step = 0.0, 0, 0.0, 0.0
        if ckpt and time.time() - last_ckpt > s.ckpt_every_s:
            save()
            last_ckpt = time.time()
    save()
    if export:
        from .weights import save_weights

        v = evaluate(model, val_samples, device) if val_samples else {}
        card = {
            "name": "linepaint segment matcher",
            "date": _dt.date.today().isoformat(),
            "steps": step,
            "train_clips": next_clip,
            "train_seeds": f"{first_seed}..{first_seed + next_clip - 1}",
            "val_seeds": f"{VAL_SEED_BASE}..{VAL_SEED_BASE + s.val_clips - 1}",
            "data": {
                "size": list(s.size),
                "frames": s.frames,
                "difficulty": s.difficulty,
                "real_motion": s.real_motion,
                **({"redraw": s.redraw} if s.redraw else {}),
                **({"sketch": s.sketch} if s.sketch else {}),
                **({"fused_loss": s.fused_loss} if s.fused_loss else {}),
                "max_gap": s.max_gap,
                "val_pairs_per_clip": s.val_pairs_per_clip,
            },
            "optimiser": {"lr": s.lr, "batch": s.batch, "weight_decay": s.weight_decay},
            "validation": v,
        }
        w, c = save_weights(model, export, card)
        log(f"exported {w} and {c}")
    return model, history


def _parser() -> argparse.ArgumentParser:
    d = TrainSettings()
    m = MatcherConfig()
    p = argparse.ArgumentParser(prog="linepaint train", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="runs/matcher", help="checkpoint folder (resumed when it holds last.pt)")
    p.add_argument("--export", default=None, help="write matcher.safetensors + matcher.json here at the end")
    p.add_argument("--steps", type=int, default=d.steps)
    p.add_argument("--batch", type=int, default=d.batch)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--size", default=f"{d.size[0]}x{d.size[1]}", help="WxH of generated clips")
    p.add_argument("--frames", type=int, default=d.frames)
    p.add_argument("--difficulty", type=float, default=d.difficulty)
    p.add_argument(
        "--difficulty-spread",
        type=float,
        default=0.2,
        help="training clips draw their difficulty within +- this",
    )
    p.add_argument(
        "--real-motion",
        type=float,
        default=d.real_motion,
        metavar="SHARE",
        help="share of training and validation clips drawn with synth motion=real (0..1; with it, "
        "--frames 9 --max-gap 8 reach the keyframe distances of the motion benchmark)",
    )
    p.add_argument(
        "--redraw",
        type=float,
        default=d.redraw,
        metavar="AMOUNT",
        help="hand-drawn variation of the parts' outlines between drawings: each training clip "
        "draws its own amount in 0..AMOUNT (a share of the part's size; validation clips have none)",
    )
    p.add_argument(
        "--sketch",
        type=float,
        default=d.sketch,
        metavar="TAILS",
        help="stroke tails off the lines, as a hand's strokes run on past where they meet: each "
        "training clip draws its own number per 100 px of line in 0..TAILS (validation clips have none)",
    )
    p.add_argument(
        "--fused-loss",
        type=float,
        default=d.fused_loss,
        metavar="WEIGHT",
        help="with --classic-prior: also train on the colours the engine chooses from, the "
        "network's blended with the classical posterior as the engine blends them (0: off)",
    )
    p.add_argument("--pairs-per-clip", type=int, default=d.pairs_per_clip)
    p.add_argument("--new-clip-every", type=int, default=d.new_clip_every)
    p.add_argument("--max-gap", type=int, default=d.max_gap)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--val-clips", type=int, default=d.val_clips)
    p.add_argument("--val-every", type=int, default=d.val_every)
    p.add_argument("--log-every", type=int, default=d.log_every)
    p.add_argument("--ckpt-every", type=float, default=d.ckpt_every_s, help="seconds between checkpoints")
    p.add_argument("--threads", type=int, default=d.threads)
    p.add_argument("--device", default=d.device, choices=["auto", "cpu", "cuda"])
    p.add_argument("--dim", type=int, default=m.dim)
    p.add_argument("--layers", type=int, default=m.layers)
    p.add_argument("--heads", type=int, default=m.heads)
    p.add_argument("--crop", type=int, default=m.crop)
    p.add_argument(
        "--classic-prior",
        action="store_true",
        help="the network also takes the classical engine's colour posterior",
    )
    p.add_argument(
        "--prior-gate",
        action="store_true",
        help="each target region weighs the warp and classical priors by its own features",
    )
    p.add_argument("--init", default=None, help="start from these weights (last.pt or .safetensors)")
    return p


def settings_from_args(a: argparse.Namespace) -> TrainSettings:
    w, h = (int(v) for v in a.size.lower().split("x"))
    return TrainSettings(
        steps=a.steps,
        batch=a.batch,
        lr=a.lr,
        size=(w, h),
        frames=a.frames,
        difficulty=a.difficulty,
        real_motion=a.real_motion,
        redraw=a.redraw,
        sketch=a.sketch,
        fused_loss=a.fused_loss,
        pairs_per_clip=a.pairs_per_clip,
        new_clip_every=a.new_clip_every,
        max_gap=a.max_gap,
        seed=a.seed,
        val_clips=a.val_clips,
        val_every=a.val_every,
        log_every=a.log_every,
        ckpt_every_s=a.ckpt_every,
        threads=a.threads,
        device=a.device,
        init=a.init,
        model=MatcherConfig(
            dim=a.dim,
            layers=a.layers,
            heads=a.heads,
            crop=a.crop,
            extra={
                **({"classic_prior": True} if a.classic_prior else {}),
                **({"prior_gate": True} if a.prior_gate else {}),
            },
        ),
    )


def train_main(argv: list[str]) -> int:
    """``linepaint train`` entry point; returns the exit status."""
    a = _parser().parse_args(argv)
    s = settings_from_args(a)
    try:
        train_seed_block(s.seed)
    except ValueError as exc:
        print(f"linepaint train: {exc}", file=sys.stderr)
        return 2
    Path(a.out).mkdir(parents=True, exist_ok=True)
    (Path(a.out) / "args.json").write_text(json.dumps(vars(a), indent=2))
    # Validation at the nominal difficulty; training clips spread around it.
    val_fn = synth_clip_fn(s.size, s.frames, s.difficulty, real_motion=s.real_motion)
    val = validation_set(val_fn, s) if s.val_clips > 0 else []
    clip_fn = synth_clip_fn(
        s.size, s.frames, s.difficulty, a.difficulty_spread, s.real_motion, s.redraw, s.sketch
    )
    train(s, clip_fn, out=a.out, export=a.export, log=lambda m: print(m, flush=True), val_samples=val)
    return 0


if __name__ == "__main__":
    sys.exit(train_main(sys.argv[1:]))

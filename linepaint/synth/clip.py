"""Generate whole synthetic clips (line art, flat-colour ground truth, segment ids) and write
them in BasicPBC layout: ``CLIP/line/0000.png``, ``CLIP/gt/0000.png``, ``CLIP/seg/0000.png``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.image_io import write_png
from ..core.render import CONTOUR
from . import shapes as S
from .acting import plan_acting
from .character import Character, build_character
from .motion import CameraMotion, plan_camera, plan_character
from .render import SS, Canvas, Child, Item, finish

BACKGROUND_ID = 1
INK_ID = 0
DEMO_SEED = 6
DEMO_SIZE = (480, 360)

_BG_COLOURS = [(206, 228, 176), (196, 222, 244), (255, 232, 150), (240, 214, 190), (214, 206, 236)]


@dataclass
class SynthClip:
    """One generated clip, all frames in memory.

    lines: uint8[H, W, 4] per frame, the line file content (transparent background).
    gt: uint8[H, W, 4] per frame, flat colour per region, black ink, clear background.
    seg: int32[H, W] per frame: 0 = black ink, 1 = background, >= 2 part regions (the same
        id in every frame).  Colour-trace pixels carry the id of the region they belong to.
    palette: region id -> RGBA (id 1 is (0, 0, 0, 0)); ``gt == lut()[seg]`` exactly.
    """

    seed: int
    size: tuple[int, int]
    difficulty: float
    lines: list[np.ndarray]
    gt: list[np.ndarray]
    seg: list[np.ndarray]
    palette: dict[int, tuple[int, int, int, int]]

    @property
    def frames(self) -> int:
        return len(self.lines)

    def lut(self) -> np.ndarray:
        """uint8[max_id + 1, 4]: colour per id, row 0 = ink (0, 0, 0, 255)."""
        out = np.zeros((max(self.palette) + 1, 4), np.uint8)
        out[INK_ID] = CONTOUR
        for k, c in self.palette.items():
            out[k] = c
        return out


@dataclass
class _Actor:
    char: Character
    ids: list[int]
    motion: object
    z: float


def _backdrop(rng: np.random.Generator, w: int, h: int) -> list[tuple[np.ndarray, tuple]]:
    kind = int(rng.integers(5))
    col = _BG_COLOURS[int(rng.integers(len(_BG_COLOURS)))]
    if kind == 0:  # floor ellipse
        return [(S.ellipse(w * rng.uniform(0.4, 0.6), h * 0.9, w * 0.45, h * 0.12, 64), col)]
    if kind == 1:  # hills along the bottom
        xs = np.linspace(-0.1 * w, 1.1 * w, 9)
        ys = h * (0.62 + 0.1 * rng.uniform(-1, 1, 9))
        top = S.catmull_rom(np.stack([xs, ys], 1), 8, closed=False)
        return [(np.concatenate([top, [(1.1 * w, 1.1 * h), (-0.1 * w, 1.1 * h)]]), col)]
    if kind == 2:  # sun or moon disc plus window-ish panel
        r = min(w, h) * rng.uniform(0.1, 0.16)
        return [
            (S.superellipse(w * 0.5, h * 0.45, w * 0.42, h * 0.38, 6, 96), _BG_COLOURS[1]),
            (S.ellipse(w * rng.choice([0.2, 0.8]), h * 0.2, r, r, 48), _BG_COLOURS[2]),
        ]
    return []


FRAMINGS = ("full", "mid", "bust")
MOTIONS = ("default", "real")


def _layout(
    rng: np.random.Generator, chars: list[Character], w: int, h: int, framing: str | None
) -> list[tuple]:
    """(origin px, px per unit) for each character."""
    out = []
    n = len(chars)
    drawn = rng.choice(FRAMINGS, p=[0.4, 0.35, 0.25]) if n == 1 else rng.choice(FRAMINGS[:2])
    framing = framing or str(drawn)
    for i, c in enumerate(chars):
        bottom = c.top + c.height
        if framing == "full":
            unit = 0.9 * h / c.height
        elif framing == "mid":
            unit = h / 4.6
        else:
            unit = h / 3.3
        unit = min(unit, (w / n) / 3.4 if framing != "bust" else w / 3.0) * rng.uniform(0.85, 1.0)
        if framing == "full":
            oy = (h - (c.top + bottom) * unit) / 2
        else:
            oy = h * 0.07 - c.top * unit
        ox = w * (i + 0.5) / n + rng.uniform(-0.08, 0.08) * w / n
        out.append(((ox, oy + rng.uniform(-0.03, 0.03) * h), unit))
    return out


def generate_clip(
    seed: int,
    frames: int = 8,
    size: tuple[int, int] = (512, 512),
    difficulty: float = 0.5,
    characters: int | None = None,
    background: bool | None = None,
    framing: str | None = None,
    motion: str = "default",
    redraw: float = 0.0,
    sketch: float = 0.0,
) -> SynthClip:
    """Generate one clip in memory; deterministic for a given (seed, frames, size, difficulty,
    motion, redraw, sketch).

    size is (W, H).  difficulty 0..1 scales every motion amplitude.  characters (1 or 2)
    background and framing ("full", "mid", "bust") force those choices; None draws them
    from the seed.  motion: "default", small smooth moves per frame (what the shipped
    weights were trained on), or "real", drawn animation (:mod:`linepaint.synth.acting`):
    run and walk cycles and key poses with limbs swinging far, parts crossing, turning,
    appearing and disappearing between drawings.  redraw: each drawing redraws every
    part a little differently, as an animator does (:func:`redraw_field`): outlines move
    by up to ``redraw`` times the part's size, afresh each drawing; 0 (the default) draws
    the same clip as before the option existed.  sketch: stroke tails per 100 px of
    outline, as a hand's strokes run on past where they meet (pockets between strokes,
    as real line art has dozens of per drawing); 0 draws none, and the same clip.
    """
    if motion not in MOTIONS:
        raise ValueError(f"motion must be one of {', '.join(MOTIONS)}, not {motion!r}")
    acting = motion == "real"
    w, h = int(size[0]), int(size[1])
    rng = np.random.default_rng(seed)
    scale = 0.15 + 1.6 * float(np.clip(difficulty, 0.0, 1.0))
    n_chars = characters or (2 if rng.random() < 0.3 else 1)
    with_bg = background if background is not None else rng.random() < 0.5

    palette: dict[int, tuple[int, int, int, int]] = {BACKGROUND_ID: (0, 0, 0, 0)}
    next_id = BACKGROUND_ID + 1
    bg_items: list[tuple[int, np.ndarray]] = []
    for poly, col in _backdrop(rng, w, h) if with_bg else []:
        palette[next_id] = (*col, 255)
        bg_items.append((next_id, poly))
        next_id += 1

    chars = [build_character(rng, acting) for _ in range(n_chars)]
    if acting and framing is None:  # the whole body acts: show it
        framing = "full" if rng.random() < 0.75 else "mid"
    actors = []
    for i, (c, (origin, unit)) in enumerate(zip(chars, _layout(rng, chars, w, h, framing), strict=True)):
        ids = []
        for p in c.parts:
            if p.shape is None:
                ids.append(0)
                continue
            ids.append(next_id)
            palette[next_id] = (*c.palette[p.colour], 255)
            next_id += 1
        plan = plan_acting if acting else plan_character
        mo = plan(rng, c, frames, origin, unit, scale)
        z = 100.0 * (i if rng.random() < 0.5 else -i)
        actors.append(_Actor(c, ids, mo, z))
    cam = plan_camera(rng, (w, h), scale * 0.3 if acting else scale)
    base_w = rng.uniform(1.8, 3.2) * (min(w, h) / 512.0) ** 0.5
    gap_rate = 0.05

    lut = np.zeros((next_id, 4), np.uint8)
    lut[INK_ID] = CONTOUR
    for k, col in palette.items():
        lut[k] = col

    out_lines, out_gt, out_seg = [], [], []
    for t in range(frames):
        wobble = redraw_field(seed, t, actors, redraw) if redraw > 0 else None
        items = _frame_items(t, bg_items, actors, cam, scale, base_w, wobble)
        canvas = Canvas(w * SS, h * SS, rng, gap_rate)
        for it in sorted(items, key=lambda it: it.z):
            canvas.draw(it)
        if sketch > 0:
            canvas.add_tails(sketch, base_w * SS, np.random.default_rng([seed, t, 33]))
        fr = finish(canvas, lut)
        out_lines.append(fr.line)
        out_gt.append(fr.gt)
        out_seg.append(fr.seg)
    return SynthClip(
        seed=seed,
        size=(w, h),
        difficulty=float(difficulty),
        lines=out_lines,
        gt=out_gt,
        seg=out_seg,
        palette=palette,
    )


#: Spatial period of the redraw field, as a multiple of the part's size.
REDRAW_PERIOD = (0.6, 1.6)


def redraw_field(seed: int, t: int, actors: list[_Actor], amount: float):
    """(actor index, part index, points) -> points: drawing t's hand-drawn variation of each
    part's outline and strokes, in character units.  Two sine waves per axis with a period
    near the part's size and an amplitude of up to ``amount`` times it, drawn from a
    generator of its own (seed, t): the clip's plan is the same with or without it.  A
    part clipped to another moves with that one, so a shadow stays inside its part."""
    rng = np.random.default_rng([seed, t, 0x5EDA])
    waves = {}
    for a, actor in enumerate(actors):
        for i, p in enumerate(actor.char.parts):
            pts = p.shape if p.shape is not None else (np.concatenate(p.strokes) if p.strokes else None)
            size = float(np.ptp(pts, axis=0).max()) if pts is not None and len(pts) else 0.0
            k = rng.normal(size=(2, 2, 2))
            k *= 2 * np.pi / (np.linalg.norm(k, axis=-1, keepdims=True) * max(size, 1e-6))
            k /= rng.uniform(*REDRAW_PERIOD, (2, 2, 1))
            amp = amount * size * rng.uniform(0.25, 0.5, (2, 2))
            waves[a, i] = (k, rng.uniform(0, 2 * np.pi, (2, 2)), amp)

    def wobble(a: int, i: int, pts: np.ndarray) -> np.ndarray:
        parts = actors[a].char.parts
        while parts[i].clip >= 0:
            i = parts[i].clip
        k, phase, amp = waves[a, i]
        # axis d moves by the sum of two waves over the points' position
        shift = np.stack([(amp[d] * np.sin(pts @ k[d].T + phase[d])).sum(axis=1) for d in (0, 1)], axis=1)
        return pts + shift

    return wobble


def _frame_items(
    t: int, bg_items, actors: list[_Actor], cam: CameraMotion, scale: float, base_w: float, wobble=None
) -> list[Item]:
    cm = cam.matrix(t)
    items = []
    for k, (pid, poly) in enumerate(bg_items):
        q = poly @ cm[:2, :2].T + cm[:2, 2]
        items.append(Item(pid, cam.warp(q, t) * SS, z=-1000.0 + k, width=base_w))
    for ai, a in enumerate(actors):
        mats = a.motion.matrices(a.char, t, scale)
        top: dict[int, Item] = {}
        for i, p in enumerate(a.char.parts):
            if not a.motion.visible(i, p, t):
                continue
            if p.clip >= 0 and p.clip not in top:
                continue
            m = cm @ mats[i]
            a2, b2 = m[:2, :2].T, m[:2, 2]

            def tf(pts, a2=a2, b2=b2, i=i, ai=ai):
                if wobble is not None:
                    pts = wobble(ai, i, pts)
                return cam.warp(pts @ a2 + b2, t) * SS

            if p.clip >= 0:
                top[p.clip].children.append(
                    Child(
                        a.ids[i],
                        tf(p.shape),
                        p.line,
                        p.invert,
                        base_w * (0.8 if p.line else 0.9) * p.width,
                    )
                )
                continue
            it = Item(
                a.ids[i],
                None if p.shape is None else tf(p.shape),
                z=a.z + a.motion.depth(i, p, t),
                width=base_w * p.width,
                gap_ok=p.gap_ok,
                strokes=[tf(s) for s in p.strokes],
                stroke_width=base_w * p.stroke_width * 0.9,
            )
            top[i] = it
            items.append(it)
    return items


def _encode_seg(seg: np.ndarray) -> np.ndarray:
    s = seg.astype(np.int64)
    return np.stack([(s >> 16) & 255, (s >> 8) & 255, s & 255], axis=2).astype(np.uint8)


def decode_seg(rgb: np.ndarray) -> np.ndarray:
    """uint8[H, W, 3+] seg file content -> int32[H, W] region ids."""
    c = rgb[..., :3].astype(np.int32)
    return (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]


def write_clip(
    clip: SynthClip, out_dir: str | Path, gt_frames: Iterable[int] | None = None, seg: bool = True
) -> None:
    """Write line/ for every frame, gt/ for gt_frames (None: every frame), seg/ if asked."""
    out = Path(out_dir)
    keep = set(range(clip.frames)) if gt_frames is None else set(gt_frames)
    for sub in ["line", "gt"] + (["seg"] if seg else []):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for i in range(clip.frames):
        stem = f"{i:04d}.png"
        write_png(out / "line" / stem, clip.lines[i])
        if i in keep:
            write_png(out / "gt" / stem, clip.gt[i])
        if seg:
            write_png(out / "seg" / stem, _encode_seg(clip.seg[i]))


def clip_seed(seed: int, index: int) -> int:
    """Seed of clip ``index`` in a set generated from ``seed``."""
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0])


def iter_clips(
    seed: int,
    clips: int,
    frames: int = 8,
    size: tuple[int, int] = (512, 512),
    difficulty: float = 0.5,
    motion: str = "default",
    redraw: float = 0.0,
) -> Iterator[SynthClip]:
    """Yield clips one at a time (for training loops and progress reporting)."""
    for i in range(clips):
        yield generate_clip(clip_seed(seed, i), frames, size, difficulty, motion=motion, redraw=redraw)


def write_clips(
    out_dir: str | Path,
    clips: int,
    frames: int = 8,
    seed: int = 0,
    size: tuple[int, int] = (512, 512),
    difficulty: float = 0.5,
    motion: str = "default",
    redraw: float = 0.0,
) -> list[Path]:
    """Write ``out_dir/clip_000`` ... each from its own derived seed; returns the clip folders."""
    paths = []
    for i, clip in enumerate(iter_clips(seed, clips, frames, size, difficulty, motion, redraw)):
        p = Path(out_dir) / f"clip_{i:03d}"
        write_clip(clip, p)
        paths.append(p)
    return paths


def demo_clip() -> SynthClip:
    """The built-in demo clip in memory, with ground truth for every frame."""
    return generate_clip(
        DEMO_SEED,
        frames=8,
        size=DEMO_SIZE,
        difficulty=0.3,
        characters=1,
        background=False,
        framing="mid",
    )


def make_demo(out_dir: str | Path) -> Path:
    """Write the built-in demo clip: line art for 8 frames, gt for the keyframe 0 only."""
    write_clip(demo_clip(), out_dir, gt_frames=[0], seg=False)
    return Path(out_dir)

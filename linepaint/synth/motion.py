"""Motion of synthetic characters: joint swings, root and camera moves, elastic warp, blinks.

Everything is a smooth function of the frame index drawn from the clip's generator, so a
clip is deterministic by seed.  ``scale`` (from the difficulty knob) multiplies every
amplitude: 0 is a near-still shot, 1 a large move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .character import Character


def _rot(deg: float, cx: float, cy: float, sx: float = 1.0, sy: float = 1.0) -> np.ndarray:
    """3x3: scale then rotate about (cx, cy)."""
    a = np.deg2rad(deg)
    c, s = np.cos(a), np.sin(a)
    m = np.array([[c * sx, -s * sy, 0.0], [s * sx, c * sy, 0.0], [0.0, 0.0, 1.0]])
    m[0, 2] = cx - m[0, 0] * cx - m[0, 1] * cy
    m[1, 2] = cy - m[1, 0] * cx - m[1, 1] * cy
    return m


def _move(dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


#: Frames over which every steady drift stays exactly linear (the first frames of every
#: clip, all that the shipped weights were trained on, are unchanged by the bound).
LINEAR_FRAMES = 8


def sway(t: float, k: float) -> float:
    """t while |t| <= k, then back and forth between -k and k (a triangle wave of slope 1).

    Steady drifts (root walk, lean, zoom, camera pan and roll) run on ``sway(t, k)``
    instead of t, so a long clip keeps its character in frame."""
    p = (t + k) % (4.0 * k)
    return k - abs(p - 2.0 * k)


def _reach(rate: float, limit: float) -> float:
    """Frames of steady drift at ``rate`` per frame before it reaches ``limit``, never
    fewer than :data:`LINEAR_FRAMES`."""
    return max(float(LINEAR_FRAMES), limit / max(abs(rate), 1e-9))


@dataclass
class CharacterMotion:
    """Per-part oscillators and the character's placement on the canvas over time."""

    freq: np.ndarray  # float[P]
    phase: np.ndarray  # float[P]
    shift_phase: np.ndarray  # float[P, 2]
    base: np.ndarray  # float[P] rest-angle offset, degrees
    origin: np.ndarray  # float[2] canvas position of the character origin at t=0 (px)
    unit: float  # px per character unit at t=0
    velocity: np.ndarray  # float[2] px per frame
    turn: float  # degrees per frame of whole-body lean
    zoom: float  # relative scale change per frame
    bob: float  # px amplitude of a vertical bounce
    blink: np.ndarray  # bool[F] eyes closed
    mouth: np.ndarray  # float[F] mouth openness, 0 closed

    def matrices(self, char: Character, t: int, scale: float) -> list[np.ndarray]:
        return part_matrices(char, self, t, scale)

    def visible(self, i: int, part, t: int) -> bool:
        return visible(part.group, self, t)

    def depth(self, i: int, part, t: int) -> float:
        return part.z

    def drift(self, t: int) -> tuple[np.ndarray, float, float]:
        """(root offset px, lean degrees, zoom factor) at frame t, each bounded."""
        speed = float(np.hypot(*self.velocity))
        walk = self.velocity * sway(t, _reach(speed, 1.5 * self.unit))
        lean = self.turn * sway(t, _reach(self.turn, 10.0))
        zoom = 1 + self.zoom * sway(t, _reach(self.zoom, 0.15))
        return walk, lean, zoom


def plan_blinks(rng: np.random.Generator, frames: int) -> np.ndarray:
    """bool[F]: eyes closed for one or two frames now and then."""
    blink = np.zeros(frames, bool)
    t = 1
    while t < frames:
        if rng.random() < 0.15:
            k = int(rng.integers(1, 3))
            blink[t : t + k] = True
            t += k + 2
        else:
            t += 1
    return blink


def plan_character(
    rng: np.random.Generator, char: Character, frames: int, origin, unit: float, scale: float
) -> CharacterMotion:
    n = len(char.parts)
    blink = plan_blinks(rng, frames)
    mf, mp = rng.uniform(0.08, 0.3), rng.uniform(0, 2 * np.pi)
    talk = rng.random() < 0.7
    tt = np.arange(frames)
    mouth = np.clip(np.sin(2 * np.pi * mf * tt + mp) * 1.4 - 0.2, 0, 1) if talk else np.zeros(frames)
    ang = rng.uniform(0, 2 * np.pi)
    speed = rng.uniform(0.0, 1.0) * scale * unit * 0.25
    return CharacterMotion(
        freq=rng.uniform(0.04, 0.16, n),
        phase=rng.uniform(0, 2 * np.pi, n),
        shift_phase=rng.uniform(0, 2 * np.pi, (n, 2)),
        base=rng.uniform(-0.3, 0.3, n),
        origin=np.asarray(origin, np.float64),
        unit=unit,
        velocity=np.array([np.cos(ang), 0.4 * np.sin(ang)]) * speed,
        turn=rng.uniform(-1, 1) * scale * 1.5,
        zoom=rng.uniform(-1, 1) * scale * 0.015,
        bob=rng.uniform(0, 1) * scale * unit * 0.12,
        blink=blink,
        mouth=mouth,
    )


def part_matrices(char: Character, mo: CharacterMotion, t: int, scale: float) -> list[np.ndarray]:
    """3x3 matrices, character units -> canvas px (output scale), for every part at frame t."""
    walk, lean, zoom = mo.drift(t)
    root = _move(*(mo.origin + walk + (0.0, mo.bob * np.sin(0.9 * t)))) @ _rot(
        lean, 0.0, 0.0, mo.unit * zoom, mo.unit * zoom
    )
    mats: list[np.ndarray] = []
    for i, p in enumerate(char.parts):
        parent = root if p.parent < 0 else mats[p.parent]
        w = 2 * np.pi * mo.freq[i] * t
        m = parent
        if p.swing:
            deg = p.swing * (mo.base[i] + scale * np.sin(w + mo.phase[i]))
            sy = 1.0
            m = m @ _rot(deg, p.pivot[0], p.pivot[1], 1.0, sy)
        if p.group == "mouth_open":
            m = m @ _rot(0.0, p.pivot[0], p.pivot[1], 0.8 + 0.3 * mo.mouth[t], 0.4 + 0.8 * mo.mouth[t])
        if p.shift != (0.0, 0.0):
            sp = mo.shift_phase[i]
            m = m @ _move(
                p.shift[0] * np.sin(w + sp[0]) * min(1.0, scale + 0.3),
                p.shift[1] * np.sin(w + sp[1]) * min(1.0, scale + 0.3),
            )
        mats.append(m)
    return mats


def visible(part_group: str, mo: CharacterMotion, t: int) -> bool:
    if part_group == "eyes_open":
        return not mo.blink[t]
    if part_group == "eyes_closed":
        return bool(mo.blink[t])
    if part_group == "mouth_open":
        return mo.mouth[t] > 0.05
    if part_group == "mouth_closed":
        return mo.mouth[t] <= 0.05
    return True


@dataclass
class CameraMotion:
    """Global pan / zoom / roll about the canvas centre plus a smooth elastic warp."""

    centre: np.ndarray
    pan: np.ndarray  # px per frame
    zoom: float  # per frame
    roll: float  # degrees per frame
    warp_amp: float  # px
    warp_k: np.ndarray  # float[2, 2] wave vectors (rad per px)
    warp_w: np.ndarray  # float[2] rad per frame
    warp_phase: np.ndarray  # float[2]

    def matrix(self, t: int) -> np.ndarray:
        c = self.centre
        d = float(min(c)) * 2
        pan = self.pan * sway(t, _reach(float(np.hypot(*self.pan)), 0.1 * d))
        roll = self.roll * sway(t, _reach(self.roll, 6.0))
        zoom = 1 + self.zoom * sway(t, _reach(self.zoom, 0.15))
        return _move(*pan) @ _rot(roll, c[0], c[1], zoom, zoom)

    def warp(self, pts: np.ndarray, t: int) -> np.ndarray:
        if self.warp_amp <= 0:
            return pts
        ph = pts @ self.warp_k.T + self.warp_w * t + self.warp_phase  # [N, 2]
        return pts + self.warp_amp * np.sin(ph[:, ::-1])


def plan_camera(rng: np.random.Generator, size: tuple[int, int], scale: float) -> CameraMotion:
    w, h = size
    d = float(min(w, h))
    moving = rng.random() < 0.7
    k = 2 * np.pi / (d * rng.uniform(0.6, 1.4, (2, 2))) * rng.choice([-1, 1], (2, 2))
    return CameraMotion(
        centre=np.array([w / 2.0, h / 2.0]),
        pan=rng.uniform(-1, 1, 2) * d * 0.02 * scale * moving,
        zoom=rng.uniform(-1, 1) * 0.02 * scale * moving,
        roll=rng.uniform(-1, 1) * 1.5 * scale * moving,
        warp_amp=d * 0.008 * scale * rng.uniform(0.3, 1.0),
        warp_k=k,
        warp_w=rng.uniform(0.2, 0.8, 2),
        warp_phase=rng.uniform(0, 2 * np.pi, 2),
    )

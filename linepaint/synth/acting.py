"""Motion like drawn animation (``generate_clip(..., motion="real")``): run and walk cycles
and key poses, drawing by drawing.

Limbs swing 30-120 degrees about their joints between drawings a few apart, elbows and
knees bend, the far arm passes in front of the torso and back, the body turns so the near
and far limbs swap, the scarf's ends flip from one side to the other, the tail crosses the
legs, the back of the clothes and a strap appear and disappear, eyes blink and the mouth
opens; the body squashes on contact and bobs.  The character runs on the spot (the camera
follows it, as in a studio cycle) and sways back and forth within the shot by up to a head,
so a clip of any length stays in frame.  Every pose is a
function of the drawing index planned from the clip's generator: deterministic by seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .character import Character, Part
from .motion import _move, _rot, plan_blinks

ACTIONS = ("run", "walk", "pose")

_NAME = re.compile(r"(?P<base>[a-z_]+?)(?P<side>-1|1)?")
#: Parts whose faces-on position slides sideways when the head turns.
_FEATURES = {"eye", "eye_closed", "mouth_open", "mouth_closed", "face_lines", "ear", "blush"}


def role(part: Part) -> tuple[str, int]:
    """(base name, side -1 / 1 or 0) of a part: ``forearm-1`` -> ("forearm", -1)."""
    m = _NAME.fullmatch(part.name)
    if not m:
        return part.name, 0
    return m["base"], int(m["side"] or 0)


def _keyed(rng: np.random.Generator, frames: int, lo: float, hi: float, gap=(2, 5)) -> np.ndarray:
    """float[F]: values drawn in [lo, hi] at key drawings 2-5 apart, eased in and out
    between keys (the timing of key poses and in-betweens)."""
    keys = [0]
    while len(keys) < 2 or keys[-1] < frames - 1:  # two keys even for a single drawing
        keys.append(keys[-1] + int(rng.integers(gap[0], gap[1] + 1)))
    vals = rng.uniform(lo, hi, len(keys))
    t = np.arange(frames, dtype=np.float64)
    j = np.clip(np.searchsorted(keys, t, side="right") - 1, 0, len(keys) - 2)
    k0, k1 = np.asarray(keys)[j], np.asarray(keys)[j + 1]
    u = (t - k0) / (k1 - k0)
    u = u * u * (3 - 2 * u)
    return vals[j] * (1 - u) + vals[j + 1] * u


@dataclass
class ActingMotion:
    """Per drawing t and part i: angle about the pivot (degrees), z, shown, sideways slide
    (character units); per drawing: root position (canvas px), lean (degrees), squash
    (x, y scale about the feet) and the turn's x scale of the body."""

    angle: np.ndarray  # float[F, P]
    z: np.ndarray  # float[F, P]
    show: np.ndarray  # bool[F, P]
    slide: np.ndarray  # float[F, P]
    root: np.ndarray  # float[F, 2]
    lean: np.ndarray  # float[F]
    squash: np.ndarray  # float[F, 2]
    turn: np.ndarray  # float[F]
    mouth: np.ndarray  # float[F]
    narrow: np.ndarray  # float[F, P] x scale of a part about its own centre (the far eye)
    unit: float
    feet: float  # y of the soles, character units
    action: str = "run"
    head: float = 0.8  # head scale about the chin: smaller than chibi, the body acts

    def matrices(self, char: Character, t: int, scale: float) -> list[np.ndarray]:
        """3x3 matrices, character units -> canvas px, for every part at drawing t."""
        sx, sy = self.squash[t]
        root = (
            _move(*self.root[t])
            @ _rot(self.lean[t], 0.0, self.feet, 1.0, 1.0)
            @ _rot(0.0, 0.0, self.feet, sx, sy)
            @ _rot(0.0, 0.0, 0.0, self.unit, self.unit)
        )
        mats: list[np.ndarray] = []
        for i, p in enumerate(char.parts):
            m = root if p.parent < 0 else mats[p.parent]
            if self.angle[t, i]:
                m = m @ _rot(self.angle[t, i], p.pivot[0], p.pivot[1])
            if p.name == "torso":
                m = m @ _rot(0.0, 0.0, 0.0, self.turn[t], 1.0)
            if p.name == "head":
                m = m @ _rot(0.0, p.pivot[0], p.pivot[1], self.head, self.head)
            if self.narrow[t, i] != 1.0:
                m = m @ _rot(0.0, float(p.shape[:, 0].mean()), 0.0, self.narrow[t, i], 1.0)
            if p.group == "mouth_open":
                o = self.mouth[t]
                m = m @ _rot(0.0, p.pivot[0], p.pivot[1], 0.8 + 0.3 * o, 0.4 + 0.8 * o)
            if self.slide[t, i]:
                m = m @ _move(self.slide[t, i], 0.0)
            mats.append(m)
        return mats

    def visible(self, i: int, part: Part, t: int) -> bool:
        return bool(self.show[t, i])

    def depth(self, i: int, part: Part, t: int) -> float:
        return float(self.z[t, i])


def plan_acting(
    rng: np.random.Generator, char: Character, frames: int, origin, unit: float, scale: float
) -> ActingMotion:
    """Plan every drawing of one character's performance.  ``scale`` (0.15..1.75 from the
    difficulty) widens the swings: about 1 is a brisk run."""
    n = len(char.parts)
    action = ACTIONS[int(rng.choice(3, p=[0.5, 0.2, 0.3]))]
    amp = float(np.clip(0.55 + 0.45 * scale, 0.6, 1.35))
    face = 1 if rng.random() < 0.5 else -1  # the way the character runs (screen x)
    period = rng.uniform(5.0, 8.0) if action == "run" else rng.uniform(7.0, 11.0)
    t = np.arange(frames, dtype=np.float64)
    phi = 2 * np.pi * t / period + rng.uniform(0, 2 * np.pi)

    if action == "pose":
        yaw = _keyed(rng, frames, -40, 40)
    else:
        yaw = face * rng.uniform(15, 40) + 6 * np.sin(phi / 2 + rng.uniform(0, 6))
    facing = np.where(yaw >= 0, 1, -1)
    # the turn narrows the body and slides the face toward where it looks
    turn = 1.0 - 0.22 * np.abs(np.sin(np.deg2rad(yaw)))
    look = 0.45 * np.sin(np.deg2rad(yaw))

    angle = np.zeros((frames, n))
    z = np.tile([p.z for p in char.parts], (frames, 1))
    show = np.ones((frames, n), bool)
    slide = np.zeros((frames, n))
    narrow = np.ones((frames, n))
    blink = plan_blinks(rng, frames)
    mouth = _keyed(rng, frames, -0.6, 1.0, (1, 3)).clip(0, 1)
    lining_phase = rng.uniform(0, 2 * np.pi)

    arm_a, leg_a = rng.uniform(35, 60) * amp, rng.uniform(25, 45) * amp
    elbow0, elbow1 = rng.uniform(50, 85), rng.uniform(10, 30)
    knee_k = rng.uniform(50, 90) * amp
    if action == "walk":
        arm_a, leg_a, elbow0, knee_k = arm_a * 0.6, leg_a * 0.7, elbow0 * 0.4, knee_k * 0.5
    # per side: the phase of that side's leg; its arm swings against it
    leg_phase = {s: phi + (0 if s == face else np.pi) for s in (-1, 1)}
    keyed = {}  # key poses, per (role, side), for action "pose"

    def pose(key, lo, hi):
        if key not in keyed:
            keyed[key] = _keyed(rng, frames, lo * amp, hi * amp)
        return keyed[key]

    lag = rng.uniform(0.6, 1.6)
    scarf_side = face * _keyed(rng, frames, -0.7, 1.0, (2, 4))
    for i, p in enumerate(char.parts):
        base, side = role(p)
        f = face
        if base == "torso":
            angle[:, i] = 3 * np.sin(2 * phi)
        elif base == "head":
            angle[:, i] = pose("head", -14, 14) if action == "pose" else 5 * np.sin(2 * phi + 1)
        elif base == "sleeve":
            if action == "pose":
                a = -side * pose(("arm", side), -40, 130)
            else:
                a = f * arm_a * np.sin(leg_phase[side])
            angle[:, i] = a
            # the far arm passes in front of the torso when it swings forward; the near
            # arm goes behind it when it swings far back
            near = side == -facing
            fwd = -f * a if action != "pose" else np.abs(a)
            front = np.where(near, fwd > -0.55 * arm_a, fwd > 0.4 * arm_a)
            z[:, i] = np.where(front, 12.5, 4.5)
        elif base in ("sleeve_shadow", "forearm", "hand"):
            up = _index(char, f"sleeve{side}")
            if base == "forearm":
                if action == "pose":
                    angle[:, i] = -side * pose(("elbow", side), 0, 110)
                else:
                    angle[:, i] = -f * (elbow0 + elbow1 * np.sin(leg_phase[side]))
            elif base == "hand":
                angle[:, i] = 12 * np.sin(phi + side)
            z[:, i] = z[:, up] + (p.z - char.parts[up].z)
        elif base == "leg":
            if action == "pose":
                angle[:, i] = -side * pose(("leg", side), -10, 35)
            else:
                angle[:, i] = -f * leg_a * np.sin(leg_phase[side])
            near = side == -facing
            z[:, i] = np.where(near, 5.5, 3.9)
        elif base in ("leg_shadow", "shin", "shin_shadow", "shoe"):
            leg = _index(char, f"leg{side}")
            if base == "shin":
                if action == "pose":
                    angle[:, i] = side * pose(("knee", side), 0, 60)
                else:
                    angle[:, i] = f * (10 + knee_k * (0.5 - 0.5 * np.cos(leg_phase[side] - 0.8 - np.pi / 2)))
            elif base == "shoe":
                angle[:, i] = (
                    -0.25 * angle[:, _index(char, f"shin{side}")] if _has(char, f"shin{side}") else 0
                )
            z[:, i] = z[:, leg] + (p.z - char.parts[leg].z)
        elif base == "animal_tail":
            a = pose("tail", -50, 50) if action == "pose" else 40 * amp * np.sin(phi - lag)
            angle[:, i] = a
            # swinging down and under, the tail passes in front of the legs
            tail_side = np.sign(p.shape[:, 0].mean() - p.pivot[0]) or 1
            z[:, i] = np.where(a * tail_side > 20 * amp, 8.5, 3.5)
        elif base == "animal_tail_tip":
            z[:, i] = z[:, p.parent] + 0.01
        elif base == "scarf_end":
            # trailing behind the run, now and then flipping over to the front
            a = 95 * scarf_side + 25 * np.sin(2 * phi - lag + side)
            angle[:, i] = a + 6 * side
            z[:, i] = np.where(a * face > 0, 9.6, 11.6) + 0.01 * side
        elif base in ("lock", "tail", "ahoge", "bow", "back_hair", "skirt"):
            reach = {"lock": 14, "tail": 28, "ahoge": 25, "bow": 10, "back_hair": 4, "skirt": 6}[base]
            angle[:, i] = reach * amp * np.sin(2 * phi - lag + side) - face * reach * 0.3
        elif p.swing:
            angle[:, i] = p.swing * 0.6 * np.sin(phi + i)
        if base in _FEATURES:
            slide[:, i] = look
            if base == "eye":  # the far eye turns away: narrower
                narrow[:, i] = np.where(facing == side, 1 - 0.5 * np.abs(np.sin(np.deg2rad(yaw))), 1.0)
            if base == "ear":
                slide[:, i] = -0.25 * look
                show[:, i] = ~((np.abs(yaw) > 15) & (facing == side))
        if p.group == "eyes_open":
            show[:, i] = ~blink
        elif p.group == "eyes_closed":
            show[:, i] = blink
        elif p.group == "mouth_open":
            show[:, i] = mouth > 0.05
        elif p.group == "mouth_closed":
            show[:, i] = mouth <= 0.05
        elif p.group == "lining":
            show[:, i] = np.sin(phi + lining_phase) > 0.1
        elif p.group == "strap":
            show[:, i] = yaw * (1 if p.shape[0, 0] > 0 else -1) > 6

    # on the spot: bob up at the passing position, squash on contact, a small sway
    step = np.abs(np.cos(phi))  # 1 at contact, 0 passing
    bob = (0.22 if action == "run" else 0.1) * amp * (1 - step)
    sq = rng.uniform(0.04, 0.1) * amp * np.clip((step - 0.75) / 0.25, 0, 1) * (action != "pose")
    squash = np.stack([1 + 0.6 * sq, 1 - sq], 1)
    # the figure travels a little within the shot, back and forth, never out of it
    drift = rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * t / rng.uniform(16, 40) + rng.uniform(0, 6))
    root = np.asarray(origin, np.float64) + unit * np.stack([drift, -bob], 1)
    lean = face * rng.uniform(4, 12) * (action == "run") + 2 * np.sin(2 * phi)
    if action == "pose":
        lean = _keyed(rng, frames, -8, 8)
    return ActingMotion(
        angle=angle,
        z=z,
        show=show,
        slide=slide,
        narrow=narrow,
        root=root,
        lean=lean,
        squash=squash,
        turn=turn,
        mouth=mouth,
        unit=unit,
        feet=char.top + char.height,
        action=action,
    )


def _index(char: Character, name: str) -> int:
    return next(i for i, p in enumerate(char.parts) if p.name == name)


def _has(char: Character, name: str) -> bool:
    return any(p.name == name for p in char.parts)

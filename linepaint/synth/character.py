"""Random cartoon characters as trees of parts, with a per-character palette that reuses
colours (:mod:`linepaint.synth.colours`), built body part by body part.

Coordinates are character units: head centre at (0, 0), head radius about 1, y down.
Every part keeps its rest-pose outline; :mod:`linepaint.synth.motion` (default) or
:mod:`linepaint.synth.acting` (``motion="real"``) poses it per frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import shapes as S
from .colours import ACCENT, CLOTH, SHOES, distinct, make_palette, shade, tint

# Line kinds: how a region's own outline is drawn.
BLACK, RED, GREEN, BLUE = 0, 1, 2, 3


@dataclass
class Part:
    """One drawn piece of a character.

    shape: float64[N, 2] closed outline in rest pose, or None for a stroke-only part.
    parent: index of the part whose transform this one follows (-1: character root).
    clip: index of the part whose filled area bounds this one (-1: none); a clipped
        part is drawn right after that part, and its outline is drawn only inside it.
    invert: with clip, the region is clip-part minus shape (a crescent from an ellipse).
    line: BLACK, or RED/GREEN/BLUE for a colour-trace boundary.
    strokes: open strokes (dangling lines) drawn inside this part.
    """

    name: str
    colour: str
    shape: np.ndarray | None
    z: float
    parent: int = -1
    pivot: tuple[float, float] = (0.0, 0.0)
    clip: int = -1
    invert: bool = False
    line: int = BLACK
    width: float = 1.0
    strokes: list[np.ndarray] = field(default_factory=list)
    stroke_width: float = 1.0
    swing: float = 0.0  # rotation amplitude about pivot, degrees at motion scale 1
    shift: tuple[float, float] = (0.0, 0.0)  # translation amplitude, character units
    group: str = ""  # visibility group ("eyes_open", "eyes_closed", "mouth_open", ...)
    gap_ok: bool = True  # may get a deliberate small gap in its outline
    id: int = 0


@dataclass
class Character:
    parts: list[Part]
    palette: dict[str, tuple[int, int, int]]
    height: float  # top of hair to feet, character units
    top: float


class _Builder:
    def __init__(self) -> None:
        self.parts: list[Part] = []

    def add(self, part: Part) -> int:
        self.parts.append(part)
        return len(self.parts) - 1


def _face(rng: np.random.Generator) -> np.ndarray:
    w = rng.uniform(0.92, 1.05)
    jaw = rng.uniform(0.78, 0.9)
    chin = rng.uniform(1.05, 1.25)
    ctrl = [
        (0.0, -1.0),
        (0.72 * w, -0.72),
        (w, -0.05),
        (0.92 * w, 0.45),
        (jaw * 0.75, 0.82),
        (0.28, chin - 0.08),
        (0.0, chin),
        (-0.28, chin - 0.08),
        (-jaw * 0.75, 0.82),
        (-0.92 * w, 0.45),
        (-w, -0.05),
        (-0.72 * w, -0.72),
    ]
    return S.catmull_rom(np.array(ctrl), per_seg=7)


def _fringe(rng: np.random.Generator, w: float) -> np.ndarray:
    """Front hair: a cap over the skull whose lower edge is a row of pointed tufts."""
    n_tufts = int(rng.integers(4, 8))
    r = 1.12
    top = S.arc(0.0, 0.02, r * w, r * 1.02, np.pi * 1.04, np.pi * 1.96, 24)  # left to right over the top
    xs = np.linspace(top[-1, 0], top[0, 0], n_tufts + 1)
    pts: list = [top[-1]]
    edge_y = lambda x: 0.05 + 0.25 * (abs(x) / (r * w)) ** 2  # noqa: E731
    for i in range(n_tufts):
        x0, x1 = xs[i], xs[i + 1]
        tip_x = x0 + (x1 - x0) * rng.uniform(0.3, 0.7)
        tip_y = edge_y(tip_x) + rng.uniform(0.05, 0.35)
        notch_y = edge_y(x1) - rng.uniform(0.2, 0.45)
        lean = rng.uniform(-0.08, 0.08)
        pts += [((x0 + tip_x) / 2 + lean, (tip_y + edge_y(x0) - 0.3) / 2 + 0.05), (tip_x, tip_y)]
        if i < n_tufts - 1:
            pts += [((tip_x + x1) / 2 + lean, (tip_y + notch_y) / 2 + 0.05), (x1, notch_y)]
        else:
            pts += [((tip_x + x1) / 2, (tip_y + top[0, 1]) / 2), tuple(top[0])]
    edge = S.quad_path(pts, n=6)
    return np.concatenate([top[:-1], edge[:-1]])


def _tuft(x: float, y: float, length: float, width: float, bend: float) -> np.ndarray:
    """A hanging lock of hair from (x, y) down, pointed at the end."""
    tip = (x + bend, y + length)
    return S.quad_path(
        [
            (x - width, y),
            (x - width * 0.8 + bend * 0.3, y + length * 0.6),
            tip,
            (x + width * 0.9 + bend * 0.4, y + length * 0.55),
            (x + width, y),
            (x, y - width * 0.5),
            (x - width, y),
        ],
        n=8,
    )[:-1]


@dataclass
class _Body:
    """Proportions of one character, drawn once, shared by every body part's builder."""

    lw: float  # line weight
    torso_w: float
    torso_top: float
    torso_bot: float
    long_sleeve: bool
    side: int  # the side the body's shadow falls on
    skirt: bool = False
    leg_len: float = 0.0
    knees: bool = False  # legs as thigh + shin (for motion that bends them)
    limb: float = 1.0  # length factor of arms and legs

    @property
    def hip_y(self) -> float:
        return self.torso_bot - 0.1


def build_character(rng: np.random.Generator, acting: bool = False) -> Character:
    """A random chibi character, front view, with hair, face, eyes, mouth, body, limbs, clothes.

    Every body part's builder draws from ``rng`` in a fixed order, so one seed always
    gives the same character.  ``acting`` (for :mod:`linepaint.synth.acting`): legs bend
    at the knee, the face's lines turn with the features, and the costume gets what large
    motion shows: a scarf whose ends flip, a tail, the back of the clothes, a strap (drawn
    last, so the character is otherwise the one the same draws give without it).
    """
    pal = make_palette(rng)
    b = _Builder()
    lw = rng.uniform(0.85, 1.25)
    torso_w = rng.uniform(0.62, 0.85)
    torso_top, torso_bot = 1.45, rng.uniform(2.9, 3.2)
    body = _Body(lw, torso_w, torso_top, torso_bot, long_sleeve=rng.random() < 0.5, side=0)
    torso = _add_torso(rng, b, body)
    neck = _add_neck(b, body, torso)
    _add_collar_and_buttons(rng, b, body, torso)
    body.skirt = rng.random() < 0.5
    body.limb = 1.3 if acting else 1.0  # longer limbs: more of the figure acts
    body.leg_len = rng.uniform(1.3, 1.7) * body.limb
    body.knees = acting
    _add_legs(b, body, torso)
    _add_skirt_or_shorts(b, body, torso)
    _add_arms(rng, b, body, torso)
    head = _add_head(rng, b, body, neck)
    _add_face_marks(rng, b, head)
    _add_eyes(rng, b, body, head)
    _add_mouth(rng, b, body, head)
    _add_front_hair(rng, b, body, head)
    _add_accessory(rng, b, body, head)
    if acting:
        _add_face_lines(b, head)
        _add_costume(rng, b, body, pal, torso)
    return Character(parts=b.parts, palette=pal, height=torso_bot + body.leg_len + 0.3 + 1.7, top=-1.7)


def _add_torso(rng: np.random.Generator, b: _Builder, body: _Body) -> int:
    """Torso (drawn behind the head) with cloth folds and its shadow; returns its index."""
    tw, top, bot = body.torso_w, body.torso_top, body.torso_bot
    torso_ctrl = np.array(
        [
            (-0.25, top - 0.05),
            (-tw * 0.95, top + 0.08),
            (-tw * 1.08, top + 0.35),
            (-tw * 0.95, (top + bot) / 2),
            (-tw * 0.98, bot),
            (tw * 0.98, bot),
            (tw * 0.95, (top + bot) / 2),
            (tw * 1.08, top + 0.35),
            (tw * 0.95, top + 0.08),
            (0.25, top - 0.05),
        ]
    )
    torso = b.add(
        Part("torso", "shirt", S.catmull_rom(torso_ctrl, 7), z=10, width=body.lw, swing=3, pivot=(0.0, bot))
    )
    body.side = 1 if rng.random() < 0.5 else -1
    for _ in range(int(rng.integers(0, 3))):  # cloth folds: open strokes that close nothing
        fx, fy = rng.uniform(-0.5, 0.5) * tw, rng.uniform(2.0, bot - 0.3)
        b.parts[torso].strokes.append(
            S.arc(fx, fy - 0.3, 0.12, 0.3, -0.5 * np.pi + 0.3, 0.5 * np.pi - 0.3, 6)
            * (rng.choice([-1, 1]), 1)
            + (2 * fx if fx < 0 else 0, 0)
        )
    b.add(
        Part(
            "torso_shadow",
            "shirt_shadow",
            S.ellipse(-body.side * 0.25, 2.0, tw * 1.05, 1.4),
            z=10.1,
            parent=torso,
            clip=torso,
            invert=True,
            line=BLUE,
        )
    )
    return torso


def _add_neck(b: _Builder, body: _Body, torso: int) -> int:
    neck = b.add(
        Part(
            "neck",
            "skin",
            S.superellipse(0, 1.15, 0.2, 0.45, 4),
            z=11,
            parent=torso,
            pivot=(0, 1.4),
            width=body.lw,
            gap_ok=False,
        )
    )
    b.add(
        Part(
            "neck_shadow",
            "skin_shadow",
            S.ellipse(0, 0.95, 0.6, 0.45),
            z=11.1,
            parent=neck,
            clip=neck,
            line=BLUE,
        )
    )
    return neck


def _add_collar_and_buttons(rng: np.random.Generator, b: _Builder, body: _Body, torso: int) -> None:
    collar_kind = int(rng.integers(3))
    if collar_kind == 0:  # sailor collar
        c = S.catmull_rom(
            np.array(
                [
                    (-0.3, 1.3),
                    (0, 2.0),
                    (0.3, 1.3),
                    (0.8, 1.45),
                    (0.45, 2.05),
                    (0, 2.35),
                    (-0.45, 2.05),
                    (-0.8, 1.45),
                ]
            ),
            6,
        )
        b.add(Part("collar", "collar", c, z=10.2, parent=torso, clip=torso, width=body.lw))
    elif collar_kind == 1:  # v-neck showing skin
        vneck = np.array([(-0.3, 1.3), (0.3, 1.3), (0.0, 1.9)])
        b.add(Part("vneck", "skin", vneck, z=10.2, parent=torso, clip=torso, width=body.lw))
    for i in range(int(rng.integers(0, 4))):
        b.add(
            Part(
                f"button{i}",
                "button",
                S.ellipse(0, 2.2 + 0.28 * i, 0.07, 0.07, 16),
                z=10.3,
                parent=torso,
                clip=torso,
                width=body.lw * 0.8,
                gap_ok=False,
            )
        )


def _add_legs(b: _Builder, body: _Body, torso: int) -> None:
    """Two legs (bare under a skirt, trousers otherwise) with shoes, swinging at the hip;
    with ``body.knees`` each leg is a thigh and a shin bending at the knee."""
    hip_y, leg_len = body.hip_y, body.leg_len
    colour = "skin" if body.skirt else "pants"
    for sgn in (-1, 1):
        hx = sgn * body.torso_w * 0.45
        foot = (hx + sgn * 0.05, hip_y + leg_len)
        knee = (hx + sgn * 0.025, hip_y + 0.5 * leg_len)
        leg = b.add(
            Part(
                f"leg{sgn}",
                colour,
                S.capsule((hx, hip_y), knee if body.knees else foot, 0.24, 0.21 if body.knees else 0.19),
                z=5,
                parent=torso,
                pivot=(hx, hip_y),
                swing=8,
                width=body.lw,
            )
        )
        _add_leg_shadow(b, body, leg, f"leg_shadow{sgn}", (hx - sgn * 0.25, hip_y + 0.8), 5.1)
        lower = leg
        if body.knees:
            shin = S.capsule(knee, foot, 0.21, 0.19)
            lower = b.add(Part(f"shin{sgn}", colour, shin, z=5.05, parent=leg, pivot=knee, width=body.lw))
            _add_leg_shadow(b, body, lower, f"shin_shadow{sgn}", (knee[0] - sgn * 0.25, foot[1] - 0.2), 5.15)
        fy = hip_y + leg_len
        b.add(
            Part(
                f"shoe{sgn}",
                "shoes",
                S.superellipse(hx + sgn * 0.1, fy + 0.05, 0.3, 0.17, 2.6, 40),
                z=6,
                parent=lower,
                pivot=(hx, fy),
                swing=5,
                width=body.lw,
            )
        )


def _add_leg_shadow(b: _Builder, body: _Body, leg: int, name: str, centre: tuple, z: float) -> None:
    """A trouser leg's shadow (bare legs under a skirt have none)."""
    if not body.skirt:
        shadow = S.ellipse(centre[0], centre[1], 0.25, 1.2)
        b.add(Part(name, "pants_shadow", shadow, z=z, parent=leg, clip=leg, line=BLUE))


def _add_skirt_or_shorts(b: _Builder, body: _Body, torso: int) -> None:
    tw, bot = body.torso_w, body.torso_bot
    if not body.skirt:
        shorts = S.superellipse(0, bot + 0.15, tw * 1.02, 0.35, 3)
        b.add(Part("shorts", "pants", shorts, z=9, parent=torso, width=body.lw))
        return
    sk = S.catmull_rom(
        np.array(
            [
                (-tw * 0.95, bot - 0.25),
                (tw * 0.95, bot - 0.25),
                (tw * 1.35, bot + 0.75),
                (0, bot + 0.85),
                (-tw * 1.35, bot + 0.75),
            ]
        ),
        8,
    )
    skp = b.add(Part("skirt", "pants", sk, z=9, parent=torso, pivot=(0, bot), swing=3, width=body.lw))
    b.add(
        Part(
            "skirt_shadow",
            "pants_shadow",
            S.ellipse(body.side * 0.6, bot + 0.7, 0.35, 0.8),
            z=9.1,
            parent=skp,
            clip=skp,
            line=BLUE,
        )
    )
    b.parts[skp].strokes = [S.arc(0, bot + 0.2, 0.25 + 0.1 * k, 0.3, 1.1, 1.9, 6) for k in range(1)]


def _add_arms(rng: np.random.Generator, b: _Builder, body: _Body, torso: int) -> None:
    """Sleeve about the shoulder, forearm and hand about the elbow; one arm in front of the
    torso, the other behind it."""
    front_arm = 1 if rng.random() < 0.5 else -1
    for sgn in (-1, 1):
        sx, sy = sgn * body.torso_w * 0.92, body.torso_top + 0.3
        ex, ey = sx + sgn * 0.25 * body.limb, sy + 0.85 * body.limb
        hx, hy = ex + sgn * 0.05, ey + 0.75 * body.limb
        z = 12 if sgn == front_arm else 4
        up = b.add(
            Part(
                f"sleeve{sgn}",
                "shirt",
                S.capsule((sx, sy), (ex, ey), 0.27, 0.25),
                z=z + 0.5,
                parent=torso,
                pivot=(sx, sy),
                swing=18,
                width=body.lw,
            )
        )
        b.add(
            Part(
                f"sleeve_shadow{sgn}",
                "shirt_shadow",
                S.ellipse(sx - sgn * 0.3, ey, 0.2, 1.0 * body.limb),
                z=z + 0.6,
                parent=up,
                clip=up,
                line=BLUE,
            )
        )
        fore = b.add(
            Part(
                f"forearm{sgn}",
                "shirt" if body.long_sleeve else "skin",
                S.capsule((ex, ey), (hx, hy), 0.2, 0.17),
                z=z,
                parent=up,
                pivot=(ex, ey),
                swing=22,
                width=body.lw,
            )
        )
        b.add(
            Part(
                f"hand{sgn}",
                "skin",
                S.blob(rng, hx, hy + 0.1, 0.2, 0.22, 0.1, 36),
                z=z + 0.2,
                parent=fore,
                pivot=(hx, hy),
                swing=10,
                width=body.lw,
            )
        )


def _add_head(rng: np.random.Generator, b: _Builder, body: _Body, neck: int) -> int:
    """Head, back hair (maybe twin tails) and ears; returns the head's index."""
    lw = body.lw
    head = b.add(
        Part(
            "head",
            "skin",
            _face(rng),
            z=20,
            parent=neck,
            pivot=(0, 1.1),
            swing=7,
            width=lw * 1.1,
            gap_ok=False,
        )
    )
    style = int(rng.integers(4))
    back_len = [0.7, 1.6, 2.6, 0.9][style]
    back = S.catmull_rom(
        np.array(
            [
                (0, -1.2),
                (1.15, -0.7),
                (1.3, 0.3),
                (1.2, back_len),
                (0.5, back_len + 0.15),
                (0, back_len - 0.1),
                (-0.5, back_len + 0.15),
                (-1.2, back_len),
                (-1.3, 0.3),
                (-1.15, -0.7),
            ]
        ),
        8,
    )
    bh = b.add(Part("back_hair", "hair", back, z=3, parent=head, pivot=(0, 0), swing=3, width=lw))
    b.add(
        Part(
            "back_hair_shadow",
            "hair_shadow",
            S.ellipse(0, -0.2, 1.0, back_len + 0.3),
            z=3.1,
            parent=bh,
            clip=bh,
            invert=True,
            line=BLUE,
        )
    )
    if style == 3:  # twin tails swinging about their roots
        for sgn in (-1, 1):
            tail = _tuft(sgn * 1.3, -0.5, rng.uniform(2.2, 3.0), 0.35, sgn * 0.4)
            t = b.add(
                Part(
                    f"tail{sgn}", "hair", tail, z=2, parent=head, pivot=(sgn * 1.3, -0.5), swing=12, width=lw
                )
            )
            tie = S.ellipse(sgn * 1.25, -0.55, 0.16, 0.2, 24)
            b.add(Part(f"tie{sgn}", "accent", tie, z=19, parent=t, width=lw * 0.9, gap_ok=False))
    for sgn in (-1, 1):
        ear = S.ellipse(sgn * 1.0, 0.15, 0.18, 0.27, 28)
        b.add(Part(f"ear{sgn}", "skin", ear, z=19.5, parent=head, width=lw))
    return head


def _add_face_marks(rng: np.random.Generator, b: _Builder, head: int) -> None:
    """The face's shadow (blue trace) and blush spots (red trace)."""
    shadow = S.ellipse(0, -0.75, 1.35, 0.95)
    b.add(Part("face_shadow", "skin_shadow", shadow, z=20.1, parent=head, clip=head, line=BLUE))
    for sgn in (-1, 1):
        if rng.random() < 0.6:
            blush = S.ellipse(sgn * 0.52, 0.55, 0.17, 0.09, 28)
            b.add(Part(f"blush{sgn}", "blush", blush, z=20.2, parent=head, clip=head, line=RED))


def _add_eyes(rng: np.random.Generator, b: _Builder, body: _Body, head: int) -> None:
    """Eye whites with clipped iris, pupil and highlights; a closed-eye stroke for blinks;
    eyebrows and the nose as strokes on the head."""
    lw = body.lw
    ey = rng.uniform(0.2, 0.32)
    ex = rng.uniform(0.38, 0.46)
    erx, ery = rng.uniform(0.2, 0.26), rng.uniform(0.24, 0.32)
    gaze = (rng.uniform(-0.05, 0.05), rng.uniform(-0.03, 0.03))
    for sgn in (-1, 1):
        cx = sgn * ex
        white = S.catmull_rom(
            np.array(
                [
                    (cx - erx, ey - ery * 0.55),
                    (cx, ey - ery),
                    (cx + erx, ey - ery * 0.55),
                    (cx + erx * 0.85, ey + ery * 0.6),
                    (cx, ey + ery),
                    (cx - erx * 0.85, ey + ery * 0.6),
                ]
            ),
            6,
        )
        w = b.add(
            Part(
                f"eye{sgn}",
                "eye_white",
                white,
                z=21,
                parent=head,
                group="eyes_open",
                width=lw * 0.9,
                gap_ok=False,
                stroke_width=2.4,
                strokes=[S.arc(cx, ey + ery * 0.05, erx * 1.12, ery * 1.05, np.pi * 1.08, np.pi * 1.92, 12)],
            )
        )
        gx = cx + gaze[0]
        iris = S.ellipse(gx, ey + 0.04, erx * 0.8, ery * 0.85, 36)
        ir = b.add(
            Part(f"iris{sgn}", "iris", iris, z=21.1, parent=w, clip=w, shift=(0.04, 0.02), width=lw * 0.9)
        )
        hi = S.ellipse(gx, ey + 0.04 + ery * 0.75, erx * 0.75, ery * 0.5, 32)
        b.add(Part(f"iris_hi{sgn}", "iris_hi", hi, z=21.2, parent=ir, clip=w, line=GREEN))
        pupil = S.ellipse(gx, ey + 0.06, erx * 0.38, ery * 0.45, 28)
        b.add(Part(f"pupil{sgn}", "pupil", pupil, z=21.3, parent=ir, clip=w, width=lw * 0.8))
        glint = S.ellipse(gx - sgn * erx * 0.3, ey - ery * 0.2, erx * 0.22, ery * 0.2, 20)
        b.add(
            Part(f"eye_hi{sgn}", "eye_white", glint, z=21.4, parent=ir, clip=w, width=lw * 0.7, gap_ok=False)
        )
        b.add(
            Part(
                f"eye_closed{sgn}",
                "skin",
                None,
                z=21,
                parent=head,
                group="eyes_closed",
                stroke_width=2.0,
                strokes=[S.arc(cx, ey - ery * 0.3, erx * 1.1, ery * 0.7, np.pi * 0.1, np.pi * 0.9, 12)],
            )
        )
        b.parts[head].strokes.append(
            S.arc(cx, ey - ery * 0.4, erx * 1.2, ery * 0.6, np.pi * 1.2, np.pi * 1.8, 10) + (0, -0.22)
        )  # eyebrow
    b.parts[head].strokes.append(np.array([(0.02, 0.6), (0.0, 0.66)]))  # nose


def _add_mouth(rng: np.random.Generator, b: _Builder, body: _Body, head: int) -> None:
    """A closed-mouth stroke and an open mouth with a tongue (one shows per frame)."""
    my = rng.uniform(0.82, 0.9)
    mw = rng.uniform(0.12, 0.2)
    closed = S.arc(0, my - 0.08, mw, 0.08, np.pi * 0.2, np.pi * 0.8, 8)
    b.add(Part("mouth_closed", "skin", None, z=21, parent=head, group="mouth_closed", strokes=[closed]))
    mouth = S.catmull_rom(
        np.array(
            [
                (-mw, my - 0.05),
                (0, my - 0.03),
                (mw, my - 0.05),
                (mw * 0.6, my + 0.08),
                (0, my + 0.13),
                (-mw * 0.6, my + 0.08),
            ]
        ),
        6,
    )
    m = b.add(
        Part(
            "mouth_open",
            "mouth",
            mouth,
            z=21,
            parent=head,
            pivot=(0, my - 0.04),
            group="mouth_open",
            width=body.lw * 0.9,
            gap_ok=False,
        )
    )
    tongue = S.ellipse(0, my + 0.14, mw * 0.65, 0.07, 24)
    b.add(Part("tongue", "tongue", tongue, z=21.1, parent=m, clip=m, width=body.lw * 0.8))


def _add_front_hair(rng: np.random.Generator, b: _Builder, body: _Body, head: int) -> None:
    """Fringe with its highlight, side locks and maybe an ahoge."""
    lw = body.lw
    fr = b.add(Part("fringe", "hair", _fringe(rng, 1.0), z=23, parent=head, swing=2, width=lw * 1.1))
    hi = S.crescent(0, 0.1, 1.02, 0.86, np.pi * 1.15, np.pi * 1.55, 0.95)
    b.add(Part("fringe_hi", "hair_hi", hi, z=23.1, parent=fr, clip=fr, line=RED))
    b.parts[fr].strokes = [S.arc(rng.uniform(-0.3, 0.3), 0.4, 0.8, 1.0, np.pi * 1.35, np.pi * 1.55, 6)]
    for sgn in (-1, 1):
        if rng.random() < 0.7:
            lock = _tuft(sgn * 0.95, -0.1, rng.uniform(0.9, 1.5), 0.16, -sgn * 0.1)
            b.add(
                Part(
                    f"lock{sgn}", "hair", lock, z=22, parent=head, pivot=(sgn * 0.95, -0.1), swing=6, width=lw
                )
            )
    if rng.random() < 0.6:  # ahoge
        ah = S.quad_path(
            [
                (-0.08, -1.1),
                (-0.15, -1.55),
                (0.25, -1.65),
                (0.0, -1.45),
                (0.08, -1.1),
                (0, -1.05),
                (-0.08, -1.1),
            ],
            8,
        )[:-1]
        b.add(Part("ahoge", "hair", ah, z=22.5, parent=head, pivot=(0, -1.1), swing=15, width=lw))


def _add_accessory(rng: np.random.Generator, b: _Builder, body: _Body, head: int) -> None:
    """A ribbon bow (three regions of one colour), a hair clip, or nothing."""
    lw = body.lw
    acc = int(rng.integers(3))
    if acc == 0:
        bx, by = rng.choice([-1, 1]) * 0.7, -0.85
        for sgn in (-1, 1):
            wing = S.catmull_rom(
                np.array([(bx, by), (bx + sgn * 0.4, by - 0.28), (bx + sgn * 0.45, by + 0.22)]), 6
            )
            b.add(Part(f"bow{sgn}", "accent", wing, z=24, parent=head, pivot=(bx, by), swing=6, width=lw))
        b.add(Part("bow_knot", "accent", S.ellipse(bx, by, 0.1, 0.12, 20), z=24.1, parent=head, width=lw))
    elif acc == 1:
        cx = rng.choice([-1, 1]) * 0.55
        clip = S.superellipse(cx, -0.35, 0.2, 0.06, 4, 32)
        b.add(Part("clip", "accent", clip, z=24, parent=head, width=lw, gap_ok=False))


def _add_face_lines(b: _Builder, head: int) -> None:
    """Eyebrows and nose as a part of their own, so they move with the eyes when the head
    turns."""
    lines, b.parts[head].strokes = b.parts[head].strokes, []
    b.add(Part("face_lines", "skin", None, z=21.05, parent=head, strokes=lines))


def _rotated(pts: np.ndarray, deg: float, about: tuple[float, float]) -> np.ndarray:
    a = np.deg2rad(deg)
    r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return (pts - about) @ r.T + about


def _tail(root: tuple, side: int, length: float, curl: float) -> tuple[np.ndarray, np.ndarray]:
    """A tapered tail curling up from ``root`` out to ``side``, and the area of its tip
    (a disc over the last quarter, clipped to the tail when drawn)."""
    u = np.linspace(0.0, 1.0, 14)
    ang = np.deg2rad(-25 + 80 * curl * u)  # from out-and-down, curling upward
    step = length / (len(u) - 1)
    d = np.stack([side * np.cos(ang), -np.sin(ang)], 1) * step
    spine = np.asarray(root) + np.concatenate([[(0.0, 0.0)], np.cumsum(d[:-1], 0)])
    normal = np.stack([-d[:, 1], d[:, 0]], 1) / step
    half = (0.2 * (1 - u) ** 0.7 + 0.02)[:, None]
    outline = np.concatenate([spine + normal * half, (spine - normal * half)[::-1]])
    end = spine[-4]
    return S.catmull_rom(outline, 3), S.ellipse(end[0], end[1], 0.5, 0.5, 32)


def _add_costume(rng: np.random.Generator, b: _Builder, body: _Body, pal: dict, torso: int) -> None:
    """Parts that large motion reveals, hides or flips: scarf, tail, back of the clothes,
    a strap.  Each is drawn with some chance; colours join the palette."""
    tw, top, bot, lw = body.torso_w, body.torso_top, body.torso_bot, body.lw
    pal["lining"] = distinct(rng, CLOTH, [pal["shirt"], pal["pants"], pal["skin"]])
    pal["scarf"] = distinct(rng, ACCENT + CLOTH, [pal["shirt"], pal["skin"], pal["hair"]])
    pal["scarf_shadow"] = shade(pal["scarf"])
    pal["tail"] = pal["hair"] if rng.random() < 0.5 else pal["skin"]
    pal["tail_tip"] = tint(pal["tail"], 0.55)
    pal["strap"] = SHOES[int(rng.integers(len(SHOES)))]
    if rng.random() < 0.75:  # scarf: a band at the neck, a knot, two loose ends
        band = b.add(
            Part(
                "scarf", "scarf", S.superellipse(0, top + 0.05, 0.52, 0.17, 3), z=11.5, parent=torso, width=lw
            )
        )
        shadow = S.ellipse(0, top + 0.25, 0.6, 0.16)
        b.add(Part("scarf_shadow", "scarf_shadow", shadow, z=11.51, parent=band, clip=band, line=BLUE))
        kx, ky = rng.choice([-1, 1]) * 0.3, top + 0.12
        for k in (-1, 1):
            end = _tuft(kx, ky, rng.uniform(0.8, 1.25), 0.15, 0.08 * k)
            b.add(
                Part(f"scarf_end{k}", "scarf", end, z=11.6 + 0.01 * k, parent=torso, pivot=(kx, ky), width=lw)
            )
        b.add(Part("scarf_knot", "scarf", S.ellipse(kx, ky, 0.12, 0.1, 20), z=11.7, parent=torso, width=lw))
    if rng.random() < 0.6:  # a tail from the back of the hips, with a light tip
        ts = rng.choice([-1, 1])
        root = (ts * tw * 0.7, body.hip_y - 0.25)
        tail, tip = _tail(root, ts, rng.uniform(1.5, 2.1), rng.uniform(0.3, 0.9))
        t = b.add(Part("animal_tail", "tail", tail, z=3.5, parent=torso, pivot=root, width=lw))
        b.add(Part("animal_tail_tip", "tail_tip", tip, z=3.51, parent=t, clip=t))
    if rng.random() < 0.7:  # the back of the clothes, seen past the torso in some poses
        ls = rng.choice([-1, 1])
        panel = S.ellipse(ls * tw * 0.98, (top + bot) / 2 - 0.1, 0.32, 0.75)
        b.add(Part("lining", "lining", panel, z=9.8, parent=torso, group="lining", width=lw))
    if rng.random() < 0.5:  # a strap across the chest, shown when the body turns one way
        ss = rng.choice([-1, 1])
        a, c = np.array([ss * tw * 0.75, top - 0.1]), np.array([-ss * tw * 1.2, bot - 0.1])
        n = np.array([-(c - a)[1], (c - a)[0]]) / np.hypot(*(c - a)) * 0.09
        strap = np.array([a - n, c - n, c + n, a + n])
        b.add(Part("strap", "strap", strap, z=10.25, parent=torso, clip=torso, group="strap", width=lw))

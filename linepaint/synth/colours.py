"""Flat colours of synthetic characters: pools per kind, and a per-character palette whose
shadows and highlights derive from its base colours."""

from __future__ import annotations

import numpy as np

SKIN = [(255, 228, 206), (252, 216, 190), (242, 198, 166), (226, 176, 140), (196, 140, 104)]
HAIR = [
    (112, 74, 52),
    (64, 62, 88),
    (246, 214, 132),
    (238, 156, 184),
    (206, 210, 226),
    (186, 72, 62),
    (86, 168, 170),
    (150, 112, 192),
    (232, 150, 70),
    (60, 90, 150),
]
IRIS = [
    (70, 130, 200),
    (90, 160, 90),
    (150, 90, 60),
    (180, 70, 110),
    (120, 90, 190),
    (60, 150, 160),
]
CLOTH = [
    (236, 90, 90),
    (80, 120, 200),
    (250, 246, 238),
    (110, 180, 120),
    (246, 200, 90),
    (170, 120, 200),
    (72, 76, 96),
    (240, 150, 110),
    (120, 190, 220),
    (200, 80, 130),
]
ACCENT = [(230, 60, 80), (250, 210, 60), (80, 200, 230), (250, 130, 180), (120, 220, 140)]
SHOES = [(120, 80, 60), (60, 56, 70), (200, 70, 70), (240, 240, 240)]


def shade(c: tuple, f: tuple = (0.82, 0.78, 0.9)) -> tuple:
    return tuple(int(round(min(255, v * k))) for v, k in zip(c, f, strict=True))


def tint(c: tuple, a: float = 0.45) -> tuple:
    return tuple(int(round(v + (255 - v) * a)) for v in c)


def distinct(rng: np.random.Generator, pool: list, avoid: list) -> tuple:
    choices = [c for c in pool if all(sum(abs(a - b) for a, b in zip(c, o, strict=True)) > 60 for o in avoid)]
    choices = choices or pool
    return choices[int(rng.integers(len(choices)))]


def make_palette(rng: np.random.Generator) -> dict[str, tuple[int, int, int]]:
    """Named flat colours for one character; shadows and highlights derive from the base."""
    skin = SKIN[int(rng.integers(len(SKIN)))]
    hair = HAIR[int(rng.integers(len(HAIR)))]
    shirt = distinct(rng, CLOTH, [skin, hair])
    pants = distinct(rng, CLOTH, [skin, hair, shirt])
    accent = distinct(rng, ACCENT, [hair, shirt, pants])
    iris = IRIS[int(rng.integers(len(IRIS)))]
    p = {
        "skin": skin,
        "skin_shadow": shade(skin),
        "blush": (248, 168, 168),
        "hair": hair,
        "hair_shadow": shade(hair, (0.78, 0.76, 0.86)),
        "hair_hi": tint(hair, 0.4),
        "eye_white": (255, 255, 255),
        "iris": iris,
        "iris_hi": tint(iris, 0.45),
        "pupil": tuple(int(v * 0.3) + 12 for v in iris),
        "lash": (58, 44, 52),
        "mouth": (160, 56, 68),
        "tongue": (236, 128, 140),
        "shirt": shirt,
        "shirt_shadow": shade(shirt),
        "collar": accent if rng.random() < 0.5 else distinct(rng, CLOTH, [shirt, pants]),
        "pants": pants,
        "pants_shadow": shade(pants),
        "shoes": SHOES[int(rng.integers(len(SHOES)))],
        "accent": accent,
        "button": tint(accent, 0.3),
    }
    return {k: tuple(int(max(8, min(250, v))) for v in c) for k, c in p.items()}

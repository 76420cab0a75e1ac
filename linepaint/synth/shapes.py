"""Outline primitives for synthetic characters: closed polygons and open strokes.

Every function returns float64[N, 2] points (x, y) in character units, y down.  Closed
outlines do not repeat their first point.
"""

from __future__ import annotations

import numpy as np


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 48, rot: float = 0.0) -> np.ndarray:
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = np.cos(rot), np.sin(rot)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def superellipse(cx: float, cy: float, rx: float, ry: float, p: float = 3.0, n: int = 64) -> np.ndarray:
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    e = 2.0 / p
    return np.stack([cx + rx * np.sign(c) * np.abs(c) ** e, cy + ry * np.sign(s) * np.abs(s) ** e], 1)


def blob(
    rng: np.random.Generator,
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    rough: float = 0.08,
    n: int = 64,
) -> np.ndarray:
    """A smooth random closed blob: an ellipse with low-frequency radial noise."""
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 5):
        r += rng.uniform(-rough, rough) / (k - 1) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    return np.stack([cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)], axis=1)


def catmull_rom(ctrl: np.ndarray, per_seg: int = 8, closed: bool = True) -> np.ndarray:
    """Smooth curve through control points (centripetal-free uniform Catmull-Rom)."""
    p = np.asarray(ctrl, np.float64)
    if closed:
        ext = np.concatenate([p[-1:], p, p[:2]])
        nseg = len(p)
    else:
        ext = np.concatenate([p[:1], p, p[-1:]])
        nseg = len(p) - 1
    u = np.linspace(0.0, 1.0, per_seg, endpoint=False)[:, None]
    u2, u3 = u * u, u * u * u
    out = []
    for i in range(nseg):
        p0, p1, p2, p3 = ext[i], ext[i + 1], ext[i + 2], ext[i + 3]
        out.append(
            0.5
            * (
                (2 * p1)
                + (-p0 + p2) * u
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * u2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * u3
            )
        )
    if not closed:
        out.append(p[-1:])
    return np.concatenate(out)


def quad_path(points: list, n: int = 8) -> np.ndarray:
    """Chain of quadratic beziers: [p0, c0, p1, c1, p2, ...]; corners stay sharp at the p's."""
    pts = [np.asarray(q, np.float64) for q in points]
    u = np.linspace(0.0, 1.0, n, endpoint=False)[:, None]
    out = []
    for i in range(0, len(pts) - 2, 2):
        a, c, b = pts[i], pts[i + 1], pts[i + 2]
        out.append((1 - u) ** 2 * a + 2 * (1 - u) * u * c + u * u * b)
    out.append(pts[-1][None])
    return np.concatenate(out)


def capsule(p0, p1, r0: float, r1: float, n: int = 12) -> np.ndarray:
    """Tapered limb: round end of radius r0 at p0 and r1 at p1."""
    p0, p1 = np.asarray(p0, np.float64), np.asarray(p1, np.float64)
    d = p1 - p0
    a = np.arctan2(d[1], d[0])
    t1 = np.linspace(a - np.pi / 2, a + np.pi / 2, n)
    t0 = np.linspace(a + np.pi / 2, a + 3 * np.pi / 2, n)
    end1 = p1 + r1 * np.stack([np.cos(t1), np.sin(t1)], 1)
    end0 = p0 + r0 * np.stack([np.cos(t0), np.sin(t0)], 1)
    side = np.linspace(0, 1, 5)[1:-1, None]
    s1 = end1[-1] + (end0[0] - end1[-1]) * side
    s0 = end0[-1] + (end1[0] - end0[-1]) * side
    return np.concatenate([end1, s1, end0, s0])


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 16) -> np.ndarray:
    """Open elliptic arc from angle a0 to a1 (radians)."""
    t = np.linspace(a0, a1, n)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def crescent(
    cx: float,
    cy: float,
    r_out: float,
    r_in: float,
    a0: float,
    a1: float,
    squash: float = 1.0,
    n: int = 20,
) -> np.ndarray:
    """Closed band between two concentric arcs, with pointed ends (a hair highlight)."""
    t = np.linspace(a0, a1, n)
    mid = 0.5 * (r_out + r_in)
    taper = np.sin(np.linspace(0, np.pi, n))
    ro = mid + (r_out - mid) * taper
    ri = mid - (mid - r_in) * taper
    outer = np.stack([cx + ro * np.cos(t), cy + squash * ro * np.sin(t)], 1)
    inner = np.stack([cx + ri * np.cos(t), cy + squash * ri * np.sin(t)], 1)[::-1]
    return np.concatenate([outer, inner[1:-1]])


def mirror(pts: np.ndarray) -> np.ndarray:
    """Reflect about x = 0 (keeps winding meaningless: fillPoly does not care)."""
    out = np.array(pts, np.float64, copy=True)
    out[:, 0] *= -1.0
    return out

"""Colour a sequence from its keyframes, one finished frame at a time.

:func:`propagate` is a plain generator (STYLE §1): the CLI iterates it with a progress
line, the GUI's worker thread iterates it and stops between frames on Cancel, so a
cancelled run never leaves half a frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .lineart import LineArt
from .match.base import Matcher, Reference
from .segment import Segmentation

Colour = tuple[int, int, int, int]


@dataclass(frozen=True)
class FrameResult:
    """One coloured frame.

    colours: uint8[seg.n + 1, 4]; confidence: float32[seg.n + 1] (1 on locked regions);
    source: int32[seg.n + 1] matched region in the reference frame ``reference`` (-1: none).
    """

    index: int
    stem: str
    seg: Segmentation
    colours: np.ndarray
    confidence: np.ndarray
    source: np.ndarray
    reference: int
    engine: str


class FrameSequence(Protocol):
    """What propagation needs from a clip or a project."""

    def __len__(self) -> int: ...

    def stem(self, i: int) -> str: ...

    def line(self, i: int) -> LineArt: ...

    def seg(self, i: int) -> Segmentation: ...

    def known_colours(self, i: int) -> np.ndarray | None:
        """uint8[n + 1, 4] for frames whose colours are given (keyframes), else None."""
        ...


def plan(n_frames: int, known: Iterable[int], mode: str = "nearest") -> list[tuple[int, list[int]]]:
    """Order in which to colour frames and the reference frames of each.

    ``nearest``: every frame straight from its nearest known frame (both, when it sits
    exactly between two).  ``forward``: a chain outward from each known frame, each frame
    coloured from its neighbour towards that known frame (small steps, drift possible).
    Frames are returned nearest-first, so chained references are always ready.
    """
    if mode not in ("nearest", "forward"):
        raise ValueError(f"unknown mode {mode!r}")
    keys = sorted(set(known))
    if not keys:
        return []
    karr = np.array(keys)
    steps = []
    for i in range(n_frames):
        if i in keys:
            continue
        d = np.abs(karr - i)
        nearest = karr[d == d.min()]
        if mode == "nearest":
            steps.append((int(d.min()), i, [int(k) for k in nearest]))
        else:
            k = int(nearest[0])
            steps.append((int(d.min()), i, [i - 1 if k < i else i + 1]))
    steps.sort()
    return [(i, refs) for _, i, refs in steps]


def solve_frame(
    matcher: Matcher,
    index: int,
    stem: str,
    line: LineArt,
    seg: Segmentation,
    refs: list[Reference],
    ref_ids: list[int],
    locks: dict[int, Colour],
) -> FrameResult:
    """Colour one frame from ``refs`` (frames ``ref_ids``), keeping ``locks`` as painted."""
    result = matcher.match(refs, line, seg, locked=locks)
    colours = result.colours.copy()
    confidence = result.confidence.astype(np.float32).copy()
    for region, rgba in locks.items():
        if 0 < region <= seg.n:
            colours[region] = rgba
            confidence[region] = 1.0
    ref_of = result.ref_index[result.ref_index >= 0]
    reference = ref_ids[int(np.bincount(ref_of).argmax())] if len(ref_of) else ref_ids[0]
    return FrameResult(
        index=index,
        stem=stem,
        seg=seg,
        colours=colours,
        confidence=confidence,
        source=result.source,
        reference=reference,
        engine=result.engine,
    )


def propagate(
    frames: FrameSequence,
    matcher: Matcher,
    mode: str = "nearest",
    locks: dict[int, dict[int, Colour]] | None = None,
    only: Iterable[int] | None = None,
) -> Iterator[FrameResult]:
    """Yield a :class:`FrameResult` for every frame without known colours.

    locks: per frame index, {region: RGBA} the user painted; kept as they are and passed
        to the matcher as constraints.
    only: restrict output to these frame indices (others may still be coloured as
        stepping stones in ``forward`` mode, but are not yielded).
    """
    locks = locks or {}
    n = len(frames)
    known = {i: c for i in range(n) if (c := frames.known_colours(i)) is not None}
    wanted = set(range(n)) if only is None else set(only)
    done: dict[int, np.ndarray] = dict(known)
    for i, ref_ids in plan(n, known, mode):
        refs = [Reference(frames.line(r), frames.seg(r), done[r]) for r in ref_ids]
        result = solve_frame(
            matcher, i, frames.stem(i), frames.line(i), frames.seg(i), refs, ref_ids, locks.get(i, {})
        )
        done[i] = result.colours
        if i in wanted:
            yield result

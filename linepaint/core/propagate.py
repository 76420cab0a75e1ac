"""Colour a sequence from its keyframes, one finished frame at a time, and carry a
user's fix forward through the frames that follow (:func:`carry_fix_forward`).

:func:`propagate` is a plain generator (STYLE §1): the CLI iterates it with a progress
line, the GUI's worker thread iterates it and stops between frames on Cancel, so a
cancelled run never leaves half a frame.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .leak import leak_cuts
from .lineart import LineArt
from .match.base import Matcher, Reference
from .segment import Segmentation
from .strokes import Stroke, with_strokes

Colour = tuple[int, int, int, int]

#: A carried fix follows a region into the next frame only when the match is this sure
#: (0.25 when both engines' confidence had half their power, which is the same margin).
HOLD_THRESHOLD = 0.0625
#: Confidence, at most, of the regions a leak was split into: below the app's doubt line
#: (0.5), so the colourist's N queue visits every split.
SPLIT_CONFIDENCE = 0.45


@dataclass(frozen=True)
class FrameResult:
    """One coloured frame.

    colours: uint8[seg.n + 1, 4]; confidence: float32[seg.n + 1] (1 on locked regions);
    source: int32[seg.n + 1] matched region in the reference frame ``reference`` (-1: none);
    locks: {region: RGBA} the frame was solved with (kept as painted);
    cuts: gap lines drawn across leaks the reference showed (``seg`` has them in its ink;
    the frame's own strokes do not yet): the frame keeps them with its colours.
    """

    index: int
    stem: str
    seg: Segmentation
    colours: np.ndarray
    confidence: np.ndarray
    source: np.ndarray
    reference: int
    engine: str
    locks: dict = field(default_factory=dict)
    cuts: tuple[Stroke, ...] = ()


class FrameSequence(Protocol):
    """What propagation needs from a clip or a project."""

    def __len__(self) -> int: ...

    def stem(self, i: int) -> str: ...

    def line(self, i: int) -> LineArt: ...

    def seg(self, i: int) -> Segmentation: ...

    def known_colours(self, i: int) -> np.ndarray | None:
        """uint8[n + 1, 4] for frames whose colours are given (keyframes), else None."""
        ...

    def with_cuts(self, i: int, cuts: tuple[Stroke, ...]) -> tuple[LineArt, Segmentation]:
        """Frame ``i``'s line art and segmentation with the gap lines ``cuts`` added, as the
        frame will be segmented once it keeps them."""
        ...


def plan(n_frames: int, known: Iterable[int], mode: str = "nearest") -> list[tuple[int, list[int]]]:
    """Order in which to colour frames and the reference frames of each.

    ``nearest``: every frame straight from its keyframes: the nearest one on each side
    (one, before the first keyframe or after the last), nearest first; the matcher takes
    each region from the source it is surest of, so a part hidden in one keyframe can
    come from the other.  ``forward``: a chain outward from each known frame, each frame
    coloured from its two neighbours towards the nearest known frame (small steps) and
    from the known frames themselves (as ``nearest`` takes them), the nearest first:
    each region comes from the surest of them, so a mistake made along the chain does
    not drift on where an earlier frame or a keyframe still shows the part (a limb that
    a swing hid in the last drawing), and a part no keyframe shows follows the chain.
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
        sides = [karr[karr < i][-1:], karr[karr > i][:1]]
        nearest = sorted((int(k) for side in sides for k in side), key=lambda k: (abs(k - i), k))
        if mode == "nearest":
            steps.append((int(d.min()), i, nearest))
        else:
            k = nearest[0]
            towards = -1 if k < i else 1
            chain = [j for j in (i + towards, i + 2 * towards) if (k - j) * towards > 0]
            steps.append((int(d.min()), i, chain + nearest))
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
    frames: FrameSequence | None = None,
) -> FrameResult:
    """Colour one frame from ``refs`` (frames ``ref_ids``), keeping ``locks`` as painted.

    frames: the sequence, to split leaks: where the nearest reference, aligned, colours
    one region of the frame two ways through a gap, a gap line is drawn across the gap
    (:func:`~linepaint.core.leak.leak_cuts`), the frame is coloured on the segmentation
    with it, and the regions of the split are doubtful.  Not on a frame with painted
    regions (their ids would move).
    """
    cuts: tuple[Stroke, ...] = ()
    split = np.zeros(0, np.int32)
    if frames is not None and refs and not locks:
        cuts, split = leak_cuts(line, seg, refs[0].seg, refs[0].colours)
        if cuts:
            old = seg
            line, seg = frames.with_cuts(index, cuts)
            split = np.unique(seg.labels[np.isin(old.labels, split) & (seg.labels > 0)])
    result = matcher.match(refs, line, seg, locked=locks)
    colours = result.colours.copy()
    confidence = result.confidence.astype(np.float32).copy()
    confidence[split] = np.minimum(confidence[split], SPLIT_CONFIDENCE)
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
        locks=dict(locks),
        cuts=cuts,
    )


def _needed(steps: list[tuple[int, list[int]]], wanted: set[int]) -> set[int]:
    """The frames of ``steps`` to solve for ``wanted``: those, and the frames they are
    coloured from, transitively."""
    refs_of = dict(steps)
    needed: set[int] = set()
    stack = [i for i in wanted if i in refs_of]
    while stack:
        i = stack.pop()
        if i not in needed:
            needed.add(i)
            stack.extend(r for r in refs_of[i] if r in refs_of)
    return needed


def propagate(
    frames: FrameSequence,
    matcher: Matcher,
    mode: str = "nearest",
    locks: dict[int, dict[int, Colour]] | None = None,
    only: Iterable[int] | None = None,
    split_leaks: bool = True,
) -> Iterator[FrameResult]:
    """Yield a :class:`FrameResult` for every frame without known colours.

    locks: per frame index, {region: RGBA} the user painted; kept as they are and passed
        to the matcher as constraints.
    only: restrict output to these frame indices; the other frames are coloured only
        where a wanted one needs them as a stepping stone (``forward`` mode), so a
        resumed or split run does not redo finished frames.
    split_leaks: close the leaks each frame's nearest reference shows with gap lines
        (:func:`solve_frame`; the result's ``cuts``), where that reference is a keyframe.
    """
    locks = locks or {}
    n = len(frames)
    known = {i: c for i in range(n) if (c := frames.known_colours(i)) is not None}
    wanted = set(range(n)) if only is None else set(only)
    steps = plan(n, known, mode)
    needed = _needed(steps, wanted)
    done: dict[int, np.ndarray] = dict(known)
    # Frames coloured on a segmentation with cuts, while a later frame (``forward``) is
    # still to be coloured from them: that one must see the same regions.
    uses = Counter(r for j, refs in steps if j in needed for r in refs)
    coloured_on: dict[int, tuple[LineArt, Segmentation]] = {}
    for i, ref_ids in steps:
        if i not in needed:
            continue
        refs = [Reference(*coloured_on.get(r, (frames.line(r), frames.seg(r))), done[r]) for r in ref_ids]
        for r in ref_ids:
            uses[r] -= 1
            if uses[r] == 0:
                coloured_on.pop(r, None)
        result = solve_frame(
            matcher,
            i,
            frames.stem(i),
            frames.line(i),
            frames.seg(i),
            refs,
            ref_ids,
            locks.get(i, {}),
            # Only a keyframe's colours are the colourist's: a colour a propagated
            # frame got wrong would split a closed region of the next along it.
            frames if split_leaks and ref_ids[0] in known else None,
        )
        done[i] = result.colours
        if result.cuts and uses[i] > 0:
            coloured_on[i] = (with_strokes(frames.line(i), result.cuts), result.seg)
        if i in wanted:
            yield result


class EditedSequence(FrameSequence, Protocol):
    """A sequence the user edits (a project snapshot): which frames are keyframes, the
    colours each frame has now and the regions painted by hand."""

    def keyframes(self) -> list[int]: ...

    def colours(self, i: int) -> np.ndarray | None: ...

    def locks(self) -> dict[int, dict[int, Colour]]: ...


def carry_fix_forward(
    seq: EditedSequence, matcher: Matcher, start: int, region: int, rgba: Colour, mode: str = "nearest"
) -> Iterator[FrameResult]:
    """After the user filled ``region`` of frame ``start``, follow it forward: in each
    later frame (up to the next keyframe) find the regions matched to it from the previous
    frame, lock them to ``rgba`` and re-solve that frame with the locks as constraints.

    Yields a :class:`FrameResult` (its ``locks`` include the carried ones) one frame at a
    time; stops where the region is no longer matched with confidence
    :data:`HOLD_THRESHOLD`.
    """
    n = len(seq)
    known = set(seq.keyframes())
    refs_of = dict(plan(n, known, mode))
    locks = seq.locks()
    locks.setdefault(start, {})[int(region)] = tuple(int(v) for v in rgba)
    prev = seq.colours(start)
    prev = np.zeros((seq.seg(start).n + 1, 4), np.uint8) if prev is None else prev.copy()
    prev[region] = rgba
    tracked = np.array([region])
    current: dict[int, np.ndarray] = {start: prev}
    for j in range(start + 1, n):
        if j in known or j not in refs_of:
            break
        seg_j, line_j = seq.seg(j), seq.line(j)
        link = matcher.match(
            [Reference(seq.line(j - 1), seq.seg(j - 1), current[j - 1])],
            line_j,
            seg_j,
            locked=locks.get(j, {}),
        )
        hits = np.nonzero(np.isin(link.source, tracked) & (link.confidence >= HOLD_THRESHOLD))[0]
        hits = hits[hits > 0]
        if len(hits) == 0:
            break
        frame_locks = dict(locks.get(j, {}))
        for t in hits:
            frame_locks[int(t)] = tuple(int(v) for v in rgba)
        locks[j] = frame_locks
        ref_ids = refs_of[j]
        refs = []
        for r in ref_ids:
            cols = current.get(r)
            if cols is None:
                cols = seq.colours(r)
            if cols is None:
                cols = np.zeros((seq.seg(r).n + 1, 4), np.uint8)
            refs.append(Reference(seq.line(r), seq.seg(r), cols))
        result = solve_frame(matcher, j, seq.stem(j), line_j, seg_j, refs, ref_ids, frame_locks)
        current[j] = result.colours
        tracked = hits
        yield result

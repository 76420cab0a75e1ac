"""Engines side by side on procedural clips: the first frame is the coloured keyframe, every
later frame (up to ``max_gap`` away) is coloured from it and scored (DESIGN §7 metrics
plus segment-level foreground accuracy).  For tests, benchmarks and the weights card."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np

from ..core.match.base import Reference
from ..core.metrics import score_frame, summarise
from ..core.render import colour_layer
from .data import label_frame


def compare_engines(
    matchers: dict[str, object],
    clips: Iterable,
    max_gap: int = 3,
    log: Callable[[str], None] | None = None,
) -> dict[str, dict]:
    """{engine name: summary} over every (frame 0 -> frame k <= max_gap) pair of each clip.

    Summary keys: those of :func:`linepaint.core.metrics.summarise` plus ``seg_fg_accuracy``
    (share of foreground segments given their ground-truth colour) and ``seconds``
    (matching time per pair), and ``frame_scores``, the frames' own scores (for
    :func:`~linepaint.core.metrics.paired`; not JSON).
    """
    scores = {k: [] for k in matchers}
    seg_right = dict.fromkeys(matchers, 0)
    seg_total = 0
    seconds = dict.fromkeys(matchers, 0.0)
    pairs = 0
    for clip in clips:
        frames = [
            label_frame(clip.lines[i], clip.gt[i], clip.seg[i])
            for i in range(min(len(clip.lines), max_gap + 1))
        ]
        ref = Reference(frames[0].line, frames[0].seg, frames[0].colours)
        for tgt, gt in zip(frames[1:], clip.gt[1 : len(frames)], strict=True):
            fg = tgt.colours[1:, 3] > 0
            seg_total += int(fg.sum())
            pairs += 1
            for name, m in matchers.items():
                t = time.perf_counter()
                res = m.match([ref], tgt.line, tgt.seg)
                seconds[name] += time.perf_counter() - t
                pred = colour_layer(tgt.seg, res.colours)
                scores[name].append(score_frame(pred, gt, tgt.line.ink, tgt.seg, res.confidence))
                seg_right[name] += int((np.all(res.colours[1:] == tgt.colours[1:], axis=1) & fg).sum())
        if log:
            log(
                f"clip {getattr(clip, 'seed', '?')}: "
                + ", ".join(f"{k} {seg_right[k] / max(seg_total, 1):.4f}" for k in matchers)
            )
    out = {}
    for name in matchers:
        s = summarise(scores[name])
        s["seg_fg_accuracy"] = round(seg_right[name] / max(seg_total, 1), 4)
        s["seconds"] = round(seconds[name] / max(pairs, 1), 4)
        s["frame_scores"] = scores[name]
        out[name] = s
    return out

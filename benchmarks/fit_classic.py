"""Fit the classical engine's score weights (``W_*`` and ``BALANCE_CAP`` in
linepaint/core/match/classic.py, ``W_FIELD`` in neighbours.py) by coordinate search on
procedural clips of TRAINING seeds: drawn-animation motion (seeds 1000-1004, keyframe
distances 1, 4 and 8) and smooth motion (seeds 2000-2003).
Never the benchmark's held-out seeds, never real clips: those measure the result.

Prints each trial (share of foreground segments given their true colour) and the final
weights, to be copied into those modules by hand.

    .venv/bin/python benchmarks/fit_classic.py        # about 8 minutes on two cores
"""

import json

import numpy as np
from training_seeds import motion_cases

import linepaint.core.match.classic as C
import linepaint.core.match.neighbours as N
from linepaint.core.match.base import Reference
from linepaint.model.data import label_frame
from linepaint.synth import generate_clip

# Only the weights change between trials: align every pair once.
_aligned = {}
_align = C.align


def cached_align(t, r, refine=True):
    key = (id(t), id(r), refine)
    if key not in _aligned:
        _aligned[key] = _align(t, r, refine=refine)
    return _aligned[key]


C.align = cached_align
cases = motion_cases()
for seed in range(2000, 2004):
    clip = generate_clip(seed, frames=4, size=(512, 512), difficulty=0.5)
    fr = [label_frame(clip.lines[i], clip.gt[i], clip.seg[i]) for i in range(clip.frames)]
    for j in (1, 2, 3):
        cases.append((Reference(fr[0].line, fr[0].seg, fr[0].colours), fr[j]))
print("cases", len(cases), flush=True)
m = C.ClassicMatcher()


def evaluate():
    right = tot = 0
    for ref, tgt in cases:
        res = m.match([ref], tgt.line, tgt.seg)
        fg = tgt.colours[1:, 3] > 0
        right += int((np.all(res.colours[1:] == tgt.colours[1:], axis=1) & fg).sum())
        tot += int(fg.sum())
    return right / tot


names = ["W_VOTE", "W_POS", "W_SIZE", "W_SHAPE", "W_ADJ", "W_DESC", "W_GPOS", "BALANCE_CAP", "W_FIELD"]
home = {n: N if n == "W_FIELD" else C for n in names}
best = evaluate()
print("start", round(best, 4), {n: getattr(home[n], n) for n in names}, flush=True)
for sweep in range(2):
    for n in names:
        cur = getattr(home[n], n)
        for f in (0.5, 2.0) if sweep == 0 else (0.7, 1.4):
            setattr(home[n], n, cur * f)
            s = evaluate()
            print(f"  {n} {cur * f:.3f} -> {s:.4f}", flush=True)
            if s > best + 0.002:
                best, cur = s, cur * f
            setattr(home[n], n, cur)
        print("after", n, round(best, 4), {n: round(getattr(home[n], n), 3) for n in names}, flush=True)
print("FINAL", json.dumps({n: round(getattr(home[n], n), 3) for n in names}), round(best, 4))

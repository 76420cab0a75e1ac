"""The procedural TRAINING-seed cases that the fitting scripts (``fit_classic.py``,
``fit_doubt.py``) fit constants on: never the benchmark's held-out seeds, never real
clips."""

from linepaint.core.match.base import Reference
from linepaint.model.data import label_frame
from linepaint.synth import generate_clip

#: Drawn-animation motion: 9-drawing clips, keyframes 0, 4 and 8 colouring drawings 1, 4
#: and 8 away.
MOTION_SEEDS = range(1000, 1005)
MOTION_PAIRS = [(0, 1), (0, 4), (0, 8), (4, 3), (4, 8), (8, 7), (8, 4), (4, 0)]


def motion_cases() -> list:
    """[(Reference, target LabelledFrame)] of the drawn-animation training seeds."""
    cases = []
    for seed in MOTION_SEEDS:
        clip = generate_clip(seed, frames=9, size=(512, 384), difficulty=0.5, motion="real")
        fr = [label_frame(clip.lines[i], clip.gt[i], clip.seg[i]) for i in range(clip.frames)]
        for k, j in MOTION_PAIRS:
            cases.append((Reference(fr[k].line, fr[k].seg, fr[k].colours), fr[j]))
    return cases

"""Procedural cartoon animation clips with exact ground truth (DESIGN §5)."""

from .clip import (
    SynthClip,
    clip_seed,
    decode_seg,
    demo_clip,
    generate_clip,
    iter_clips,
    make_demo,
    write_clip,
    write_clips,
)

__all__ = [
    "SynthClip",
    "clip_seed",
    "decode_seg",
    "demo_clip",
    "generate_clip",
    "iter_clips",
    "make_demo",
    "write_clip",
    "write_clips",
]

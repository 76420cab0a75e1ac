"""Writing coloured frames out as PNGs, one path for the CLI and the app: the output
kinds, the guard that keeps output out of the input folders, and a generator that writes
one frame at a time (atomically) so callers can show progress and stop between frames."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import LinepaintError
from .image_io import write_png
from .lineart import LineArt
from .render import colour_layer, composite, flat
from .segment import Segmentation

#: flat: colours with hard black lines (like a ground-truth frame); colour: the colour
#: layer alone; composite: the anti-aliased line layer over the colours; line: the lines
#: alone on transparent paper.
KINDS = ("flat", "colour", "composite", "line")


def render_frame(kind: str, line: LineArt, seg: Segmentation, colours: np.ndarray | None) -> np.ndarray:
    """uint8[H, W, 4]: the image of kind ``kind`` for one frame (``colours`` None: clear)."""
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}")
    if kind == "line":
        img = line.rgba.copy()
        img[..., 3] = line.line_alpha
        return img
    if colours is None:
        colours = np.zeros((seg.n + 1, 4), np.uint8)
    layer = colour_layer(seg, colours)
    if kind == "colour":
        return layer
    return composite(line, layer) if kind == "composite" else flat(line, layer)


def prepare_output(out: str | os.PathLike, inputs: Iterable[str | os.PathLike]) -> Path:
    """Create the output folder; refuse (:class:`LinepaintError`) when it is one of the
    ``inputs`` folders, so the line art is never overwritten."""
    out = Path(out)
    resolved = out.resolve()
    if any(resolved == Path(p).resolve() for p in inputs):
        raise LinepaintError(
            f"refusing to write into {out}: it holds the input frames; choose another folder."
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_frame(
    out: Path, stem: str, kind: str, line: LineArt, seg: Segmentation, colours: np.ndarray | None
) -> Path:
    """Write ``out/<stem>.png`` (atomically) and return its path."""
    path = out / f"{stem}.png"
    write_png(path, render_frame(kind, line, seg, colours))
    return path


class ColouredFrames(Protocol):
    """What an export reads: a project snapshot has all of it."""

    def __len__(self) -> int: ...

    def stem(self, i: int) -> str: ...

    def line(self, i: int) -> LineArt: ...

    def seg(self, i: int) -> Segmentation: ...

    def colours(self, i: int) -> np.ndarray | None: ...


def export_frames(
    frames: ColouredFrames, out: str | os.PathLike, kind: str, inputs: Iterable[str | os.PathLike]
) -> Iterator[Path]:
    """Write every frame as ``out/<stem>.png``, yielding each path once written."""
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}")
    out = prepare_output(out, inputs)
    for i in range(len(frames)):
        yield write_frame(out, frames.stem(i), kind, frames.line(i), frames.seg(i), frames.colours(i))

"""The matcher contract shared by the classical and learned engines."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..errors import LinepaintError
from ..lineart import LineArt
from ..segment import Segmentation

#: Region colour used for "no colour" (transparent).
CLEAR = (0, 0, 0, 0)


@dataclass(frozen=True)
class Reference:
    """A coloured frame the target is coloured from.

    colours: uint8[ref.n + 1, 4] RGBA per reference region (row 0 unused).
    """

    line: LineArt
    seg: Segmentation
    colours: np.ndarray


@dataclass(frozen=True)
class MatchResult:
    """What a matcher says about every target region.

    colours: uint8[n + 1, 4] RGBA chosen per target region (row 0, ink, unused).
    confidence: float32[n + 1] in [0, 1].
    source: int32[n + 1] index of the matched region in ``refs[ref_index]`` (-1: none).
    ref_index: int32[n + 1] which reference the match came from (-1: none).
    engine: name of the engine that produced it ("classic", "learned").
    """

    colours: np.ndarray
    confidence: np.ndarray
    source: np.ndarray
    ref_index: np.ndarray
    engine: str = "classic"
    notes: dict = field(default_factory=dict)


class Matcher(Protocol):
    """Colours target regions from references; ``locked`` maps target region -> RGBA that
    the user fixed: the result must keep them and may use them as constraints."""

    name: str

    def match(
        self,
        refs: list[Reference],
        target_line: LineArt,
        target: Segmentation,
        locked: dict[int, tuple[int, int, int, int]] | None = None,
    ) -> MatchResult: ...


def get_matcher(engine: str = "auto", device: str = "auto") -> Matcher:
    """The matcher for ``engine`` ("auto", "classic", "learned").  "auto" uses the learned
    engine when its weights are shipped and loadable, else the classical one."""
    from .classic import ClassicMatcher

    if engine == "classic":
        return ClassicMatcher()
    if engine in ("auto", "learned"):
        try:
            from .learned import LearnedMatcher, weights_available
        except ImportError:
            if engine == "learned":
                raise
            return ClassicMatcher()
        if engine == "learned":
            return LearnedMatcher(device=device)
        if weights_available():
            try:
                return LearnedMatcher(device=device)
            except (ImportError, RuntimeError, OSError, LinepaintError) as exc:
                # "auto" must still colour: say why the learned engine is out, use classic.
                warnings.warn(f"learned engine unavailable ({exc}); using the classical engine", stacklevel=2)
    if engine != "auto":
        raise LinepaintError(f"unknown engine '{engine}' (choose auto, classic or learned).")
    return ClassicMatcher()

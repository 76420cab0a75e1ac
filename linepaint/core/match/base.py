"""The matcher contract shared by the classical and learned engines."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import LinepaintError
from ..lineart import LineArt
from ..render import palette_index
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
class ColourPosterior:
    """A matcher's probability of each candidate colour for each target region, as
    parallel arrays of (region, colour, probability); colours not listed have none.

    regions: int64[k] target region ids (1..n).
    colours: uint32[k] packed RGBA (:func:`linepaint.core.render.pack_colours`).
    probs: float64[k]; negative: the colour is ruled out for that region (transparency
        inside closed art).
    """

    regions: np.ndarray
    colours: np.ndarray
    probs: np.ndarray

    def table(self, palette: np.ndarray, n: int) -> np.ndarray:
        """float32[n, len(palette)] over a sorted packed ``palette``; row t - 1 is target
        region t.  Ruled-out colours keep their negative probability; colours not in the
        palette are left out."""
        table = np.zeros((n, len(palette)), np.float32)
        regions = np.asarray(self.regions, np.int64)
        if len(regions) == 0 or len(palette) == 0:
            return table
        pos = palette_index(palette, np.asarray(self.colours).astype(np.uint32))
        ok = (regions > 0) & (regions <= n) & (pos >= 0)
        table[regions[ok] - 1, pos[ok]] = np.asarray(self.probs)[ok]
        return table


@dataclass(frozen=True)
class MatchResult:
    """What a matcher says about every target region.

    colours: uint8[n + 1, 4] RGBA chosen per target region (row 0, ink, unused).
    confidence: float32[n + 1] in [0, 1].
    source: int32[n + 1] index of the matched region in ``refs[ref_index]`` (-1: none).
    ref_index: int32[n + 1] which reference the match came from (-1: none).
    engine: name of the engine that produced it ("classic", "learned").
    posterior: the colour probabilities behind ``colours``, where the engine gives them
        (the classical one does; the learned engine fuses it with its own).
    unmatched: target regions the engine placed nowhere (its "no match" above one half).
    """

    colours: np.ndarray
    confidence: np.ndarray
    source: np.ndarray
    ref_index: np.ndarray
    engine: str = "classic"
    posterior: ColourPosterior | None = None
    unmatched: int = 0


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


def colour_margin(table: np.ndarray, best: np.ndarray) -> np.ndarray:
    """float[n]: how far each row's chosen colour ``best[n]`` leads the runner-up in the
    colour probabilities ``table[n, k]`` (ruled-out colours count as nothing); with one
    colour, its own probability.  Both engines' confidence starts from it."""
    if table.shape[1] > 1:
        top2 = np.sort(np.maximum(table, 0.0), axis=1)[:, -2:]
        return top2[:, 1] - top2[:, 0]
    return table[np.arange(len(table)), best]


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

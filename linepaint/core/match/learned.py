"""The learned engine: an adapter from the matcher contract to :mod:`linepaint.model`.

torch is imported only when a :class:`LearnedMatcher` is built, never when this module
is imported (the core stays torch-free at import time).  CUDA is used when available;
a CUDA out-of-memory falls back to the CPU with a warning.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ...resources import resource_path
from ..lineart import LineArt
from ..render import pack_colours, unpack_colours
from ..segment import Segmentation
from .base import MatchResult, Reference, colour_margin
from .classic import ClassicMatcher, balance
from .neighbours import neighbour_field

WEIGHTS = ("models", "matcher.safetensors")
#: Share of the classical engine's posterior blended into the colour probabilities of a
#: network that does not take that posterior as an input (older weights).
CLASSIC_WEIGHT = 0.3
#: The same for a network that takes the posterior as an input.  Half of each region
#: followed it while the shipped weights had learnt from the posterior of an older
#: classical engine.  Retrained on today's posterior and on drawn-animation motion
#: (2026-12-07), the network needs less of it: learned engine, fg region accuracy, 0.5 ->
#: 0.3: dwanko every pair 0.866 -> 0.867, from the previous drawing 0.841 -> 0.848,
#: between keyframes 0.917 -> 0.926 (distance 4 alone lost: 0.843 -> 0.827), procedural
#: motion 0.875 / 0.832 / 0.848 -> 0.888 / 0.848 / 0.864, smoke round trip 0.947 ->
#: 0.959, held-out procedural 0.953 -> 0.959, warped a0242 0.967 -> 0.971; 0.7 was worse
#: on dwanko and on procedural motion.  The next stage (13, shipped) kept 0.3: at 0.5 it
#: lost on dwanko (from the previous drawing 0.876 -> 0.855, every pair 0.876 -> 0.874) and
#: on the smoke round trip (0.940 -> 0.935).
PRIOR_NETWORK_CLASSIC_WEIGHT = 0.3
#: Target x reference region pairs above which a frame goes to the classical engine: the
#: network's score tables grow with the product (about 9,400 regions a side take 3.6 GB),
#: and a frame of screentone or hatching can have tens of thousands of specks.
MAX_PAIRS = 4000 * 4000
#: Power the learned engine's confidence is raised to (its margin already counts the
#: network's dustbin): the doubt line at 0.5 flags at most a third of the regions of
#: moving procedural clips of training seeds (``benchmarks/fit_doubt.py``: 31.2% with the
#: weights of 2026-12-07 and the blend of 2026-12-08, :func:`blend_engines`; 4 before the
#: neighbour field sharpened the margins).
CONFIDENCE_POWER = 8
#: Match probability above which a pair takes part in the area balance (the rest carry
#: too little mass to move).
BALANCE_FLOOR = 1e-4
#: References whose crops and tokens are kept: a forward frame uses up to four (two
#: chained frames and two keyframes), and frames are coloured alternately on the two
#: sides of a keyframe, so two chains of two, two keyframes and the frame just coloured
#: are in use at once.
REF_CACHE = 8
#: Share of a target region every reference keeps when several feed it: the network's
#: word from each reference is weighed by how much of the region the classical engine
#: places in that reference's regions, plus this floor (a reference the classical
#: engine passed over is not silenced).
SHARE_FLOOR = 0.1


def _balanced(pred, ref: Reference, target_seg: Segmentation):
    """The network's match probabilities with each reference region's share of the target
    balanced by area, as the classical engine does (:func:`~.classic.balance`); the
    dustbin is left as it is."""
    from ...model.infer import PairPrediction, colour_probabilities

    probs = pred.probs
    t, r = np.nonzero(probs[:, :-1] > BALANCE_FLOOR)
    if len(t) == 0:
        return pred
    score = np.log(probs[t, r].astype(np.float64))
    shift = balance(t + 1, r + 1, np.zeros(len(t), np.int64), score, target_seg, [ref]) - score
    probs = probs.copy()
    probs[t, r] *= np.exp(shift).astype(np.float32)
    probs /= probs.sum(axis=1, keepdims=True)
    palette, cprobs = colour_probabilities(probs, np.asarray(ref.colours, np.uint8))
    return PairPrediction(probs, palette, cprobs)


def weights_available() -> bool:
    """Whether the shipped weights are present in ``resources/models/``."""
    return resource_path(*WEIGHTS).is_file()


def fuse_with_classic(
    total: np.ndarray, no_match: np.ndarray, prior: np.ndarray, classic_weight: float
) -> np.ndarray:
    """Blend the network's colour probabilities with the classical engine's posterior.

    total: float[n, k] the network's probability per colour of a palette; no_match:
    float[n] what it gave to "no match"; prior: float[n, k] the classical posterior on the
    same palette (:meth:`ColourPosterior.table`; negative: ruled out).

    The two fail differently: the network knows what regions look like and how they
    sit among their neighbours, the classical engine trusts the dense warp, which is
    the better guide on real art far from the procedural training data.  So a share
    ``classic_weight`` of every region's probability follows the classical engine, and
    so does the share the network gave to "no match": a region the network cannot place
    (a sliver the warp pulled in at the frame edge) is coloured where the warp puts it,
    not by the network's leftover guesses.  Colours the classical engine rules out
    (transparency inside closed art) stay ruled out.
    """
    share = classic_weight + (1.0 - classic_weight) * no_match[:, None]
    fused = (1.0 - classic_weight) * total + share * np.maximum(prior, 0.0)
    fused[prior < 0] = -1.0
    return fused


def blend_engines(
    total: np.ndarray,
    no_match: np.ndarray,
    prior: np.ndarray | None,
    classic_weight: float,
    field: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """The colour table the learned engine chooses from: the network's (``total``,
    ``no_match`` as :func:`fuse_with_classic` takes them) and the classical posterior
    ``prior`` (None: not used), each weighed against its neighbours by ``field`` (a
    table's :func:`~.neighbours.neighbour_field` in this frame) before the two are
    blended.

    Each engine's answer is settled among its own neighbours first, as each engine alone
    would settle it.  The field over the blend let a warp that laid one part over another
    outvote the network: the blend leaves a region the network placed and the warp
    misplaced near even, and the field then sided with the warp's colours around it (the
    shoulder a swinging arm uncovers took the scarf's red the warp laid over it).  Procedural
    training seeds (``benchmarks/training_seeds.py``) 0.870 -> 0.877; procedural motion,
    quick set, keyframe 1 / 4 / 8 drawings away: 0.838 / 0.798 / 0.845 -> 0.862 / 0.812 /
    0.847; dwanko from the previous drawing 0.876 -> 0.897, every pair 0.876 -> 0.877.

    The field gives back each row as a distribution, so the network's settled colours
    count at ``1 - classic_weight`` in full, its "no match" share no longer taken off them;
    the classical posterior still gains that share, so a region the network cannot place
    leans to the warp.  Taking the share off again lost on the training seeds (0.876), on
    dwanko and on procedural motion.
    """
    total = field(total)
    if prior is None:
        return total
    return fuse_with_classic(total, no_match, field(prior), classic_weight)


def region_confidence(total: np.ndarray, best: np.ndarray, no_match: np.ndarray) -> np.ndarray:
    """float32[n] confidence per region from colour probabilities total[n, k], the chosen
    colour best[n] and the network's "no match" share no_match[n].

    The margin to the runner-up, scaled by how far the network placed the region at all
    (one it could not place stays in doubt, whatever the warp says), raised to
    ``CONFIDENCE_POWER``: the classical engine's scheme, with the network's dustbin.
    """
    margin = colour_margin(total, best)
    return ((np.clip(margin, 0.0, 1.0) * (1.0 - no_match)) ** CONFIDENCE_POWER).astype(np.float32)


class LearnedMatcher:
    """Colours target regions with the segment-matching network.

    device: "auto" (CUDA when available, else CPU), "cpu" or "cuda".
    weights: a ``.safetensors`` file; the shipped one when None.
    classic_weight: share of the classical posterior blended into the network's colour
        probabilities; None: ``PRIOR_NETWORK_CLASSIC_WEIGHT`` for a network that takes that posterior as an
        input, ``CLASSIC_WEIGHT`` for one that does not.
    """

    name = "learned"

    def __init__(self, device: str = "auto", weights: str | None = None, classic_weight: float | None = None):
        import torch

        from ...model.weights import load_model

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if str(device).startswith("cuda") and not torch.cuda.is_available():
            warnings.warn(
                "no CUDA device is available; the learned engine runs on the CPU.",
                RuntimeWarning,
                stacklevel=2,
            )
            device = "cpu"
        self.device = torch.device(device)
        # Recent references' crops and tokens: propagation colours many targets from one.
        self._ref_cache: list[tuple] = []
        try:
            self.model = load_model(weights, self.device)
        except torch.cuda.OutOfMemoryError:
            self.model = load_model(weights, "cpu")
            self._fall_back_to_cpu()
        if classic_weight is None:
            classic_weight = (
                PRIOR_NETWORK_CLASSIC_WEIGHT if self.model.config.classic_prior else CLASSIC_WEIGHT
            )
        self.classic_weight = classic_weight

    def _fall_back_to_cpu(self) -> None:
        import torch

        warnings.warn(
            "CUDA ran out of memory; the learned engine carries on on the CPU.", RuntimeWarning, stacklevel=3
        )
        self.model = self.model.to("cpu")
        self.device = torch.device("cpu")
        self._ref_cache.clear()
        torch.cuda.empty_cache()

    def _reference(self, ref: Reference):
        """(FrameInputs, tokens) of a reference, cached for the last few references."""
        from ...model.features import reference_inputs
        from ...model.infer import frame_tokens

        stamp = hash(np.ascontiguousarray(ref.colours).tobytes())
        live = [e for e in self._ref_cache if e[1]() is not None]
        for k, (line, seg, colours, inputs, tokens) in enumerate(live):
            if line() is ref.line and seg() is ref.seg and colours == stamp:
                # Most recently used first: forward's frames share three of their four
                # references with the next frame, and must not push each other out.
                self._ref_cache = [live[k]] + live[:k] + live[k + 1 :]
                return inputs, tokens
        inputs = reference_inputs(ref.line, ref.seg, ref.colours, self.model.config.crop)
        tokens = frame_tokens(self.model, inputs, self.device)
        # Weak references: the cache never keeps a frame alive, and a dead entry never
        # matches a new frame that happens to reuse the old one's memory.
        entry = (weakref.ref(ref.line), weakref.ref(ref.seg), stamp, inputs, tokens)
        self._ref_cache = [entry] + live[: REF_CACHE - 1]
        return inputs, tokens

    def _predict(self, ref: Reference, target_line: LineArt, target_seg: Segmentation, classic):
        import torch

        from ...model.features import pair_inputs
        from ...model.infer import predict_pair

        for attempt in (0, 1):
            try:
                ref_inputs, tokens = self._reference(ref)
                inputs = pair_inputs(
                    ref.line,
                    ref.seg,
                    ref.colours,
                    target_line,
                    target_seg,
                    size=self.model.config.crop,
                    classic=classic,
                    ref=ref_inputs,
                )
                return predict_pair(self.model, inputs, ref.colours, self.device, tokens)
            except torch.cuda.OutOfMemoryError:
                if attempt:
                    raise
                self._fall_back_to_cpu()

    def match(
        self,
        refs: list[Reference],
        target_line: LineArt,
        target_seg: Segmentation,
        locked: dict[int, tuple[int, int, int, int]] | None = None,
    ) -> MatchResult:
        from ...model.features import classic_prior

        n = target_seg.n
        biggest = max((r.seg.n for r in refs), default=0)
        if n * biggest > MAX_PAIRS:
            warnings.warn(
                f"{n} x {biggest} regions is more than the learned engine takes in memory; "
                "this frame is coloured by the classical engine.",
                RuntimeWarning,
                stacklevel=2,
            )
            res = ClassicMatcher().match(refs, target_line, target_seg, locked)
            return replace(res, engine="classic (too many regions for learned)")
        colours = np.zeros((n + 1, 4), np.uint8)
        confidence = np.zeros(n + 1, np.float32)
        source = np.full(n + 1, -1, np.int32)
        ref_index = np.full(n + 1, -1, np.int32)
        # Per colour: probability summed over references (each reference's own
        # inclusion sum), weighed by reference; the best reference region of the winner is
        # reported.
        wants_classic = self.model.config.classic_prior
        posterior = None
        shares = None
        if n and (wants_classic or self.classic_weight > 0):
            posterior, shares = ClassicMatcher().posterior_and_shares(refs, target_line, target_seg)
        per_ref = []
        for ri, ref in enumerate(refs):
            if ref.seg.n == 0 or n == 0:
                continue
            prior = classic_prior(posterior, ref.colours, n) if wants_classic else None
            pred = self._predict(ref, target_line, target_seg, prior)
            per_ref.append((ri, _balanced(pred, ref, target_seg)))
        unmatched = 0
        if per_ref:
            palette = np.unique(np.concatenate([p.palette for _, p in per_ref]))
            total = np.zeros((n, len(palette)), np.float32)
            no_match = np.zeros(n, np.float32)
            # Each reference's word on a region, weighed by the classical engine's share of
            # the region in that reference: a part one keyframe does not show is not
            # averaged away by that keyframe's guesses.
            wts = np.full((len(per_ref), n), 1.0, np.float32)
            if shares is not None and len(per_ref) > 1:
                wts = np.stack([shares[ri, 1:] for ri, _ in per_ref]).astype(np.float32) + SHARE_FLOOR
            wts /= wts.sum(axis=0, keepdims=True)
            for (_, p), wt in zip(per_ref, wts, strict=True):
                total[:, np.searchsorted(palette, p.palette)] += wt[:, None] * p.colour_probs
                no_match += wt * p.probs[:, -1]
            total = blend_engines(
                total,
                no_match,
                None if posterior is None else posterior.table(palette, n),
                self.classic_weight,
                lambda table: neighbour_field(table, palette, target_line, target_seg, refs, locked),
            )
            best = total.argmax(1)
            colours[1:] = unpack_colours(palette[best])
            confidence[1:] = region_confidence(total, best, no_match)
            # Source: the reference region of the chosen colour with the highest probability.
            best_score = np.full(n, -1.0, np.float32)
            for ri, p in per_ref:
                codes = pack_colours(refs[ri].colours[1:])
                same = codes[None, :] == palette[best][:, None]
                score = np.where(same, p.probs[:, :-1], np.float32(-1.0))
                r = score.argmax(1)
                s = score[np.arange(n), r]
                better = s > best_score
                best_score[better] = s[better]
                source[1:][better] = r[better] + 1
                ref_index[1:][better] = ri
                unmatched += int((p.probs[:, -1] > 0.5).sum())
        for region, rgba in (locked or {}).items():
            if 0 < region <= n:
                colours[region] = rgba
                confidence[region] = 1.0
        return MatchResult(
            colours,
            confidence,
            source,
            ref_index,
            engine=f"learned ({self.device.type})",
            unmatched=unmatched,
        )

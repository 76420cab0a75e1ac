"""Run the network on one pair and turn its scores into a colour per target region.

Inclusion: a target region's probability for a colour is the sum of its match
probabilities over all reference regions of that colour (several reference regions may
share a colour, and a target region may be part of any of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.render import pack_colours
from .features import FrameInputs, PairInputs
from .network import SegmentMatcher


@dataclass(frozen=True)
class PairPrediction:
    """For each target region t (row t - 1):

    probs: float32[n_tgt, n_ref + 1], match probabilities (last column: no match).
    palette: uint32[k] packed RGBA colours of the reference; colour_probs: float32[n_tgt, k].
    """

    probs: np.ndarray
    palette: np.ndarray
    colour_probs: np.ndarray


def to_device(inputs: PairInputs, device: torch.device) -> tuple:
    """(ref crops, ref geometry, target crops, target geometry, prior, classic or None)."""

    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a)).to(device)

    return (
        t(inputs.ref.crops),
        t(inputs.ref.geometry),
        t(inputs.tgt.crops),
        t(inputs.tgt.geometry),
        t(inputs.prior),
        None if inputs.classic is None else t(inputs.classic),
    )


def _autocast(device: torch.device):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


def frame_tokens(model: SegmentMatcher, frame: FrameInputs, device: torch.device) -> torch.Tensor:
    """float[n, dim] tokens of one frame's regions (no grad, autocast on CUDA)."""

    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a)).to(device)

    with torch.inference_mode(), _autocast(device):
        return model.embed(t(frame.crops), t(frame.geometry))


def pair_logits(
    model: SegmentMatcher, inputs: PairInputs, device: torch.device, ref_tokens: torch.Tensor | None = None
) -> torch.Tensor:
    """float32[n_tgt, n_ref + 1] logits for one pair (no grad, autocast on CUDA).
    ref_tokens: the reference's :func:`frame_tokens` when already computed."""
    rc, rg, tc, tg, prior, classic = to_device(inputs, device)
    with torch.inference_mode(), _autocast(device):
        if ref_tokens is None:
            tokens = model.embed(torch.cat([rc, tc]), torch.cat([rg, tg]))
            ref_tokens, tgt_tokens = tokens[: len(rc)], tokens[len(rc) :]
        else:
            tgt_tokens = model.embed(tc, tg)
        return model(ref_tokens, tgt_tokens, prior, classic).float()


def colour_probabilities(probs: np.ndarray, ref_colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(palette uint32[k], float32[n_tgt, k]) from match probabilities [n_tgt, n_ref + 1]
    and reference colours uint8[n_ref + 1, 4] (row 0 unused)."""
    codes = pack_colours(ref_colours[1:])
    palette, which = np.unique(codes, return_inverse=True)
    onehot = np.zeros((len(codes), len(palette)), np.float32)
    onehot[np.arange(len(codes)), which] = 1.0
    return palette, probs[:, :-1] @ onehot


def predict_pair(
    model: SegmentMatcher,
    inputs: PairInputs,
    ref_colours: np.ndarray,
    device: torch.device,
    ref_tokens: torch.Tensor | None = None,
) -> PairPrediction:
    """Match probabilities and colour probabilities for one pair."""
    n_t, n_r = inputs.prior.shape
    if n_t == 0:
        return PairPrediction(
            np.zeros((0, n_r + 1), np.float32), np.zeros(0, np.uint32), np.zeros((0, 0), np.float32)
        )
    if n_r == 0:
        probs = np.zeros((n_t, 1), np.float32)
        probs[:, 0] = 1.0
        return PairPrediction(probs, np.zeros(0, np.uint32), np.zeros((n_t, 0), np.float32))
    logits = pair_logits(model, inputs, device, ref_tokens)
    probs = torch.softmax(logits, dim=1).cpu().numpy().astype(np.float32)
    palette, cprobs = colour_probabilities(probs, np.asarray(ref_colours, np.uint8))
    return PairPrediction(probs, palette, cprobs)

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


def as_tensor(a: np.ndarray, device: torch.device) -> torch.Tensor:
    """A numpy array on ``device`` (no copy on the CPU)."""
    return torch.from_numpy(np.ascontiguousarray(a)).to(device)


def to_device(inputs: PairInputs, device: torch.device) -> tuple:
    """(ref crops, ref geometry, target crops, target geometry, prior, classic or None)."""
    return (
        as_tensor(inputs.ref.crops, device),
        as_tensor(inputs.ref.geometry, device),
        as_tensor(inputs.tgt.crops, device),
        as_tensor(inputs.tgt.geometry, device),
        as_tensor(inputs.prior, device),
        None if inputs.classic is None else as_tensor(inputs.classic, device),
    )


def _autocast(device: torch.device):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


def frame_tokens(model: SegmentMatcher, frame: FrameInputs, device: torch.device) -> torch.Tensor:
    """float[n, dim] tokens of one frame's regions (no grad, autocast on CUDA)."""
    with torch.inference_mode(), _autocast(device):
        return model.embed(as_tensor(frame.crops, device), as_tensor(frame.geometry, device))


def pair_logits(
    model: SegmentMatcher, inputs: PairInputs, device: torch.device, ref_tokens: torch.Tensor | None = None
) -> torch.Tensor:
    """float32[n_tgt, n_ref + 1] logits for one pair (no grad, autocast on CUDA).
    ref_tokens: the reference's :func:`frame_tokens` when already computed (its crops
    then never reach the device)."""
    if ref_tokens is None:
        ref_tokens = frame_tokens(model, inputs.ref, device)
    tgt_tokens = frame_tokens(model, inputs.tgt, device)
    prior = as_tensor(inputs.prior, device)
    classic = None if inputs.classic is None else as_tensor(inputs.classic, device)
    with torch.inference_mode(), _autocast(device):
        return model(ref_tokens, tgt_tokens, prior, classic).float()


def colour_probabilities(probs: np.ndarray, ref_colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(palette uint32[k], float32[n_tgt, k]) from match probabilities [n_tgt, n_ref + 1]
    and reference colours uint8[n_ref + 1, 4] (row 0 unused)."""
    palette, onehot = colour_onehot(ref_colours)
    return palette, probs[:, :-1] @ onehot


def colour_onehot(ref_colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(palette uint32[k] of packed RGBA, float32[n_ref, k] each reference region's colour
    one-hot) from reference colours uint8[n_ref + 1, 4] (row 0 unused)."""
    codes = pack_colours(np.asarray(ref_colours, np.uint8)[1:])
    palette, which = np.unique(codes, return_inverse=True)
    onehot = np.zeros((len(codes), len(palette)), np.float32)
    onehot[np.arange(len(codes)), which] = 1.0
    return palette, onehot


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

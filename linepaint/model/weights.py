"""Shipped weights: ``resources/models/matcher.safetensors`` plus its card ``matcher.json``
(config, data seeds, steps, validation figures, date)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from ..core.errors import WeightsError
from ..resources import resource_path
from .network import MatcherConfig, SegmentMatcher

WEIGHTS_NAME = "matcher.safetensors"
CARD_NAME = "matcher.json"


def shipped_paths() -> tuple[Path, Path]:
    """(weights, card) paths in ``resources/models/``."""
    folder = resource_path("models")
    return folder / WEIGHTS_NAME, folder / CARD_NAME


def save_weights(model: SegmentMatcher, folder: str | Path, card: dict) -> tuple[Path, Path]:
    """Write the model as fp16 safetensors (a few MB) and its card; the card's ``config``
    is filled from the model."""
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    card = dict(card)
    card["config"] = model.config.to_dict()
    state = {}
    for k, v in model.state_dict().items():
        v = v.detach().cpu().contiguous()
        state[k] = v.half() if v.is_floating_point() else v
    wpath, cpath = folder / WEIGHTS_NAME, folder / CARD_NAME
    tmp = wpath.with_suffix(".tmp")
    save_file(state, str(tmp), metadata={"config": json.dumps(card["config"])})
    tmp.replace(wpath)
    cpath.write_text(json.dumps(card, indent=2) + "\n")
    return wpath, cpath


def load_model(weights: str | Path | None = None, device: str | torch.device = "cpu") -> SegmentMatcher:
    """The network in eval mode with weights loaded (shipped ones when ``weights`` is None)."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    wpath = Path(weights) if weights else shipped_paths()[0]
    if not wpath.is_file():
        raise WeightsError(f"no weights file at {wpath}.")
    try:
        with safe_open(str(wpath), framework="pt") as f:
            meta = f.metadata() or {}
        config = MatcherConfig.from_dict(json.loads(meta.get("config", "{}")))
        model = SegmentMatcher(config)
        state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(wpath)).items()}
        model.load_state_dict(state)
    except Exception as exc:  # safetensors, JSON, config and shape errors alike
        raise WeightsError(
            f"{wpath.name} is damaged or not linepaint matcher weights ({type(exc).__name__}: {exc})."
        ) from exc
    model.cnn.to(memory_format=torch.channels_last)
    return model.to(device).eval()

"""Import timm in an environment whose torchvision cannot load its compiled ops.

timm imports torchvision; a torchvision wheel built against another torch fails with
``operator torchvision::nms does not exist`` because its Python side registers fake
kernels for operators the missing ``_C`` library would have defined (DESIGN §9).  We
define just those schemas (no kernels: linepaint never calls them) and retry.  Harmless
where torchvision works: nothing is registered then.
"""

from __future__ import annotations

import re
import sys

#: Schemas of the torchvision operators its Python side touches at import time.
_SCHEMAS = {
    "nms": "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms": "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}

_fragment = None  # keeps the registered library alive for the life of the process


def _register(name: str) -> None:
    import torch

    global _fragment
    if _fragment is None:
        _fragment = torch.library.Library("torchvision", "FRAGMENT")
    _fragment.define(_SCHEMAS[name])


def import_timm():
    """The ``timm`` module, importing torchvision first and patching it when needed."""
    if "timm" in sys.modules:
        return sys.modules["timm"]
    done: set[str] = set()
    for _ in range(len(_SCHEMAS) + 1):
        try:
            import torchvision  # noqa: F401

            break
        except RuntimeError as exc:
            m = re.search(r"operator torchvision::(\w+) does not exist", str(exc))
            if not m or m.group(1) not in _SCHEMAS or m.group(1) in done:
                raise
            _register(m.group(1))
            done.add(m.group(1))
            # Drop the half-imported package so the retry runs its __init__ again.
            for mod in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
                del sys.modules[mod]
    import timm

    return timm

"""Imported once by the fork server of a local batch (:func:`linepaint.core.batch.run_local`),
so every worker forked from it starts with numpy, OpenCV, torch, timm and linepaint's
engines already imported, instead of paying for the imports again in each worker
(about two seconds of CPU each on these machines, a tenth of a short batch)."""

from __future__ import annotations

from . import batch  # noqa: F401
from .match import classic  # noqa: F401

try:  # the learned engine's libraries, where installed; a classic-only install goes on
    from ..model._timm import import_timm
    from .match import learned  # noqa: F401

    import_timm()
except (ImportError, RuntimeError, OSError):
    pass

"""Shared fixtures: small line art built in the test, and the real clips when present."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from samples import draw_lineart

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


@pytest.fixture
def real_data() -> Path:
    if not REAL.is_dir():
        pytest.skip("../shared/data/real is not present")
    return REAL


@pytest.fixture
def lineart() -> np.ndarray:
    return draw_lineart()

"""The project's label cache folder: a frame that left the in-memory cache comes back from
disk, not from segmenting it again; gap strokes key it; the folder goes with the project."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from linepaint.core import project as project_module
from linepaint.core.clip import find_frames
from linepaint.core.labelcache import LabelCache
from linepaint.core.project import Project, Stroke
from linepaint.synth import generate_clip, write_clip


def make_project(folder) -> Project:
    write_clip(generate_clip(5, frames=3, size=(256, 192), difficulty=0.3), folder / "clip", [0], seg=False)
    lines, keys, _ = find_frames([folder / "clip"])
    p = Project(cache=1)
    p.add_frames(lines, keys)
    return p


@pytest.fixture
def proj(tmp_path):
    return make_project(tmp_path)


def test_a_frame_out_of_memory_comes_back_from_disk_not_from_segmenting(proj, monkeypatch):
    first = proj.seg(1)
    want = (first.labels.copy(), first.ink.copy(), first.filled.copy(), first.adjacency.copy())
    proj.seg(2)  # a one-frame memory cache: frame 1 leaves memory
    assert proj.cached(1) is None
    files = list(proj.labels_on_disk.folder.iterdir())
    assert len(files) == 2 and all(f.stat().st_size < first.labels.nbytes / 8 for f in files)

    def no_segmenting(*args, **kwargs):
        raise AssertionError("segmented again")

    monkeypatch.setattr(project_module, "segment", no_segmenting)
    back = proj.seg(1)
    for got, exp in zip((back.labels, back.ink, back.filled, back.adjacency), want, strict=True):
        assert np.array_equal(got, exp)
    # A frame with a new gap stroke is a new label map: segmented, not read back.
    with pytest.raises(AssertionError, match="segmented again"):
        proj.seg(1, (Stroke(((10.0, 10.0), (60.0, 10.0))),))


def test_the_folder_goes_with_the_project(tmp_path):
    proj = make_project(tmp_path)
    proj.seg(0)
    folder = proj.labels_on_disk.folder
    assert any(folder.iterdir())
    del proj
    gc.collect()
    assert not folder.exists()


def test_label_maps_past_16_bits_are_kept_whole():
    from linepaint.core.segment import Segmentation

    cache = LabelCache()
    labels = np.arange(70000 * 2, dtype=np.int32).reshape(2, 70000)
    cache.put("a.png", (), Segmentation(labels, labels == 0, int(labels.max())))
    assert np.array_equal(cache.get("a.png", ()).labels, labels)
    assert cache.get("a.png", ()).n == labels.max()
    assert cache.get("b.png", ()) is None


def test_folders_crashed_sessions_left_are_removed_a_day_later(tmp_path, monkeypatch):
    import os
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old, recent = tmp_path / "linepaint-labels-old", tmp_path / "linepaint-labels-recent"
    for d in (old, recent):
        d.mkdir()
        (d / "x.npz").write_bytes(b"x")
    stale = time.time() - 2 * 24 * 3600
    os.utime(old, (stale, stale))
    cache = LabelCache()
    folder = cache.folder
    assert folder.parent == tmp_path and folder.is_dir()
    assert not old.exists() and recent.is_dir()

"""A cache folder per project for segmentations that are not in memory.

A project keeps the segmentations of a few frames in memory (the frames on screen and
those a propagation is working on).  Every segmentation it computes also goes to a
folder of its own, compressed (its label map and the cuts its gap closing made: about
0.1-0.3 MB for a 1080p frame), so a frame that left memory comes back by reading a
small file instead of being segmented again.  The folder is temporary and goes with
the project; one a crashed session left behind is removed a day later.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path

import numpy as np

from .image_io import atomic_write_bytes
from .segment import Segmentation

#: A cache folder untouched this long is left over from a session that crashed.
STALE_S = 24 * 3600
PREFIX = "linepaint-labels-"


def _remove_stale_folders() -> None:
    """Delete cache folders that crashed sessions left in the temporary folder (one in use
    is written to as frames are segmented; a file of it gone only costs a re-segment)."""
    now = time.time()
    for p in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            if p.is_dir() and now - p.stat().st_mtime > STALE_S:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass


class LabelCache:
    """Segmentations by (line path, strokes) in a temporary folder, made on first use
    and removed when the cache is collected (or the process exits)."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._lock = threading.Lock()
        self._files: dict[tuple, Path] = {}

    @property
    def folder(self) -> Path:
        with self._lock:
            if self._folder is None:
                _remove_stale_folders()
                self._folder = Path(tempfile.mkdtemp(prefix=PREFIX))
                weakref.finalize(self, shutil.rmtree, self._folder, True)
            return self._folder

    def get(self, path: str, strokes: tuple) -> Segmentation | None:
        """The segmentation put for (path, strokes), or None (never put, file gone)."""
        file = self._files.get((path, strokes))
        if file is None:
            return None
        try:
            with np.load(file) as z:
                labels, n, cut = z["labels"].astype(np.int32), int(z["n"]), z["cut"]
        except (OSError, ValueError, KeyError):
            return None
        return Segmentation(labels, labels == 0, n, [cut.astype(np.int32)] if len(cut) else [])

    def put(self, path: str, strokes: tuple, seg: Segmentation) -> None:
        name = hashlib.sha1(repr((path, strokes)).encode()).hexdigest()[:20]
        file = self.folder / f"{name}.npz"
        cut = [np.asarray(p, np.int32).reshape(-1, 2) for p in seg.cut_pairs]
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            labels=seg.labels.astype(np.uint16 if seg.n < 65536 else np.int32),
            n=np.int64(seg.n),
            cut=np.concatenate(cut) if cut else np.zeros((0, 2), np.int32),
        )
        atomic_write_bytes(file, buf.getvalue())
        self._files[(path, strokes)] = file

"""The project's save format: one zip (``project.json`` plus an ``.npz`` of colours,
confidences and label maps per coloured frame), versioned, written atomically.
:func:`read_project_zip` is the one place a project file is read and checked.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .errors import ProjectError
from .image_io import atomic_write_bytes
from .palette import swatches_from_data
from .project import FrameState, Project, Stroke

FORMAT = "linepaint-project"
VERSION = 1
SUFFIX = ".lpproj"
AUTOSAVE_SUFFIX = ".autosave"


class MissingFramesError(ProjectError):
    """A project's line files are gone (moved, renamed, deleted); ``missing`` names them."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class StoredLabels:
    """Where a frame's label map sits in a saved project: ``member`` of zip ``file``,
    valid while the frame has the gap ``strokes`` it was saved with."""

    strokes: tuple
    file: str
    member: str

    def read(self) -> np.ndarray | None:
        """int[H, W] label map, or None when the file no longer holds it."""
        try:
            with zipfile.ZipFile(self.file) as zf, zf.open(self.member) as fh:
                return np.load(io.BytesIO(fh.read()))["labels"]
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            return None


def autosave_path(project_path: Path) -> Path:
    """Sibling file autosaves go to: ``shot.lpproj`` -> ``shot.lpproj.autosave``."""
    return project_path.with_name(project_path.name + AUTOSAVE_SUFFIX)


# -- writing ----------------------------------------------------------------------------------


def _member(i: int) -> str:
    return f"frames/{i:05d}.npz"


def _frame_record(project: Project, i: int, base: Path, files: dict[str, bytes]) -> dict:
    path = project.frames[i]
    st = project.states[path]

    def rel(p: str | None):
        if p is None:
            return None
        try:
            r = os.path.relpath(p, base)
        except ValueError:
            r = None
        return {"abs": p, "rel": r}

    rec = {
        "line": rel(path),
        "keyframe": st.keyframe,
        "key_image": rel(st.key_image),
        "reference": rel(st.reference),
        "engine": st.engine,
        "locks": {str(k): list(v) for k, v in st.locks.items()},
        "strokes": [s.to_json() for s in st.strokes],
        "data": None,
    }
    if st.colours is not None:
        arrays = {"colours": st.colours}
        if st.confidence is not None:
            arrays["confidence"] = st.confidence
        if st.source is not None:
            arrays["source"] = st.source
        seg = project.cached_seg(i)
        stored = project.stored.get(path)
        if seg is not None:
            arrays["labels"] = seg.labels.astype(np.uint16 if seg.n < 65536 else np.int32)
        elif stored is not None and stored.strokes == st.strokes:
            labels = stored.read()
            if labels is not None:
                arrays["labels"] = labels
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        files[_member(i)] = buf.getvalue()
        rec["data"] = _member(i)
    return rec


def project_bytes(project: Project, location: Path) -> bytes:
    """The project file's bytes, paths stored relative to ``location``'s folder too."""
    base = location.resolve().parent
    files: dict[str, bytes] = {}
    frames = [_frame_record(project, i, base, files) for i in range(len(project.frames))]
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "saved": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "size": list(project.size) if project.size else None,
        "gap": project.gap,
        "frames": frames,
        "palette": [{"name": s.name, "rgba": list(s.rgba)} for s in project.palette],
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("project.json", json.dumps(doc, indent=1))
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def save_project(project: Project, path: str | os.PathLike, as_copy: bool = False) -> None:
    """Write ``project`` as one zip file (atomically: temp file then rename).
    ``as_copy`` (autosave) leaves ``project.path`` as it is."""
    path = Path(path)
    try:
        atomic_write_bytes(path, project_bytes(project, path))
    except OSError as exc:
        raise ProjectError(f"{path.name}: cannot save the project ({exc.strerror or exc}).") from None
    if not as_copy:
        project.path = path
    # Where each frame's labels are stored: the file just written replaces whatever it
    # held before, so every pointer into it is renewed or dropped (frames are renumbered
    # when frames are added or removed; a member name may now hold another frame's
    # labels).  Pointers into other files stay valid.
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    here = str(path)
    pointed_here = {p for p, v in project.stored.items() if v.file == here}
    project.stored = {p: v for p, v in project.stored.items() if v.file != here}
    for i, p in enumerate(project.frames):
        if _member(i) in names and (not as_copy or p in pointed_here):
            project.stored[p] = StoredLabels(project.states[p].strokes, here, _member(i))


# -- reading ----------------------------------------------------------------------------------


def read_project_zip(path: Path) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """Read and check a project file: (its ``project.json`` document, {member: arrays
    without labels} for every frame's data).  Raises :class:`ProjectError` with one
    sentence naming the file when it is missing, not a project, damaged or newer."""
    try:
        with zipfile.ZipFile(path) as zf:
            doc = json.loads(zf.read("project.json"))
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise ProjectError(f"{path.name}: not a linepaint project.")
            if int(doc.get("version", 0)) > VERSION:
                raise ProjectError(
                    f"{path.name}: saved by a newer linepaint (format {doc['version']}); please update."
                )
            arrays = {}
            for rec in doc.get("frames", []):
                if rec.get("data"):
                    with np.load(io.BytesIO(zf.read(rec["data"]))) as z:
                        arrays[rec["data"]] = {k: z[k] for k in z.files if k != "labels"}
    except FileNotFoundError:
        raise ProjectError(f"{path.name}: project file not found.") from None
    except (OSError, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
        raise ProjectError(f"{path.name}: not a linepaint project or damaged ({exc}).") from None
    return doc, arrays


def open_project(path: str | os.PathLike, cache: int = 12, skip_missing: bool = False) -> Project:
    """Read a project file.  Frames whose line files went missing raise
    :class:`MissingFramesError` (naming them), unless ``skip_missing``: then the project
    opens without them (their colours go with the next save)."""
    path = Path(path)
    doc, arrays = read_project_zip(path)
    try:
        return _from_doc(doc, arrays, path, cache, skip_missing)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ProjectError(
            f"{path.name}: not a linepaint project or damaged ({type(exc).__name__}: {exc})."
        ) from None


def _from_doc(doc: dict, arrays: dict, path: Path, cache: int, skip_missing: bool) -> Project:
    base = path.resolve().parent
    proj = Project(gap=doc.get("gap"), cache=cache)
    proj.size = tuple(doc["size"]) if doc.get("size") else None

    def resolve(ref):
        if ref is None:
            return None
        if ref.get("rel") is not None:
            cand = (base / ref["rel"]).resolve()
            if cand.exists():
                return str(cand)
        return ref["abs"]

    missing = []
    for rec in doc.get("frames", []):
        line = resolve(rec["line"])
        if not Path(line).exists():
            missing.append(Path(line).name)
            continue
        strokes = tuple(Stroke.from_json(s) for s in rec.get("strokes", []))
        st = FrameState(
            keyframe=bool(rec.get("keyframe")),
            key_image=resolve(rec.get("key_image")),
            reference=resolve(rec.get("reference")),
            engine=rec.get("engine", ""),
            locks={int(k): tuple(int(c) for c in v) for k, v in rec.get("locks", {}).items()},
            strokes=strokes,
        )
        if rec.get("data"):
            a = arrays[rec["data"]]
            st = replace(
                st,
                colours=a["colours"].astype(np.uint8),
                confidence=a["confidence"].astype(np.float32) if "confidence" in a else None,
                source=a["source"].astype(np.int32) if "source" in a else None,
            )
            proj.stored[line] = StoredLabels(strokes, str(path), rec["data"])
        proj.frames.append(line)
        proj.states[line] = st
    if missing and not skip_missing:
        raise MissingFramesError(
            f"{path.name}: {len(missing)} line file(s) missing: "
            f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}.",
            missing,
        )
    proj.palette = swatches_from_data(doc.get("palette", []), path.name)
    proj.path = path
    return proj

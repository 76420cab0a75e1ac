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
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .check import Dust
from .errors import ProjectError
from .image_io import atomic_write_bytes
from .palette import swatches_from_data
from .project import FrameState, Project, Stroke
from .segment import MAX_GAP_1080P
from .swatches import DEFAULT_STYLE, with_ids

FORMAT = "linepaint-project"
#: 2: swatch ids per region and palette styles (version 1 files open: their regions'
#: swatches are looked up from their colours).
VERSION = 2
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
    #: Regions of the frame's colour table: a label beyond it makes the map unusable.
    regions: int | None = None
    #: Gap size (px) the map was segmented with.
    gap: int | None = None

    def read(self) -> np.ndarray | None:
        """int[H, W] label map, or None when the file no longer holds it (or holds one
        that does not fit the frame's colour table: the frame is segmented again)."""
        try:
            where = Path(self.file).name
            with zipfile.ZipFile(self.file) as zf:
                data = _read_member(zf, self.member, MAX_MEMBER_BYTES, where)
            with zipfile.ZipFile(io.BytesIO(data)) as inner:
                _member_info(inner, "labels.npy", MAX_MEMBER_BYTES, where)
                shape, dtype = _npy_header(inner, "labels.npy", where)
                if not _fits_a_frame(shape, dtype):
                    return None
                with inner.open("labels.npy") as fh:
                    labels = np.lib.format.read_array(fh, allow_pickle=False)
        except (OSError, KeyError, ValueError, EOFError, MemoryError, ProjectError, zipfile.BadZipFile):
            return None
        except (NotImplementedError, RuntimeError, zlib.error):
            return None
        if labels.ndim != 2 or labels.dtype.kind not in "ui" or labels.size == 0:
            return None
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi > MAX_LABEL or (self.regions is not None and hi > self.regions):
            return None
        return labels


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
        "gap": st.gap,
        "data": None,
    }
    if st.colours is not None:
        arrays = {"colours": st.colours}
        if st.confidence is not None:
            arrays["confidence"] = st.confidence
        if st.source is not None:
            arrays["source"] = st.source
        if st.swatches is not None:
            arrays["swatches"] = st.swatches
        if st.area is not None:
            arrays["area"] = st.area
        seg = project.cached_seg(i)
        stored = project.stored.get(path)
        if seg is not None:
            arrays["labels"] = seg.labels.astype(np.uint16 if seg.n < 65536 else np.int32)
        elif stored is not None and stored.strokes == st.strokes and stored.gap == project.frame_gap(i):
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
        # The project's gap size at 1080p; "gap" holds it in px of the frames, as files
        # before "gap_1080p" did, so that an older linepaint segments them the same.
        "gap_1080p": project.gap,
        "gap": project.gap_px(0, project.gap) if project.frames else None,
        "frames": frames,
        "palette": [{"name": s.name, "rgba": list(s.rgba), "id": s.id} for s in project.palette],
        "style": project.style,
        "dust": project.dust.to_json(),
        "styles": {
            name: [[k, list(c)] for k, c in table.items()]
            for name, table in project.styles.items()
            if name != project.style
        },
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
            st = project.states[p]
            regions = len(st.colours) - 1 if st.colours is not None else None
            project.stored[p] = StoredLabels(st.strokes, here, _member(i), regions, project.frame_gap(i))


# -- reading ----------------------------------------------------------------------------------

#: Largest ``project.json`` read: ten thousand frames with gap lines take a few megabytes.
MAX_JSON_BYTES = 64 * 2**20
#: Largest frame data member (colours, confidences and the label map of one frame): a
#: label map of the largest frame linepaint reads is 120 MB before compression.
MAX_MEMBER_BYTES = 256 * 2**20
#: Most bytes of colour tables and confidences read when a project opens, all frames
#: together (label maps are read later, one frame at a time); a real 500-frame project
#: holds a few megabytes of them.
MAX_TABLE_BYTES = 1 << 30
#: Widest gap line accepted, in pixels (a brush wider than this closes no gap).
MAX_STROKE_WIDTH = 256.0
#: Most region labels of one frame (a label map holds them in int32).
MAX_LABEL = 2**31 - 2


def _member_info(zf: zipfile.ZipFile, name: str, limit: int, where: str) -> zipfile.ZipInfo:
    """The zip entry ``name``, refused before it is read when it is encrypted, packed
    with a method Python cannot unpack, or larger than ``limit`` unpacked."""
    info = zf.getinfo(name)  # KeyError: the caller names what is missing
    if info.flag_bits & 0x1:
        raise ProjectError(f"{where}: {name} is encrypted.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ProjectError(f"{where}: {name} is packed with a method linepaint does not read.")
    if info.file_size > limit:
        raise ProjectError(
            f"{where}: {name} unpacks to {info.file_size // 2**20} MB (limit {limit // 2**20} MB)."
        )
    return info


def _read_member(zf: zipfile.ZipFile, name: str, limit: int, where: str) -> bytes:
    _member_info(zf, name, limit, where)
    with zf.open(name) as fh:
        data = fh.read(limit + 1)  # the size in the directory may lie: never read past it
    if len(data) > limit:
        raise ProjectError(f"{where}: {name} unpacks to more than {limit // 2**20} MB.")
    return data


def _npy_header(zf: zipfile.ZipFile, name: str, where: str) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) of one array of an ``.npz``, from its header alone."""
    with zf.open(name) as fh:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh, max_header_size=10_000)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh, max_header_size=10_000)
        else:
            raise ValueError(f"array format {version}")
    if dtype.hasobject:
        raise ProjectError(f"{where}: {name} holds Python objects, not numbers.")
    return shape, dtype


def _fits_a_frame(shape: tuple, dtype: np.dtype) -> bool:
    """Could an array of this header be a label map of a frame linepaint reads?"""
    from .image_io import MAX_PIXELS

    return (
        len(shape) == 2
        and dtype.kind in "ui"
        and dtype.itemsize <= 8
        and 0 < np.prod(shape, dtype=np.float64) <= MAX_PIXELS
    )


def _frame_arrays(data: bytes, member: str, where: str) -> tuple[dict[str, np.ndarray], tuple | None, int]:
    """The arrays of one frame's ``.npz`` except labels (checked from their header: shape
    and integer type), and the bytes they take.  Every header is read before any array."""
    where = f"{where}: {member}"
    with zipfile.ZipFile(io.BytesIO(data)) as inner:
        headers = {}
        for info in inner.infolist():
            key = info.filename.removesuffix(".npy")
            _member_info(inner, info.filename, MAX_MEMBER_BYTES, where)
            headers[key] = (info.filename, *_npy_header(inner, info.filename, where))
        if "colours" not in headers:
            raise ProjectError(f"{where} has no colour table.")
        _, shape, dtype = headers["colours"][0], headers["colours"][1], headers["colours"][2]
        if len(shape) != 2 or shape[0] < 1 or shape[1] not in (3, 4) or dtype.kind not in "uif":
            raise ProjectError(f"{where} has a colour table of shape {shape} ({dtype}), not [n, 4].")
        rows = shape[0]
        if rows - 1 > MAX_LABEL:
            raise ProjectError(f"{where} has {rows} regions (limit {MAX_LABEL}).")
        labels_shape = None
        if "labels" in headers:
            _, lshape, ldtype = headers["labels"]
            if not _fits_a_frame(lshape, ldtype):
                raise ProjectError(f"{where} has a label map of shape {lshape} ({ldtype}).")
            labels_shape = lshape
        size = 0
        arrays = {}
        for key in ("colours", "confidence", "source", "swatches", "area"):
            if key not in headers:
                continue
            name, shape, dtype = headers[key]
            if key != "colours" and (len(shape) != 1 or dtype.kind not in "uif"):
                continue  # a damaged side table: the frame keeps its colours without it
            size += int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
            if size > MAX_TABLE_BYTES:
                raise ProjectError(f"{where}: its tables need more than {MAX_TABLE_BYTES >> 20} MB.")
            with inner.open(name) as fh:
                arrays[key] = np.lib.format.read_array(fh, allow_pickle=False)
    return arrays, labels_shape, size


def read_project_zip(path: Path) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """Read and check a project file: (its ``project.json`` document, {member: arrays
    without labels} for every frame's data).  Raises :class:`ProjectError` with one
    sentence naming the file when it is missing, not a project, damaged, newer, or
    would need more memory than any real project (each member is checked from the zip
    directory and the array headers before it is unpacked)."""
    where = path.name
    try:
        if path.is_dir() or (path.exists() and not path.is_file()):
            raise ProjectError(f"{where}: not a project file.")
        with zipfile.ZipFile(path) as zf:
            doc = json.loads(_read_member(zf, "project.json", MAX_JSON_BYTES, where))
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise ProjectError(f"{where}: not a linepaint project.")
            version = doc.get("version", 0)
            if (
                isinstance(version, bool)
                or not isinstance(version, int | float)
                or not float(version).is_integer()
                or version < 0
            ):
                raise ProjectError(f"{where}: not a linepaint project (format version {version!r}).")
            if version > VERSION:
                raise ProjectError(f"{where}: saved by a newer linepaint (format {version}); please update.")
            frames = doc.get("frames", [])
            if not isinstance(frames, list) or not all(isinstance(r, dict) for r in frames):
                raise ProjectError(f"{where}: not a linepaint project (its frame list is damaged).")
            arrays, total = {}, 0
            for rec in frames:
                member = rec.get("data")
                if not member:
                    continue
                if not isinstance(member, str):
                    raise ProjectError(f"{where}: a frame's data is named {member!r}, not a member.")
                data = _read_member(zf, member, MAX_MEMBER_BYTES, where)
                a, labels_shape, size = _frame_arrays(data, member, where)
                total += size
                if total > MAX_TABLE_BYTES:
                    raise ProjectError(
                        f"{where}: its colour tables need more than {MAX_TABLE_BYTES >> 20} MB."
                    )
                a["labels_shape"] = labels_shape
                arrays[member] = a
    except ProjectError:
        raise
    except FileNotFoundError:
        raise ProjectError(f"{where}: project file not found.") from None
    except MemoryError:
        raise ProjectError(f"{where}: not enough memory to open the project.") from None
    except RecursionError:
        raise ProjectError(f"{where}: not a linepaint project (its JSON is nested too deeply).") from None
    except (KeyError, OSError, ValueError, TypeError, AttributeError, EOFError, OverflowError) as exc:
        raise ProjectError(f"{where}: not a linepaint project or damaged ({exc}).") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise ProjectError(f"{where}: not a linepaint project or damaged ({exc}).") from None
    return doc, arrays


def open_project(path: str | os.PathLike, cache: int = 12, skip_missing: bool = False) -> Project:
    """Read a project file.  Frames whose line files went missing raise
    :class:`MissingFramesError` (naming them), unless ``skip_missing``: then the project
    opens without them (their colours go with the next save).  What can be repaired is
    (a bad lock or gap line is dropped, a bad gap reset, a key image of another size
    left out), each repair listed in ``project.notes``; the rest is a :class:`ProjectError`."""
    path = Path(path)
    doc, arrays = read_project_zip(path)
    try:
        return _from_doc(doc, arrays, path, cache, skip_missing)
    except ProjectError:
        raise
    except MemoryError:
        raise ProjectError(f"{path.name}: not enough memory to open the project.") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
        raise ProjectError(
            f"{path.name}: not a linepaint project or damaged ({type(exc).__name__}: {exc})."
        ) from None


def _ref(ref) -> dict | None:
    """A stored path ({"abs", "rel"}), or None when there is none; TypeError if damaged."""
    if ref is None:
        return None
    if not isinstance(ref, dict) or not isinstance(ref.get("abs"), str):
        raise TypeError(f"a path is stored as {str(ref)[:40]!r}")
    if ref.get("rel") is not None and not isinstance(ref["rel"], str):
        raise TypeError(f"a path is stored as {str(ref)[:40]!r}")
    return ref


def _colour_table(a: np.ndarray) -> np.ndarray:
    """uint8[n, 4] from a stored table (RGB gets opaque alpha; out-of-range values clip)."""
    a = np.nan_to_num(np.asarray(a, np.float64), nan=0.0, posinf=255.0, neginf=0.0)
    a = np.clip(np.round(a), 0, 255).astype(np.uint8)
    if a.shape[1] == 3:
        a = np.concatenate([a, np.full((len(a), 1), 255, np.uint8)], axis=1)
    return a


def _side_table(a: np.ndarray | None, n: int, dtype, lo: float, hi: float) -> np.ndarray | None:
    """A confidence or source table that fits ``n`` rows, else None (it is derived data)."""
    if a is None or len(a) != n:
        return None
    a = np.nan_to_num(np.asarray(a, np.float64), nan=lo, posinf=hi, neginf=lo)
    return np.clip(a, lo, hi).astype(dtype)


def _styles(doc: dict) -> tuple[str, dict, str | None]:
    """(active style, {other style: {swatch id: RGBA}}, a note when some were damaged)."""
    style = doc.get("style", DEFAULT_STYLE)
    if not isinstance(style, str) or not style:
        style = DEFAULT_STYLE
    styles: dict = {style: {}}
    raw = doc.get("styles") or {}
    bad = 0
    for name, table in raw.items() if isinstance(raw, dict) else []:
        try:
            styles[str(name)] = {
                int(k): tuple(int(np.clip(int(v), 0, 255)) for v in c) for k, c in table if len(c) == 4
            }
        except (TypeError, ValueError, OverflowError):
            bad += 1
    return style, styles, f"{bad} palette style(s) were damaged; dropped." if bad else None


def _stroke(d) -> Stroke | None:
    """A gap line from the file, or None when it is not one (NaN or absurd width, points
    that are not finite pairs)."""
    try:
        stroke = Stroke.from_json(d)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    pts = np.asarray(stroke.points, np.float64).reshape(-1, 2)
    if not (np.isfinite(stroke.width) and 0 < stroke.width <= MAX_STROKE_WIDTH):
        return None
    if not np.isfinite(pts).all() or (np.abs(pts) > 1e6).any():
        return None
    return stroke


def _locks(raw, regions: int | None) -> tuple[dict, int]:
    """{region: RGBA} of the painted regions that exist (``regions``: the colour table's
    region count; None: no table, so no lock can hold), and how many were dropped."""
    if not isinstance(raw, dict):
        return {}, 1 if raw else 0
    locks, dropped = {}, 0
    for k, v in raw.items():
        try:
            region = int(k)
            rgba = tuple(int(c) for c in v)
        except (TypeError, ValueError, OverflowError):
            dropped += 1
            continue
        if (
            regions is None
            or not 0 < region <= regions
            or len(rgba) != 4
            or not all(0 <= c <= 255 for c in rgba)
        ):
            dropped += 1
            continue
        locks[region] = rgba
    return locks, dropped


#: Largest project gap size read from a file, px at 1080p: an older file's size in its
#: frames' pixels may be over the 0-10 a user sets (frames are never segmented with more
#: than :func:`~.segment.max_gap`).
MAX_FILE_GAP_1080P = 1000


def _gap(doc: dict, shape: tuple[int, int] | None) -> tuple[float | None, str]:
    """The project's gap size (px at 1080p) if its frames (``shape``: H, W) can use it,
    else the default (None) and a note saying so.  Files before "gap_1080p" held it in
    px of the frames ("gap", still written for them): converted, so the frames segment
    as they did."""
    from .segment import max_gap

    raw = doc.get("gap_1080p")
    if raw is not None:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= MAX_FILE_GAP_1080P:
            return None, f"a gap size of {str(raw)[:20]} px (at 1080p) is out of range; the default is used."
        return float(raw), ""
    raw = doc.get("gap")
    if raw is None:
        return None, ""
    limit = max_gap(shape) if shape else 1000
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= limit:
        return (
            None,
            f"a gap of {str(raw)[:20]} px does not suit its frames (0 to {limit}); the default is used.",
        )
    return (raw * 1080 / min(shape), "") if shape else (None, "")


def _size(raw) -> tuple[int, int] | None:
    if not raw:
        return None
    w, h = (int(v) for v in raw)
    if w <= 0 or h <= 0:
        raise ValueError(f"a frame size of {w}x{h}")
    return w, h


def _from_doc(doc: dict, arrays: dict, path: Path, cache: int, skip_missing: bool) -> Project:
    from .image_io import image_size

    base = path.resolve().parent
    notes: list[str] = []
    size = _size(doc.get("size"))
    proj = Project(cache=cache)
    proj.size = size

    def resolve(ref):
        ref = _ref(ref)
        if ref is None:
            return None
        if ref.get("rel") is not None:
            cand = (base / ref["rel"]).resolve()
            if cand.exists():
                return str(cand)
        return ref["abs"]

    missing = []
    dropped_locks = dropped_strokes = 0
    for rec in doc.get("frames", []):
        line = resolve(rec["line"])
        if line is None:
            raise TypeError("a frame has no line file")
        name = Path(line).name
        if not Path(line).exists():
            missing.append(name)
            continue
        raw_strokes = rec.get("strokes") or []
        if not isinstance(raw_strokes, list):
            raw_strokes = [raw_strokes]
        strokes = tuple(s for s in map(_stroke, raw_strokes) if s is not None)
        dropped_strokes += len(raw_strokes) - len(strokes)
        keyframe = rec.get("keyframe", False)
        if not isinstance(keyframe, bool):
            notes.append(f"{name}: 'keyframe' is {str(keyframe)[:20]!r}, not true or false; taken as false.")
            keyframe = False
        engine = rec.get("engine", "")
        key_image = resolve(rec.get("key_image"))
        if key_image is not None and Path(key_image).is_file():
            try:
                frame_size = size or image_size(line)
                if image_size(key_image) != tuple(frame_size):
                    notes.append(
                        f"{name}: its coloured keyframe {Path(key_image).name} has another size; left out."
                    )
                    key_image = None
            except Exception as exc:  # an unreadable image: said when it is read
                notes.append(f"{name}: {str(exc).rstrip('.')}; the coloured keyframe is left out.")
                key_image = None
        gap = rec.get("gap")
        if gap is not None and (
            isinstance(gap, bool) or not isinstance(gap, int | float) or not 0 <= gap <= MAX_GAP_1080P
        ):
            notes.append(
                f"{name}: gap size {str(gap)[:20]!r} is not 0 to {MAX_GAP_1080P} px; the project's is used."
            )
            gap = None
        st = FrameState(
            keyframe=keyframe,
            key_image=key_image,
            reference=resolve(rec.get("reference")),
            engine=engine if isinstance(engine, str) else "",
            strokes=strokes,
            gap=None if gap is None else float(gap),
        )
        regions = None
        member = rec.get("data")
        if member:
            a = arrays[member]
            colours = _colour_table(a["colours"])
            n = len(colours)
            regions = n - 1
            st = replace(
                st,
                colours=colours,
                confidence=_side_table(a.get("confidence"), n, np.float32, 0.0, 1.0),
                source=_side_table(a.get("source"), n, np.int32, -1, MAX_LABEL),
                swatches=_side_table(a.get("swatches"), n, np.int32, 0, 2**31 - 1),
                area=_side_table(a.get("area"), n, np.int32, 0, 2**31 - 1),
            )
            lshape = a.get("labels_shape")
            if lshape is not None and (size is None or tuple(lshape) == (size[1], size[0])):
                proj.stored[line] = StoredLabels(strokes, str(path), member, regions)
        locks, dropped = _locks(rec.get("locks", {}), regions)
        dropped_locks += dropped
        st = replace(st, locks=locks)
        proj.frames.append(line)
        proj.states[line] = st
    if dropped_locks:
        notes.append(f"{dropped_locks} painted-region lock(s) named no region or colour; dropped.")
    if dropped_strokes:
        notes.append(f"{dropped_strokes} gap line(s) were damaged (width or points); dropped.")
    shape = (size[1], size[0]) if size else None
    if shape is None and proj.frames:
        w, h = image_size(proj.frames[0])
        shape = (h, w)
    proj.gap, note = _gap(doc, shape)
    if note:
        notes.append(note)
    # Stored label maps are valid for the gap size each frame is segmented with.
    proj.stored = {
        p: replace(proj.stored[p], gap=proj.frame_gap(k))
        for k, p in enumerate(proj.frames)
        if p in proj.stored
    }
    if missing and not skip_missing:
        raise MissingFramesError(
            f"{path.name}: {len(missing)} line file(s) missing: "
            f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}.",
            missing,
        )
    proj.palette = with_ids(swatches_from_data(doc.get("palette", []), path.name))
    proj.dust = Dust.from_json(doc.get("dust") or {})
    proj.style, proj.styles, note = _styles(doc)
    if note:
        notes.append(note)
    proj.path = path
    proj.notes = [f"{path.name}: {n}" for n in notes]
    return proj

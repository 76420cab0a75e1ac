"""The colourist's document: frames, keyframes, per-frame region colours, locks, gap-line
strokes and palette, with edits that return invertible change records.  Qt-free (STYLE
§3): the GUI wraps each change in an undo command; tests drive it without a window.  The
save format is :mod:`.project_file`; finding frames in dropped files is :mod:`.clip`.

Per-frame state is keyed by the line file's path, so change records stay valid when
frames are added or re-sorted.  Label maps are not held for every frame: segmentations
live in a small thread-safe cache; a frame that left it is read back from the project
file or the project's label cache folder (:mod:`.labelcache`), or segmented again.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from .check import Dust, painted_clear, settle_dust
from .clip import natural_key
from .errors import ImageReadError, ProjectError
from .frames import FrameEdits
from .image_io import image_size, read_rgba
from .labelcache import LabelCache
from .lineart import LineArt, read_line_art
from .palette import Swatch, extract_palette
from .render import region_colours_from_image
from .segment import MAX_GAP_1080P, Segmentation, default_gap, gap_pixels, max_gap, segment
from .strokes import Stroke, with_strokes
from .swatches import (
    DEFAULT_STYLE,
    PaletteStyles,
    ids_for,
    ids_via_reference,
    recoloured,
    style_colours,
    with_ids,
)

Colour = tuple[int, int, int, int]
CLEAR: Colour = (0, 0, 0, 0)

#: Regions below this confidence are "doubtful": the review tools jump between them.
DOUBT_THRESHOLD = 0.5


class LabelSource(Protocol):
    """A label map stored elsewhere (a saved project file) for frames with these strokes."""

    strokes: tuple
    gap: int | None

    def read(self) -> np.ndarray | None: ...


@dataclass(frozen=True)
class FrameState:
    """Everything the user or a propagation decided about one frame.  Arrays are never
    modified in place: edits build a new state, so a state can sit in an undo record.

    colours: uint8[n + 1, 4] | None (None: not coloured yet);
    confidence: float32[n + 1] | None; source: int32[n + 1] | None (region of ``reference``);
    reference: path of the frame the colours came from; locks: {region: RGBA} painted by
    the user; key_image: coloured image the keyframe's colours are read from;
    swatches: int32[n + 1] | None, the id of the swatch each region is painted with (0:
    none; None: not known yet, looked up from the colours by :meth:`Project.swatch_ids`);
    gap: the frame's own gap size in px at 1080p (scaled to the frame; None: the
    project's); area: int32[n + 1] | None, the pixels of each region of the segmentation
    the colours belong to (derived: the doubt queue leaves out dust by it).
    """

    keyframe: bool = False
    key_image: str | None = None
    colours: np.ndarray | None = None
    confidence: np.ndarray | None = None
    source: np.ndarray | None = None
    reference: str | None = None
    locks: dict = field(default_factory=dict)
    strokes: tuple[Stroke, ...] = ()
    engine: str = ""
    swatches: np.ndarray | None = None
    gap: float | None = None
    area: np.ndarray | None = None


@dataclass(frozen=True)
class Change:
    """An invertible edit: per frame path (before, after), optionally the palette and the
    styles (each (active style name, {style: {swatch id: RGBA}}))."""

    text: str
    frames: dict = field(default_factory=dict)  # path -> (FrameState, FrameState)
    palette: tuple | None = None  # (before list[Swatch], after list[Swatch])
    style: tuple | None = None  # (before, after)
    #: (frame paths before, after) when frames moved, came or went; a frame that came
    #: has None before, one that went None after.
    order: tuple | None = None
    #: (before, after) of the project's gap size (px at 1080p; None: the default).
    gap: tuple | None = None

    @property
    def empty(self) -> bool:
        return (
            not self.frames
            and self.palette is None
            and self.style is None
            and self.order is None
            and self.gap is None
        )

    def merged(self, later: Change, text: str | None = None) -> Change:
        """This change followed by ``later``, as one record."""
        frames = dict(self.frames)
        for p, (b, a) in later.frames.items():
            frames[p] = (frames[p][0], a) if p in frames else (b, a)

        def then(mine: tuple | None, theirs: tuple | None) -> tuple | None:
            # A (before, after) pair followed by another: the first before, the last after.
            return mine if theirs is None else (mine[0] if mine else theirs[0], theirs[1])

        return Change(
            text or self.text,
            frames,
            then(self.palette, later.palette),
            then(self.style, later.style),
            then(self.order, later.order),
            then(self.gap, later.gap),
        )


def doubt_queue(
    confidence: np.ndarray,
    area: np.ndarray | None,
    dust_size: int,
    threshold: float = DOUBT_THRESHOLD,
    centroid: np.ndarray | None = None,
) -> np.ndarray:
    """int[k]: the regions the doubt queue (the app's ``N``) visits, in its order: every
    region below the doubt line but the ink (0); when ``area`` (pixels per region) is
    known, the regions of at least ``dust_size`` pixels first and the specks under it
    after them, so that the colourist settles the parts of the drawing before zooming in
    on its specks.  Within each group by id, or in reading order (top to bottom, then
    left to right) given ``centroid`` (float[n + 1, 2], x, y per region).

    Specks are in the queue: about half of the mistakes on real art are one- to four-pixel
    pockets in the strokes, which keep the colour they were given at export (only
    unpainted dust is filled), and a wrong one is a dot of the wrong colour that flickers
    from frame to frame."""
    doubt = np.asarray(confidence) < threshold
    doubt[:1] = False
    regions = np.flatnonzero(doubt)
    speck = np.zeros(len(regions), bool)
    if area is not None and len(area) == len(doubt) and dust_size > 0:
        speck = np.asarray(area)[regions] < dust_size
    if centroid is not None and len(centroid) == len(doubt):
        x, y = np.asarray(centroid)[regions].T
        return regions[np.lexsort((x, y, speck))]
    return regions[np.argsort(speck, kind="stable")]


def gap_setting(gap) -> float | None:
    """A gap size the user set (px at 1080p, 0-10; None: the project's, or the default) as
    a float; else :class:`ProjectError`."""
    if gap is None:
        return None
    try:
        value = float(gap)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 <= value <= MAX_GAP_1080P:
        raise ProjectError(f"a gap size of {gap} px is outside 0 to {MAX_GAP_1080P} px.")
    return value


def seg_from_labels(labels: np.ndarray) -> Segmentation:
    """Rebuild a :class:`Segmentation` from a saved label map (int[H, W], 0 = ink)."""
    labels = np.ascontiguousarray(labels, dtype=np.int32)
    n = int(labels.max()) if labels.size else 0
    # Regions a gap cut separated touch without ink between them.
    extra = []
    for pa, pb in ((labels[:, :-1], labels[:, 1:]), (labels[:-1, :], labels[1:, :])):
        m = (pa != pb) & (pa > 0) & (pb > 0)
        if m.any():
            extra.append(np.stack([pa[m], pb[m]], axis=1))
    return Segmentation(labels, labels == 0, n, extra)


def fitting(table: np.ndarray | None, seg: Segmentation) -> np.ndarray | None:
    """``table`` when it has a row for every region of ``seg`` (and ink), else None: a
    table made for another segmentation (a frame re-segmented since) colours nothing."""
    return table if table is not None and len(table) == seg.n + 1 else None


def keyframe_colours(state: FrameState, seg: Segmentation) -> np.ndarray:
    """uint8[n + 1, 4] of a keyframe: its painted table, or read from its coloured image
    (clear when it has neither, or when they do not fit ``seg``)."""
    table = fitting(state.colours, seg)
    if table is not None:
        return table
    if state.key_image is not None:
        rgba = read_rgba(state.key_image)
        if rgba.shape[:2] == seg.shape:
            return region_colours_from_image(seg, rgba)
    return np.zeros((seg.n + 1, 4), np.uint8)


def _nbytes(value) -> int:
    """Memory held by the arrays of a cache entry (a segmentation counts its filled map,
    made on first use, as if already made)."""
    if isinstance(value, tuple):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, LineArt):
        return sum(a.nbytes for a in (value.rgba, value.darkness, value.ink, value.trace))
    if isinstance(value, Segmentation):
        return 2 * value.labels.nbytes + value.ink.nbytes
    return 0


class SegCache:
    """Thread-safe LRU of (line art, segmentation) keyed by (line path, strokes), holding
    at most ``capacity`` entries and ``max_bytes`` of arrays (but always the last
    ``keep`` entries: a reference and a target), so large frames cannot fill memory."""

    def __init__(self, capacity: int = 12, max_bytes: int = 1 << 30, keep: int = 2):
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.keep = keep
        self._lock = threading.Lock()
        self._data: OrderedDict = OrderedDict()
        self._sizes: dict = {}

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            return None

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            self._sizes[key] = _nbytes(value)
            while len(self._data) > self.capacity or (
                len(self._data) > self.keep and sum(self._sizes.values()) > self.max_bytes
            ):
                old, _ = self._data.popitem(last=False)
                self._sizes.pop(old, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._sizes.clear()


class Project(PaletteStyles, FrameEdits):
    """Frames in natural order with their :class:`FrameState`, plus the palette."""

    def __init__(self, gap: float | None = None, cache: int = 12):
        self.frames: list[str] = []
        self.states: dict[str, FrameState] = {}
        self.palette: list[Swatch] = []
        #: Colours of the palette in each style other than the active one (the active
        #: style's colours are ``palette``'s), by swatch id.
        self.styles: dict[str, dict[int, Colour]] = {DEFAULT_STYLE: {}}
        self.style = DEFAULT_STYLE
        #: Specks below this size take a neighbour's colour at export (:mod:`.check`).
        self.dust = Dust()
        self.size: tuple[int, int] | None = None
        #: The gap size of every frame without its own: px at 1080p, scaled with the
        #: frame (None: the default for the frame's size).
        self.gap = gap_setting(gap)
        self.path: Path | None = None
        self.cache = SegCache(cache)
        #: path -> where that frame's label map is stored (set by the save format).
        self.stored: dict[str, LabelSource] = {}
        #: What was repaired when the project was read (one sentence each, for the user).
        self.notes: list[str] = []
        #: every label map computed, on disk: frames that left ``cache`` come back from it.
        self.labels_on_disk = LabelCache()
        self._line_cache = SegCache(4, max_bytes=1 << 29)

    # -- frames -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.frames)

    def stem(self, i: int) -> str:
        return Path(self.frames[i]).stem

    def state(self, i: int) -> FrameState:
        return self.states[self.frames[i]]

    def index_of(self, path: str | None) -> int:
        try:
            return self.frames.index(path) if path is not None else -1
        except ValueError:
            return -1

    def keyframes(self) -> list[int]:
        return [i for i, p in enumerate(self.frames) if self.states[p].keyframe]

    def _frame_size(self, path: str) -> tuple:
        """(size, None) of a line file that fits the project (the first sets its size),
        or (None, the sentence saying why it does not)."""
        try:
            # Checked whole (a cut-off PNG is named in the drop's message, not found
            # broken when propagation reaches it).
            size = image_size(path, verify=True)
        except ImageReadError as exc:
            return None, str(exc)
        if self.size is None:
            self.size = size
        elif size != self.size:
            return None, (
                f"{Path(path).name}: {size[0]}x{size[1]} does not match the project's "
                f"{self.size[0]}x{self.size[1]}."
            )
        return size, None

    def add_frames(self, paths: Iterable[str | os.PathLike], key_images: dict | None = None) -> list[str]:
        """Add line frames (and coloured keyframe images by line path).  Frames that cannot
        be read or differ in size from the project are skipped; returns one message per
        skipped file.  Frames are kept in natural order; known paths are not added twice."""
        key_images = {str(Path(k).resolve()): str(v) for k, v in (key_images or {}).items()}
        problems: list[str] = []
        before = len(self.frames)
        for p in paths:
            p = str(Path(p).resolve())
            if p in self.states:
                continue
            size, problem = self._frame_size(p)
            if problem:
                problems.append(problem)
                continue
            state = FrameState()
            key = key_images.get(p)
            if key is not None:
                try:
                    ksize = image_size(key, verify=True)
                except ImageReadError as exc:
                    problems.append(str(exc))
                    ksize = None
                if ksize is not None and ksize != size:
                    problems.append(
                        f"{Path(key).name}: keyframe size {ksize[0]}x{ksize[1]} "
                        "does not match its line frame."
                    )
                elif ksize is not None:
                    state = FrameState(keyframe=True, key_image=key)
            self.frames.append(p)
            self.states[p] = state
        self._sort_in(before)
        return problems

    # -- line art and segmentation ------------------------------------------------------

    def _sort_in(self, count: int) -> None:
        """Frames after the first ``count`` were just added: put them in natural order
        among the others, keeping the order the user gave the others."""
        name = lambda s: natural_key(Path(s).name)  # noqa: E731
        old, new = self.frames[:count], sorted(self.frames[count:], key=name)
        if old == sorted(old, key=name):
            self.frames = sorted(self.frames, key=name)
            return
        for p in new:
            at = next((k for k, q in enumerate(old) if name(q) > name(p)), len(old))
            old.insert(at, p)
        self.frames = old

    def _shape(self, i: int) -> tuple[int, int]:
        return (self.size[1], self.size[0]) if self.size is not None else self.line(i).shape

    def gap_px(self, i: int, gap: float | None) -> int | None:
        """A gap size at 1080p in px of frame ``i`` (None stays None: the default for its
        size)."""
        if gap is None:
            return None
        shape = self._shape(i)
        return min(gap_pixels(gap, shape), max_gap(shape))

    def frame_gap(self, i: int, state: FrameState | None = None) -> int | None:
        """Gap (px of frame ``i``) it is segmented with: its own setting, or else the
        project's, scaled from 1080p (None: the default for its size)."""
        st = self.state(i) if state is None else state
        return self.gap_px(i, self.gap if st.gap is None else st.gap)

    def _key(self, i: int, strokes: tuple | None = None, gap: int | None | str = "frame"):
        """Cache key of frame ``i``'s segmentation: (path, gap strokes, gap px)."""
        path = self.frames[i]
        return (
            path,
            self.states[path].strokes if strokes is None else strokes,
            self.frame_gap(i) if gap == "frame" else gap,
        )

    def line(self, i: int, strokes: tuple | None = None) -> LineArt:
        """Line art of frame ``i`` with its gap strokes in the ink."""
        key = self._key(i, strokes)
        hit = self.cache.get(key)
        if hit is not None:
            return hit[0]
        base = self._line_cache.get(key[0])
        if base is None:
            base = read_line_art(key[0])
            self._line_cache.put(key[0], base)
        return with_strokes(base, key[1])

    def cached_seg(self, i: int, strokes: tuple | None = None) -> Segmentation | None:
        hit = self.cache.get(self._key(i, strokes))
        return None if hit is None else hit[1]

    def seg(self, i: int, strokes: tuple | None = None, gap: int | None | str = "frame") -> Segmentation:
        """Segmentation of frame ``i``; on a miss, read from the project file or the label
        cache folder, else computed (and then written to the cache folder).  ``gap`` (px)
        other than the frame's own: a preview of another gap size."""
        key = self._key(i, strokes, gap)
        hit = self.cache.get(key)
        if hit is not None:
            return hit[1]
        line = self.line(i, key[1])
        stored = self.stored.get(key[0])
        valid = stored is not None and stored.strokes == key[1] and stored.gap == key[2]
        labels = stored.read() if valid else None
        seg = self.labels_on_disk.get(key[0], key[1:]) if labels is None else seg_from_labels(labels)
        if seg is None or seg.shape != line.shape:
            seg = segment(line, key[2])
            self.labels_on_disk.put(key[0], key[1:], seg)
        self.cache.put(key, (line, seg))
        return seg

    def key_colours(self, i: int, seg: Segmentation | None = None) -> np.ndarray | None:
        """Colours of keyframe ``i``: its painted table, or read from its coloured image."""
        st = self.state(i)
        if not st.keyframe:
            return None
        if st.colours is not None:  # no segmentation needed
            return st.colours
        return keyframe_colours(st, seg or self.seg(i))

    def cached(self, i: int) -> tuple[LineArt, Segmentation] | None:
        """(line art, segmentation) of frame ``i`` if in the cache, without computing."""
        return self.cache.get(self._key(i))

    def resolve_keyframe(self, i: int, seg: Segmentation, colours: np.ndarray | None = None) -> bool:
        """Store the colours read from keyframe ``i``'s image (derived data, no undo record;
        ``colours`` when already read elsewhere).  Returns True when something was stored."""
        st = self.state(i)
        if not st.keyframe or st.colours is not None:
            return False
        if colours is None:
            colours = self.key_colours(i, seg)
        n = len(colours)
        if not self.palette:
            self.palette = with_ids(extract_palette([colours], [seg.area]))
        # Painted in any style of the palette, it shows in the active one.
        ids = ids_for(colours, self._palettes())
        self.states[self.frames[i]] = replace(
            st,
            colours=recoloured(colours, ids, self.palette),
            confidence=np.ones(n, np.float32),
            source=None,
            reference=None,
            swatches=ids,
        )
        return True

    def colours(self, i: int, seg: Segmentation | None = None) -> np.ndarray:
        """uint8[n + 1, 4] for display: the frame's table, or clear when none yet."""
        st = self.state(i)
        if st.colours is not None and seg is None:
            return st.colours
        seg = seg or self.seg(i)
        table = fitting(st.colours, seg)
        return table if table is not None else np.zeros((seg.n + 1, 4), np.uint8)

    def doubtful(
        self, i: int, threshold: float = DOUBT_THRESHOLD, centroid: np.ndarray | None = None
    ) -> np.ndarray:
        """int[k]: regions of frame ``i`` whose confidence is below ``threshold``, in the
        doubt queue's order (:func:`doubt_queue`: specks under :attr:`dust`'s size last;
        in reading order given the regions' ``centroid``)."""
        st = self.state(i)
        if st.keyframe or st.confidence is None:
            return np.zeros(0, np.int64)
        conf = st.confidence.copy()
        for r in st.locks:
            if 0 < r < len(conf):
                conf[r] = 1.0
        return doubt_queue(conf, st.area, self.dust.size, threshold, centroid)

    # -- edits (each returns a Change; apply() redoes/undoes it) --------------------------

    def apply(self, change: Change, undo: bool = False) -> None:
        for path, (before, after) in change.frames.items():
            state = before if undo else after
            if state is None:  # a frame that went
                self.states.pop(path, None)
            elif path in self.states or change.order is not None:
                self.states[path] = state
        if change.order is not None:
            self.frames = list(change.order[0] if undo else change.order[1])
        if change.palette is not None:
            self.palette = list(change.palette[0] if undo else change.palette[1])
        if change.style is not None:
            name, styles = change.style[0] if undo else change.style[1]
            self.style, self.styles = name, {k: dict(v) for k, v in styles.items()}
        if change.gap is not None:
            self.gap = change.gap[0] if undo else change.gap[1]

    _change = Change  # for the edits mixed in from other modules

    def _commit(self, text: str, new: dict[str, FrameState]) -> Change:
        change = Change(text, {p: (self.states[p], s) for p, s in new.items()})
        self.apply(change)
        return change

    def _painted(
        self, i: int, region, rgba: Colour, seg: Segmentation, swatch: int | None = None
    ) -> FrameState:
        """Frame ``i``'s state with ``region`` (one, or an int array of them) painted."""
        st = self.state(i)
        regions = np.atleast_1d(np.asarray(region, np.int64))
        bad = regions[(regions <= 0) | (regions > seg.n)]
        if len(bad):
            raise ProjectError(f"frame {self.stem(i)} has no region {int(bad[0])}.")
        colours = self.colours(i, seg).copy()
        ids = self.swatch_ids(i, colours)
        if len(ids) != len(colours):
            ids = np.zeros(len(colours), np.int32)
        colours[regions] = rgba
        if swatch is None:  # the first swatch of that colour
            swatch = int(ids_for(np.array([CLEAR, rgba], np.uint8), [self.palette])[1])
        ids[regions] = swatch
        conf = (
            st.confidence.copy()
            if st.confidence is not None and len(st.confidence) == len(colours)
            else np.ones(len(colours), np.float32)
        )
        conf[regions] = 1.0
        # Every region painted by hand is remembered, on keyframes too (propagation ignores
        # a keyframe's locks): unmarked again, the frame keeps what the user painted.
        locks = dict(st.locks)
        for r in regions.tolist():
            locks[r] = tuple(int(v) for v in rgba)
        return replace(st, colours=colours, confidence=conf, locks=locks, swatches=ids)

    def fill(
        self,
        i: int,
        region: int,
        rgba: Colour,
        seg: Segmentation | None = None,
        swatch: int | None = None,
    ) -> Change:
        """Bucket: paint ``region`` of frame ``i`` with ``rgba``, remembering ``swatch`` (None:
        the first swatch of that colour); the region is locked (kept by propagation)."""
        seg = seg or self.seg(i)
        return self._commit(
            f"Fill {self.stem(i)}", {self.frames[i]: self._painted(i, region, rgba, seg, swatch)}
        )

    def fill_regions(
        self, i: int, regions, rgba: Colour, seg: Segmentation | None = None, swatch: int | None = None
    ) -> Change:
        """Rectangle and lasso fill: paint every region of ``regions`` (int[k]) at once, one
        change (nothing when empty)."""
        regions = np.asarray(regions, np.int64)
        if not len(regions):
            return Change("Fill")
        seg = seg or self.seg(i)
        state = self._painted(i, regions, rgba, seg, swatch)
        return self._commit(f"Fill {len(regions)} region(s) {self.stem(i)}", {self.frames[i]: state})

    def unfill(self, i: int, region: int, seg: Segmentation | None = None) -> Change:
        seg = seg or self.seg(i)
        return self._commit(
            f"Unfill {self.stem(i)}", {self.frames[i]: self._painted(i, region, CLEAR, seg, 0)}
        )

    def set_keyframe(self, i: int, flag: bool = True, seg: Segmentation | None = None) -> Change:
        """Mark/unmark frame ``i`` as a keyframe; a new keyframe keeps its current colours."""
        st = self.state(i)
        if st.keyframe == flag:
            return Change("Keyframe")
        if flag:
            colours = st.colours
            if colours is None and st.key_image is None:
                colours = np.zeros(((seg or self.seg(i)).n + 1, 4), np.uint8)
            new = replace(
                st,
                keyframe=True,
                colours=colours,
                confidence=None if colours is None else np.ones(len(colours), np.float32),
            )
        else:
            new = replace(
                st, keyframe=False, key_image=None, colours=st.colours if st.colours is not None else None
            )
        verb = "Mark" if flag else "Unmark"
        return self._commit(f"{verb} keyframe {self.stem(i)}", {self.frames[i]: new})

    def import_keyframe(
        self, i: int, image_path: str | os.PathLike, seg: Segmentation | None = None
    ) -> Change:
        """Use a coloured image as frame ``i``'s keyframe (sizes must match)."""
        image_path = str(Path(image_path).resolve())
        size = image_size(image_path)
        if self.size is not None and size != self.size:
            raise ProjectError(
                f"{Path(image_path).name}: {size[0]}x{size[1]} does not match the frames' "
                f"{self.size[0]}x{self.size[1]}."
            )
        st = self.state(i)
        new = replace(
            st,
            keyframe=True,
            key_image=image_path,
            colours=None,
            confidence=None,
            source=None,
            reference=None,
            locks={},
        )
        change = self._commit(f"Import keyframe {self.stem(i)}", {self.frames[i]: new})
        if seg is not None:
            self.resolve_keyframe(i, seg)
            change = Change(change.text, {self.frames[i]: (change.frames[self.frames[i]][0], self.state(i))})
        return change

    def add_stroke(self, i: int, stroke: Stroke) -> Change:
        """Gap line: add ``stroke`` to frame ``i``'s ink and re-segment that frame only.
        Old colours carry over to the new regions by majority overlap; the halves of a
        split region both keep its colour until the user fills one."""
        st = self.state(i)
        old_seg = self.seg(i)
        strokes = st.strokes + (stroke,)
        new_seg = self.seg(i, strokes)
        return self._commit(
            f"Gap line {self.stem(i)}", {self.frames[i]: self._reseg(st, old_seg, new_seg, strokes)}
        )

    def set_gap(self, i: int, gap: float | None) -> Change:
        """Frame ``i``'s own gap size (px at 1080p, 0-10; None: the project's): re-segment
        that frame only, colours carried over as for a gap line."""
        st = self.state(i)
        gap = gap_setting(gap)
        if gap == st.gap:
            return Change(f"Gap size {self.stem(i)}")
        old_seg = self.seg(i)
        new_state = replace(st, gap=gap)
        new_seg = self.seg(i, gap=self.frame_gap(i, new_state))
        new_state = replace(self._reseg(st, old_seg, new_seg, st.strokes), gap=new_state.gap)
        text = "the project's" if gap is None else f"{float(gap):g} px"
        return self._commit(f"Gap size {text}, {self.stem(i)}", {self.frames[i]: new_state})

    def project_gap_states(self, gap: float | None, ready: dict | None = None):
        """Frame by frame (a generator a worker thread can run, STYLE §1): ``(path, state
        now, state with the project's gap size ``gap``)`` of each coloured frame that has
        no gap of its own and whose regions that size changes, its colours, locks and
        swatches carried onto the new regions as for :meth:`set_gap`.  Changes nothing.
        Frames without colours are left out (they are segmented when next shown), so
        only two segmentations are held at a time, in the project's small cache.

        ready: ``{path: (state, new state)}`` yielded before (by a worker); a frame still
        in that state is yielded as it was, one edited since is carried again."""
        gap = gap_setting(gap)
        ready = ready or {}
        for path in list(self.frames):
            st = self.states.get(path)
            if st is None or st.gap is not None or st.colours is None:
                continue
            done = ready.get(path)
            if done is not None and done[0] is st:
                yield path, st, done[1]
                continue
            i = self.index_of(path)
            if i < 0:
                continue
            old_px, new_px = self.gap_px(i, self.gap), self.gap_px(i, gap)
            shape = self._shape(i)
            if (default_gap(shape) if old_px is None else old_px) == (
                default_gap(shape) if new_px is None else new_px
            ):
                continue
            old = self.seg(i, st.strokes, old_px)
            if fitting(st.colours, old) is None:  # a table that colours nothing
                continue
            new = self.seg(i, st.strokes, new_px)
            yield path, st, self._reseg(st, old, new, st.strokes)

    def set_project_gap(self, gap: float | None, ready: dict | None = None) -> Change:
        """The project's gap size (px at 1080p, 0-10; None: the default): every frame
        without a gap of its own is segmented with it, the coloured ones re-segmented
        now with their colours carried over (:meth:`project_gap_states`; ``ready``: what
        a worker already computed); frames with their own keep it.  One change: undone,
        the old size and the old colours of all those frames come back."""
        gap = gap_setting(gap)
        if gap == self.gap:
            return Change("Gap size, all frames")
        frames = {p: (before, after) for p, before, after in self.project_gap_states(gap, ready)}
        text = "the default" if gap is None else f"{gap:g} px"
        change = Change(f"Gap size {text}, all frames", frames, gap=(self.gap, gap))
        self.apply(change)
        return change

    def _reseg(self, st: FrameState, old: Segmentation, new: Segmentation, strokes: tuple) -> FrameState:
        def carry(table, fill, dtype):
            if table is None:
                return None
            # Majority old region under each new region's pixels.
            mask = new.labels > 0
            pair = new.labels[mask].astype(np.int64) * (old.n + 1) + old.filled[mask]
            uniq, cnt = np.unique(pair, return_counts=True)
            reg, src = uniq // (old.n + 1), uniq % (old.n + 1)
            order = np.lexsort((cnt, reg))
            reg, src = reg[order], src[order]
            last = np.append(reg[1:] != reg[:-1], True)
            owner = np.zeros(new.n + 1, np.int64)
            owner[reg[last]] = src[last]
            out = np.asarray(table)[owner].astype(dtype)
            out[0] = fill
            return out, owner

        res = carry(st.colours, 0, np.uint8)
        if res is None:
            return replace(st, strokes=strokes, area=None)
        colours, owner = res
        conf = st.confidence[owner].astype(np.float32) if st.confidence is not None else None
        source = st.source[owner].astype(np.int32) if st.source is not None else None
        swatches = st.swatches[owner].astype(np.int32) if st.swatches is not None else None
        locks = {}
        for r in range(1, new.n + 1):
            c = st.locks.get(int(owner[r]))
            if c is not None:
                locks[r] = c
        return replace(
            st,
            strokes=strokes,
            colours=colours,
            confidence=conf,
            source=source,
            locks=locks,
            swatches=swatches,
            area=new.area.astype(np.int32),
        )

    def extract_palette(self) -> list[Swatch]:
        """Swatches from every keyframe whose colours are known."""
        tables = [
            self.states[p].colours
            for p in self.frames
            if self.states[p].keyframe and self.states[p].colours is not None
        ]
        return extract_palette(tables)

    def result_state(
        self,
        path: str,
        colours,
        confidence,
        source,
        reference: str | None,
        engine: str,
        strokes: tuple,
        locks: dict | None = None,
        cuts: tuple[Stroke, ...] = (),
        area=None,
    ) -> FrameState | None:
        """The state a propagation result gives ``path``, or None when the frame changed
        meanwhile in a way the result no longer fits (made a keyframe, re-segmented, or
        painted by hand where the result's ``cuts``, gap lines across leaks, renumber its
        regions).  The frame keeps the cuts as gap lines of its own.  area: the pixels of
        each region of the segmentation the result coloured (:attr:`FrameState.area`)."""
        st = self.states.get(path)
        if st is None or st.keyframe or st.strokes != strokes:
            return None
        if cuts and st.locks and locks is None:
            return None
        locks = dict(st.locks if locks is None else locks)
        colours = np.array(colours, np.uint8)
        confidence = np.array(confidence, np.float32)
        for r, c in locks.items():
            if 0 < r < len(colours):
                colours[r] = c
                confidence[r] = 1.0
        return replace(
            st,
            colours=colours,
            confidence=confidence,
            source=np.array(source, np.int32),
            reference=reference,
            engine=engine,
            locks=locks,
            strokes=strokes + tuple(cuts),
            swatches=ids_via_reference(colours, source, self.states.get(reference), self._palettes()),
            area=None if area is None or len(area) != len(colours) else np.asarray(area, np.int32),
        )

    # -- sequences for background jobs ------------------------------------------------------

    def sequence(self, style: str | None = None, dust: bool = False) -> ProjectSequence:
        """A frozen view for a worker thread: frame list and states as they are now
        (colours in palette style ``style``, default the active one; ``dust``: specks
        settled as :attr:`dust` says, for export)."""
        return ProjectSequence(self, style, self.dust if dust else None)


class ProjectSequence:
    """:class:`~linepaint.core.propagate.FrameSequence` over a snapshot of a project, safe
    to iterate in a worker thread while the user keeps editing (segmentations come from
    the project's thread-safe cache)."""

    def __init__(self, project: Project, style: str | None = None, dust=None):
        self.project = project
        self.frames = list(project.frames)
        self.states = dict(project.states)
        self._known: dict[int, np.ndarray] = {}
        self._palettes = project._palettes()
        self._dust = dust
        # Keyframes still read from their images are in whatever style they were painted
        # in: every table goes through the swatch ids into the wanted style.
        self._style = style_colours(project.palette, project.style_table(style or project.style))

    def __len__(self) -> int:
        return len(self.frames)

    def stem(self, i: int) -> str:
        return Path(self.frames[i]).stem

    def strokes(self, i: int) -> tuple:
        return self.states[self.frames[i]].strokes

    def _idx(self, i: int) -> int:
        # The live project may have re-sorted; map by path.
        return self.project.index_of(self.frames[i])

    def _gap(self, i: int) -> int | None:
        return self.project.frame_gap(self._idx(i), self.states[self.frames[i]])

    def line(self, i: int) -> LineArt:
        self.seg(i)
        hit = self.project.cache.get((self.frames[i], self.strokes(i), self._gap(i)))
        return hit[0] if hit else self.project.line(self._idx(i), self.strokes(i))

    def seg(self, i: int) -> Segmentation:
        return self.project.seg(self._idx(i), self.strokes(i), self._gap(i))

    def with_cuts(self, i: int, cuts: tuple[Stroke, ...]) -> tuple[LineArt, Segmentation]:
        strokes = self.strokes(i) + tuple(cuts)
        seg = self.project.seg(self._idx(i), strokes, self._gap(i))
        return self.project.line(self._idx(i), strokes), seg

    def known_colours(self, i: int) -> np.ndarray | None:
        st = self.states[self.frames[i]]
        if not st.keyframe:
            return None
        if i not in self._known:
            self._known[i] = keyframe_colours(st, self.seg(i))
        return self._known[i]

    def colours(self, i: int) -> np.ndarray | None:
        st = self.states[self.frames[i]]
        colours = self.known_colours(i) if st.keyframe else fitting(st.colours, self.seg(i))
        if colours is None:
            return colours
        dusty = self._dust is not None and self._dust.size > 0
        if not (self._style or dusty):
            return colours
        ids = st.swatches
        if ids is None or len(ids) != len(colours):
            ids = ids_for(colours, self._palettes)
        if self._style:
            colours = recoloured(colours, ids, self._style)
        if dusty:
            painted = painted_clear(ids, self.project.palette)
            colours = settle_dust(self.seg(i), colours, self._dust, painted)
        return colours

    def keyframes(self) -> list[int]:
        return [i for i, p in enumerate(self.frames) if self.states[p].keyframe]

    def locks(self) -> dict[int, dict[int, Colour]]:
        """Per frame index, the regions the user painted (keyframes' locks are ignored)."""
        return {
            i: dict(self.states[p].locks)
            for i, p in enumerate(self.frames)
            if self.states[p].locks and not self.states[p].keyframe
        }

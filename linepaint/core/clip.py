"""A clip on disk in BasicPBC layout: ``CLIP/line/<stem>.png`` per frame, ``CLIP/gt/<stem>.png``
for coloured keyframes.  Finds frames, sorts them naturally and checks them up front;
:func:`find_frames` turns files and folders dropped on the app into frames and keyframes."""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ClipError, ImageReadError
from .image_io import image_size, is_image_file, read_rgba
from .lineart import read_line_art
from .render import region_colours_from_image
from .segment import segment
from .strokes import with_strokes


def natural_key(name: str) -> list:
    """Sort key so that ``f2`` comes before ``f10``."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def list_images(folder: Path) -> list[Path]:
    """Image files in ``folder`` in natural order (hidden files skipped)."""
    files = [p for p in folder.iterdir() if p.is_file() and is_image_file(p) and not p.name.startswith(".")]
    return sorted(files, key=lambda p: natural_key(p.name))


@dataclass(frozen=True)
class Clip:
    """Frames of one clip: ``stems`` in order, their line files, keyframe files by stem."""

    root: Path
    stems: list[str]
    lines: list[Path]
    keyframes: dict[str, Path]
    size: tuple[int, int]  # (width, height)

    def keyframe_indices(self) -> list[int]:
        return [i for i, s in enumerate(self.stems) if s in self.keyframes]


def open_clip(root: str | Path, need_keyframe: bool = True) -> Clip:
    """Read a clip folder's layout; raise :class:`ClipError` with one clear sentence when it
    cannot be coloured (no ``line/``, no frames, no keyframe, files that cannot be read,
    all of them named, frames of different sizes)."""
    root = Path(root)
    if not root.is_dir():
        raise ClipError(f"{root}: not a folder (a clip is a folder with line/ and gt/ inside).")
    line_dir = root / "line"
    if not line_dir.is_dir():
        raise ClipError(f"{root.name}: no line/ folder (expected {line_dir}).")
    lines = list_images(line_dir)
    if not lines:
        raise ClipError(f"{root.name}: line/ holds no image files.")
    stems = [p.stem for p in lines]
    if len(set(stems)) < len(stems):
        seen: dict[str, list[str]] = {}
        for p in lines:
            seen.setdefault(p.stem, []).append(p.name)
        clash = [" and ".join(names) for names in seen.values() if len(names) > 1]
        raise ClipError(
            f"{root.name}: two frames share a name ({'; '.join(clash[:3])}): each frame's "
            "output and keyframe are matched by name, so keep one of each."
        )
    gt_dir = root / "gt"
    keyframes: dict[str, Path] = {}
    if gt_dir.is_dir():
        by_stem = {p.stem: p for p in list_images(gt_dir)}
        keyframes = {s: by_stem[s] for s in stems if s in by_stem}
    if need_keyframe and not keyframes:
        raise ClipError(
            f"{root.name}: no coloured keyframe (put at least one gt/<stem>.png matching a line frame)."
        )
    sizes: dict[tuple[int, int], list[str]] = {}
    # Every unreadable file at once: a colourist re-exports them together, not one per run.
    unreadable: list[str] = []
    for p in lines + list(keyframes.values()):
        try:
            sizes.setdefault(image_size(p, verify=True), []).append(f"{p.parent.name}/{p.name}")
        except ImageReadError as exc:
            unreadable.append(str(exc))
    if len(unreadable) == 1:
        raise ClipError(unreadable[0])
    if unreadable:
        raise ClipError(
            f"{root.name}: {len(unreadable)} files cannot be read: "
            + " ".join(unreadable[:5])
            + (f" (and {len(unreadable) - 5} more)" if len(unreadable) > 5 else "")
        )
    if len(sizes) > 1:
        common = max(sizes, key=lambda s: len(sizes[s]))
        odd = [f"{n} ({w}x{h})" for (w, h), names in sizes.items() if (w, h) != common for n in names]
        raise ClipError(
            f"{root.name}: frames differ in size; most are {common[0]}x{common[1]} but "
            + ", ".join(odd[:5])
            + (" ..." if len(odd) > 5 else "")
            + "."
        )
    return Clip(root=root, stems=stems, lines=lines, keyframes=keyframes, size=next(iter(sizes)))


def choose_keyframes(clip: Clip, keys: str) -> Clip:
    """The clip with only some of its coloured frames used as keyframes, the rest left to
    be coloured (and then scored against them by ``evaluate``).

    keys: "first" or "last" (of the coloured frames, in frame order), or stems separated
    by commas.  Raises :class:`ClipError` naming a stem that has no coloured frame.
    """
    ordered = [s for s in clip.stems if s in clip.keyframes]
    spec = keys.strip()
    if spec in ("first", "last"):
        chosen = ordered[:1] if spec == "first" else ordered[-1:]
    else:
        chosen = [k.strip() for k in spec.split(",") if k.strip()]
        missing = [k for k in chosen if k not in clip.keyframes]
        if missing or not chosen:
            shown = ", ".join(ordered[:6]) + (" ..." if len(ordered) > 6 else "")
            raise ClipError(
                f"{clip.root.name}: no coloured frame {', '.join(missing) or repr(keys)} in gt/ "
                f"(it has: {shown})."
            )
    return replace(clip, keyframes={s: clip.keyframes[s] for s in ordered if s in chosen})


class ClipFrames:
    """A :class:`Clip` as a :class:`~linepaint.core.propagate.FrameSequence`: reads and
    segments frames on demand, keeping the most recent ones in memory."""

    def __init__(self, clip: Clip, gap: int | None = None, cache: int = 8):
        self.clip = clip
        self.gap = gap
        self._cache: OrderedDict[int, tuple] = OrderedDict()
        self._cache_size = cache

    def __len__(self) -> int:
        return len(self.clip.stems)

    def stem(self, i: int) -> str:
        return self.clip.stems[i]

    def _load(self, i: int) -> tuple:
        if i in self._cache:
            self._cache.move_to_end(i)
            return self._cache[i]
        line = read_line_art(self.clip.lines[i])
        entry = (line, segment(line, self.gap))
        self._cache[i] = entry
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return entry

    def line(self, i: int):
        return self._load(i)[0]

    def seg(self, i: int):
        return self._load(i)[1]

    def with_cuts(self, i: int, cuts: tuple):
        line = with_strokes(self.line(i), cuts)
        return line, segment(line, self.gap)

    def known_colours(self, i: int):
        path = self.clip.keyframes.get(self.clip.stems[i])
        if path is None:
            return None
        return region_colours_from_image(self.seg(i), read_rgba(path))


def find_frames(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], dict[str, str], list[str]]:
    """Expand dropped files and folders into (line frames, {line path: keyframe image},
    problems).  A folder with ``line/`` inside is a clip in BasicPBC layout: its ``gt/``
    images become keyframes of the line frames with the same stem."""
    lines: list[Path] = []
    keys: dict[str, str] = {}
    problems: list[str] = []
    # A clip's gt/ folder dropped (alone or with its line/) means the clip: its coloured
    # frames are keyframes, not more line art.
    dropped = [Path(raw) for raw in paths]
    clips = {p.parent for p in dropped if p.is_dir() and _in_clip_gt(p / "x")}
    line_by_stem: dict[Path, dict[str, Path]] = {}  # per clip, listed once
    seen: set[Path] = set()
    for p in dropped:
        if p.parent in clips and p.name.lower() in ("gt", "line"):
            p = p.parent
        if p in seen:
            continue
        seen.add(p)
        if p.is_dir():
            if (p / "line").is_dir():
                clip_lines = list_images(p / "line")
                lines += clip_lines
                if (p / "gt").is_dir():
                    gt = {g.stem: g for g in list_images(p / "gt")}
                    for ln in clip_lines:
                        if ln.stem in gt:
                            keys[str(ln.resolve())] = str(gt[ln.stem].resolve())
            else:
                found = list_images(p)
                if not found:
                    problems.append(f"{p.name}: the folder holds no image files.")
                lines += found
        elif p.is_file() and is_image_file(p):
            line = None
            if _in_clip_gt(p):
                clip = p.parent.parent
                if clip not in line_by_stem:
                    line_by_stem[clip] = {q.stem: q for q in list_images(clip / "line")}
                line = line_by_stem[clip].get(p.stem)
            if line is None:
                lines.append(p)
            else:  # a clip's gt/<stem> file: the coloured keyframe of line/<stem>
                keys[str(line.resolve())] = str(p.resolve())
                if line not in seen and line not in dropped:
                    seen.add(line)
                    lines.append(line)
        elif p.exists():
            problems.append(f"{p.name}: not an image linepaint imports (PNG, TIFF, JPG, WebP).")
        else:
            problems.append(f"{p.name}: file not found.")
    return lines, keys, problems


def _in_clip_gt(path: Path) -> bool:
    """Is ``path`` inside a clip's ``gt/`` folder (one with ``line/`` beside it)?"""
    return path.parent.name.lower() == "gt" and (path.parent.parent / "line").is_dir()

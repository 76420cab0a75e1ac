"""Named colour swatches: extracted from coloured keyframes, edited by the colourist,
exchanged as GIMP ``.gpl`` or JSON.  Qt-free, so the CLI and tests use it as is."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import LinepaintError
from .image_io import atomic_write_bytes
from .render import pack_colours, unpack_colours

Colour = tuple[int, int, int, int]

#: Largest palette file read: thousands of swatches take a few hundred kilobytes.
MAX_PALETTE_BYTES = 4 * 2**20


class PaletteError(LinepaintError):
    """A palette file could not be read or written."""


@dataclass(frozen=True)
class Swatch:
    """One named colour, RGBA 0..255.  ``id`` is its identity in a project (0: none yet):
    regions store it, so recolouring the swatch recolours them (:mod:`.swatches`)."""

    name: str
    rgba: Colour
    id: int = 0

    @property
    def hex(self) -> str:
        r, g, b, a = self.rgba
        return f"#{r:02x}{g:02x}{b:02x}" + ("" if a == 255 else f"{a:02x}")


def _colour(value) -> Colour:
    try:
        vals = [int(v) for v in value]
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"not an RGBA colour: {value!r}") from None
    if len(vals) == 3:
        vals.append(255)
    if len(vals) != 4 or not all(0 <= v <= 255 for v in vals):
        raise ValueError(f"not an RGBA colour: {value!r}")
    return tuple(vals)  # type: ignore[return-value]


def default_name(rgba: Colour) -> str:
    r, g, b, a = rgba
    return "clear" if a == 0 else f"#{r:02x}{g:02x}{b:02x}"


def extract_palette(
    colour_tables: list[np.ndarray], areas: list[np.ndarray] | None = None, limit: int = 64
) -> list[Swatch]:
    """Swatches from region colour tables (uint8[n + 1, 4] each, row 0 ignored).

    Colours are ordered by how much of the frames they cover (``areas``: int64[n + 1]
    per table; region count when None); fully transparent is skipped.
    """
    weight: dict[Colour, float] = {}
    for k, table in enumerate(colour_tables):
        table = np.asarray(table, np.uint8)
        w = np.ones(len(table)) if areas is None else np.asarray(areas[k], np.float64)
        for row, wt in zip(table[1:], w[1:], strict=False):
            if row[3] == 0:
                continue
            c = tuple(int(v) for v in row)
            weight[c] = weight.get(c, 0.0) + float(wt)
    ordered = sorted(weight, key=lambda c: -weight[c])[:limit]
    return [Swatch(default_name(c), c) for c in ordered]  # type: ignore[arg-type]


def extract_from_image(rgba: np.ndarray, limit: int = 64, min_fraction: float = 0.0005) -> list[Swatch]:
    """Swatches from a flat-coloured keyframe image (uint8[H, W, 4]): its most used opaque
    colours, ignoring anti-aliasing specks below ``min_fraction`` of the opaque pixels."""
    px = rgba.reshape(-1, 4)
    px = px[px[:, 3] > 0].astype(np.uint32)
    if len(px) == 0:
        return []
    code = pack_colours(px)
    uniq, counts = np.unique(code, return_counts=True)
    keep = counts >= max(1, min_fraction * len(px))
    uniq, counts = uniq[keep], counts[keep]
    order = np.argsort(-counts, kind="stable")[:limit]
    out = []
    for c in unpack_colours(uniq[order]):
        rgba_t = tuple(int(v) for v in c)
        out.append(Swatch(default_name(rgba_t), rgba_t))
    return out


# -- GIMP .gpl -----------------------------------------------------------------------------


_ALPHA_TAG = re.compile(r"\s*@a(\d+)$")
# A name is one line of a .gpl: line breaks, tabs and other control characters become spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _one_line(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def to_gpl(swatches: list[Swatch], name: str = "linepaint") -> str:
    """GIMP palette text.  GIMP has no alpha: it is kept in the colour name as ``@aNNN``."""
    lines = ["GIMP Palette", f"Name: {_one_line(name)}", "Columns: 8", "#"]
    for s in swatches:
        r, g, b, a = s.rgba
        text = _one_line(s.name)
        # A name that itself ends like the alpha tag gets the tag too, so it reads back whole.
        label = text if a == 255 and not _ALPHA_TAG.search(text) else f"{text} @a{a}"
        lines.append(f"{r:3d} {g:3d} {b:3d}\t{label}")
    return "\n".join(lines) + "\n"


def from_gpl(text: str, source: str = "palette") -> list[Swatch]:
    lines = text.lstrip("\ufeff").splitlines()  # a byte-order mark from Windows editors
    if not lines or lines[0].strip() != "GIMP Palette":
        raise PaletteError(f"{source}: not a GIMP palette (the first line must be 'GIMP Palette').")
    out = []
    for no, line in enumerate(lines[1:], start=2):
        s = line.strip()
        if not s or s.startswith("#") or re.match(r"^(Name|Columns)\s*:", s):
            continue
        m = re.match(r"^(\d+)\s+(\d+)\s+(\d+)\s*(.*)$", s)
        if not m:
            raise PaletteError(f"{source}: line {no} is not 'R G B name': {s[:40]!r}.")
        label = m.group(4).strip()
        alpha = "255"
        am = _ALPHA_TAG.search(label)
        if am:
            alpha, label = am.group(1), label[: am.start()]
        try:
            # A value of thousands of digits is outside 0..255 too (int() refuses to read it).
            rgba = _colour([int(v) if len(v) <= 6 else -1 for v in (*m.group(1, 2, 3), alpha)])
        except ValueError:
            raise PaletteError(f"{source}: line {no} has a value outside 0..255.") from None
        out.append(Swatch(label or default_name(rgba), rgba))
    return out


# -- JSON ------------------------------------------------------------------------------------


def to_json(swatches: list[Swatch]) -> str:
    data = {
        "format": "linepaint-palette",
        "version": 1,
        "swatches": [{"name": s.name, "rgba": list(s.rgba)} for s in swatches],
    }
    return json.dumps(data, indent=2)


def swatches_from_data(data, source: str = "palette") -> list[Swatch]:
    try:
        items = data["swatches"] if isinstance(data, dict) else data
        return [Swatch(str(d["name"]), _colour(d["rgba"]), int(d.get("id", 0))) for d in items]
    except (KeyError, TypeError, ValueError):
        raise PaletteError(
            f"{source}: not a linepaint palette (expected swatches with name and rgba)."
        ) from None


def from_json(text: str, source: str = "palette") -> list[Swatch]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PaletteError(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    except (ValueError, RecursionError):  # a number of thousands of digits, nesting past the stack
        raise PaletteError(
            f"{source}: not a linepaint palette (the JSON is nested or sized absurdly)."
        ) from None
    return swatches_from_data(data, source)


def read_palette(path: str | os.PathLike) -> list[Swatch]:
    """Read a ``.gpl`` or ``.json`` palette file."""
    path = Path(path)
    try:
        if not path.is_file():  # a folder, /dev/zero, a pipe
            raise PaletteError(f"{path.name}: not a palette file ({path}).")
        with open(path, "rb") as fh:
            data = fh.read(MAX_PALETTE_BYTES + 1)
        if len(data) > MAX_PALETTE_BYTES:
            raise PaletteError(
                f"{path.name}: too large for a palette (over {MAX_PALETTE_BYTES // 2**20} MB)."
            )
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PaletteError(f"{path.name}: cannot read the palette ({exc}).") from None
    if path.suffix.lower() == ".gpl" or text.startswith("GIMP Palette"):
        return from_gpl(text, path.name)
    return from_json(text, path.name)


def write_palette(path: str | os.PathLike, swatches: list[Swatch]) -> None:
    """Write ``.gpl`` (by suffix) or JSON, atomically."""
    path = Path(path)
    text = to_gpl(swatches, path.stem) if path.suffix.lower() == ".gpl" else to_json(swatches)
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise PaletteError(f"{path.name}: cannot write the palette ({exc}).") from None

"""Swatches as identities (Harmony's and OpenToonz's colour styles): every region of a
frame stores the id of the swatch it was painted with, so changing a swatch's colour, or
switching the project to another *style* of the palette (day, night), recolours every
frame through those ids.  Pure numpy on colour tables (uint8[n + 1, 4]); Qt-free."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np

from .errors import LinepaintError, ProjectError
from .image_io import is_image_file, read_rgba
from .palette import Colour, Swatch, extract_from_image, read_palette
from .render import pack_colours

#: The style a project starts with.
DEFAULT_STYLE = "default"


def _code(rgba: Colour) -> int:
    return int(pack_colours(np.array([rgba], np.uint8))[0])


def with_ids(swatches: Iterable[Swatch], taken: Iterable[int] = ()) -> list[Swatch]:
    """The swatches with a unique positive id each: ids already given are kept (the first
    of a duplicate), the others get fresh ones above every id in use and ``taken``."""
    swatches = list(swatches)
    used = set(taken)
    out = []
    for s in swatches:
        if s.id > 0 and s.id not in used:
            used.add(s.id)
            out.append(s)
        else:
            out.append(None)
    nxt = max(used, default=0) + 1
    for k, s in enumerate(out):
        if s is None:
            out[k] = replace(swatches[k], id=nxt)
            used.add(nxt)
            nxt += 1
    return out


def ids_for(colours: np.ndarray, palettes: Iterable[Iterable[Swatch]]) -> np.ndarray:
    """int32[n + 1]: for each row of ``colours``, the id of the first swatch of that exact
    colour, looked up in ``palettes`` in order (the active style first); 0 for row 0,
    clear rows and colours in no palette."""
    colours = np.asarray(colours, np.uint8)
    codes = pack_colours(colours).astype(np.int64)
    ids = np.zeros(len(colours), np.int32)
    for pal in reversed(list(palettes)):  # earlier palettes win: they are written last
        for s in reversed(list(pal)):
            if s.rgba[3] == 0 or s.id <= 0:
                continue
            ids[codes == _code(s.rgba)] = s.id
    ids[0] = 0
    ids[codes == 0] = 0
    return ids


def ids_via_reference(colours: np.ndarray, source, reference, palettes) -> np.ndarray:
    """int32[n + 1]: swatch ids of a propagated frame.  A region coloured like the
    reference region it came from (``source``: int[n + 1], regions of the ``reference``
    state) takes that region's swatch, so two swatches of one colour stay apart; the
    others are looked up by colour in ``palettes``."""
    colours = np.asarray(colours, np.uint8)
    ids = ids_for(colours, palettes)
    if reference is None or reference.colours is None or source is None:
        return ids
    ref_ids, ref_col = reference.swatches, np.asarray(reference.colours, np.uint8)
    src = np.asarray(source, np.int64)
    if ref_ids is None or len(ref_ids) != len(ref_col) or len(src) != len(ids):
        return ids
    ok = (src > 0) & (src < len(ref_ids))
    ok[ok] = (ref_col[src[ok]] == colours[ok]).all(axis=1) & (ref_ids[src[ok]] > 0)
    ids[ok] = ref_ids[src[ok]]
    ids[0] = 0
    return ids


def recoloured(colours: np.ndarray, ids: np.ndarray, palette: Iterable[Swatch]) -> np.ndarray:
    """uint8[n + 1, 4]: ``colours`` with every region that stores a swatch of ``palette``
    in that swatch's colour (other regions keep theirs)."""
    out = np.array(colours, np.uint8)
    pal = {s.id: s.rgba for s in palette if s.id > 0}
    if not pal or len(ids) != len(out):
        return out
    keys = np.array(sorted(pal), np.int64)
    rows = np.array([pal[k] for k in keys], np.uint8)
    at = np.clip(np.searchsorted(keys, ids), 0, len(keys) - 1)
    sel = (ids > 0) & (keys[at] == ids)
    out[sel] = rows[at[sel]]
    return out


def style_colours(palette: Iterable[Swatch], style: dict[int, Colour]) -> list[Swatch]:
    """The palette's swatches in the colours of ``style`` (swatches it lacks keep theirs)."""
    return [replace(s, rgba=tuple(style.get(s.id, s.rgba))) for s in palette]


def style_by_name(palette: list[Swatch], other: list[Swatch], source: str = "palette") -> dict[int, Colour]:
    """A style read from another palette file: its colours given to the swatches of the
    same name (case and spaces ignored); when no name matches and both have as many
    swatches, in order.  Raises :class:`LinepaintError` when nothing can be matched."""

    def key(name: str) -> str:
        return " ".join(name.split()).casefold()

    names = {key(s.name): s.rgba for s in other}
    style = {s.id: names[key(s.name)] for s in palette if key(s.name) in names}
    if not style and len(other) == len(palette):
        style = {s.id: o.rgba for s, o in zip(palette, other, strict=True)}
    if not style:
        raise LinepaintError(
            f"{source}: none of its swatch names is in the project's palette, and it has "
            f"{len(other)} swatches for the palette's {len(palette)}; rename them to match."
        )
    return style


def style_from_sheets(
    palette: list[Swatch], base: np.ndarray, sheet: np.ndarray, source: str = "sheet"
) -> dict:
    """A style read from a colour model sheet drawn in the same layout as ``base`` (the
    sheet of the palette's own colours; both uint8[H, W, 4]): each swatch takes the
    colour that most of its pixels on ``base`` have on ``sheet``."""
    if base.shape != sheet.shape:
        raise LinepaintError(
            f"{source}: {sheet.shape[1]}x{sheet.shape[0]} is not the size of the base model sheet "
            f"({base.shape[1]}x{base.shape[0]}); the two sheets must share their layout."
        )
    bcode = pack_colours(base)
    scode = pack_colours(sheet)
    style = {}
    for s in palette:
        if s.rgba[3] == 0:
            continue
        hit = scode[bcode == _code(s.rgba)]
        hit = hit[hit != 0]
        if len(hit):
            u, c = np.unique(hit, return_counts=True)
            v = int(u[np.argmax(c)])
            style[s.id] = (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)
    if not style:
        raise LinepaintError(f"{source}: none of the palette's colours is on the base model sheet.")
    return style


def restyle_table(
    palette: list[Swatch], style: dict[int, Colour], others: Iterable[Iterable[Swatch]] = ()
) -> Callable[[np.ndarray], np.ndarray]:
    """A function recolouring a colour table painted in ``palette`` into ``style`` (for
    frames that store no swatch ids: the command line's keyframes)."""
    target = style_colours(palette, style)

    def apply(colours: np.ndarray) -> np.ndarray:
        return recoloured(colours, ids_for(colours, [palette, *others]), target)

    return apply


def clip_restyle(style_file, base_file=None, keyframe_images=()) -> Callable[[np.ndarray], np.ndarray]:
    """``colorize --palette STYLE [--key-palette BASE]``: recolour tables painted in the
    keyframes' palette into STYLE.  Palettes (.gpl, .json) match by swatch name (a
    palette linepaint wrote without renaming names its swatches by their day colour's
    code, which is what the keyframes' own palette is named when BASE is not given);
    two model sheet images in the same layout match by place."""
    from pathlib import Path

    style_file = Path(style_file)
    if base_file is None:
        if is_image_file(style_file):
            raise LinepaintError(
                f"{style_file.name}: a model sheet as --palette needs --key-palette, the sheet "
                "of the keyframes' colours drawn in the same layout."
            )
        base = with_ids(s for img in keyframe_images for s in extract_from_image(read_rgba(img)))
        seen, uniq = set(), []
        for s in base:
            if s.rgba not in seen:
                seen.add(s.rgba)
                uniq.append(s)
        base = uniq
    else:
        base_file = Path(base_file)
        base = with_ids(
            extract_from_image(read_rgba(base_file)) if is_image_file(base_file) else read_palette(base_file)
        )
    if is_image_file(style_file):
        if base_file is None or not is_image_file(base_file):
            raise LinepaintError(
                f"{style_file.name}: a model sheet as --palette needs a model sheet as --key-palette."
            )
        style = style_from_sheets(base, read_rgba(base_file), read_rgba(style_file), style_file.name)
    else:
        style = style_by_name(base, read_palette(style_file), style_file.name)
    return restyle_table(base, style)


class PaletteStyles:
    """The palette edits of :class:`~linepaint.core.project.Project` (mixed into it): a
    swatch edit recolours every frame through the regions' swatch ids, styles are added
    and switched, export reads a frame in any style.  Each edit returns the project's
    invertible change record."""

    def _palettes(self) -> list[list[Swatch]]:
        """The palette in the active style, then in every other style (for look-ups)."""
        return [self.palette] + [
            style_colours(self.palette, t) for n, t in self.styles.items() if n != self.style
        ]

    def swatch_ids(self, i: int, colours: np.ndarray | None = None) -> np.ndarray:
        """int32[n + 1]: the swatch each region of frame ``i`` is painted with (stored, or
        looked up from its colours in the palette's styles for frames that predate ids)."""
        st = self.state(i)
        colours = st.colours if colours is None else colours
        if colours is None:
            return np.zeros(0, np.int32)
        if st.swatches is not None and len(st.swatches) == len(colours):
            return st.swatches.copy()
        return ids_for(colours, self._palettes())

    def _recoloured_frames(self, palette: list[Swatch]) -> dict:
        """New states of the frames whose regions store a swatch that ``palette`` colours
        differently (locks follow, so a later propagation keeps the new colour)."""
        out = {}
        for i, p in enumerate(self.frames):
            st = self.states[p]
            if st.colours is None:
                continue
            ids = self.swatch_ids(i)
            colours = recoloured(st.colours, ids, palette)
            locks = {
                r: tuple(int(v) for v in colours[r]) if 0 < r < len(ids) and ids[r] else c
                for r, c in st.locks.items()
            }
            if np.array_equal(colours, st.colours) and locks == st.locks and st.swatches is not None:
                continue
            out[p] = replace(st, colours=colours, swatches=ids, locks=locks)
        return out

    def set_palette(self, swatches: list[Swatch], text: str = "Edit palette"):
        """Replace the palette (its active style); a swatch given a new colour recolours
        every region painted with it, in every frame, in the same undo step."""
        swatches = with_ids(swatches)
        frames = self._recoloured_frames(swatches)
        change = self._change(
            text, {p: (self.states[p], s) for p, s in frames.items()}, (list(self.palette), swatches)
        )
        self.apply(change)
        return change

    def style_table(self, name: str) -> dict[int, Colour]:
        """{swatch id: RGBA} of style ``name``."""
        if name == self.style:
            return {s.id: s.rgba for s in self.palette}
        if name not in self.styles:
            raise ProjectError(f"the project has no palette style {name!r}.")
        return dict(self.styles[name])

    def _styles_now(self) -> tuple:
        return (self.style, {k: dict(v) for k, v in self.styles.items()})

    def add_style(self, name: str, colours: dict[int, Colour]):
        """Add (or replace) style ``name``: the palette's swatches in other colours.
        Swatches it does not name keep the active style's colours."""
        if name == self.style:
            return self.set_palette(style_colours(self.palette, colours), f"Restyle {name}")
        styles = {k: dict(v) for k, v in self.styles.items()}
        styles[name] = {int(k): tuple(int(c) for c in v) for k, v in colours.items()}
        change = self._change(f"Add style {name}", style=(self._styles_now(), (self.style, styles)))
        self.apply(change)
        return change

    def set_style(self, name: str):
        """Switch the project to style ``name``: every frame is recoloured from its regions'
        swatch ids, one undo step.  Propagation and export then use its colours."""
        if name == self.style:
            return self._change("Style")
        new_palette = style_colours(self.palette, self.style_table(name))
        styles = {k: dict(v) for k, v in self.styles.items()}
        styles[self.style] = self.style_table(self.style)
        styles.pop(name, None)
        styles[name] = {}
        frames = self._recoloured_frames(new_palette)
        change = self._change(
            f"Style {name}",
            {p: (self.states[p], s) for p, s in frames.items()},
            (list(self.palette), new_palette),
            (self._styles_now(), (name, styles)),
        )
        self.apply(change)
        return change

    def styled_colours(self, i: int, name: str, seg=None) -> np.ndarray:
        """uint8[n + 1, 4]: frame ``i``'s colours in style ``name`` (for export; the
        project stays in its style)."""
        colours = self.colours(i, seg)
        if name == self.style or self.state(i).colours is None:
            return colours
        return recoloured(colours, self.swatch_ids(i), style_colours(self.palette, self.style_table(name)))

"""The painting tools: their names and shortcuts (Clip Studio / OpenToonz habits), and
what each does, as small functions of (document, event) that return the edit, the way
napari's label tools are written.  The window turns mouse input into events and puts
the returned :class:`~linepaint.core.project.Change` on the undo stack.  A gap line's
edit (:meth:`~linepaint.core.project.Project.add_stroke`) waits until the frame is
re-segmented in the background."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import cv2
import numpy as np

from ..core.project import Change, Colour, Project, Stroke
from ..core.segment import Segmentation

#: Width of a gap line, in pixels of the frame, unless the user sets another.
GAP_WIDTH = 2.0


class Tool(Enum):
    BUCKET = (
        "Bucket",
        "B",
        "fa5s.fill-drip",
        "Fill the clicked region with the current colour "
        "(Shift+click: carry the fix forward to later frames)",
    )
    PICKER = ("Eyedropper", "I", "fa5s.eye-dropper", "Pick a colour from either view (or Alt+click)")
    UNFILL = ("Unfill", "E", "fa5s.eraser", "Clear the clicked region")
    RECT_FILL = (
        "Rectangle fill",
        "R",
        "fa5s.vector-square",
        "Drag a box: every region wholly inside takes the colour (P: only the unpainted ones)",
    )
    LASSO_FILL = (
        "Lasso fill",
        "F",
        "fa5s.draw-polygon",
        "Draw round regions: every region wholly inside takes the colour (P: only the unpainted ones)",
    )
    GAP = ("Gap line", "L", "fa5s.pen", "Draw a closing line that splits a leaking region")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def key(self) -> str:
        return self.value[1]

    @property
    def icon(self) -> str:
        return self.value[2]

    @property
    def tip(self) -> str:
        return self.value[3]

    @property
    def edit(self) -> Callable[[Project, RegionClick], Change] | None:
        """What a click on a region does to the document (None: the tool edits nothing
        on a click)."""
        return _CLICK_EDITS.get(self)


@dataclass(frozen=True)
class RegionClick:
    """A left click on ``region`` of frame ``frame`` (segmented as ``seg`` on screen),
    with the palette's current ``colour`` (of swatch ``swatch``; None: the first swatch
    of that colour)."""

    frame: int
    seg: Segmentation
    region: int
    colour: Colour
    swatch: int | None = None


@dataclass(frozen=True)
class GapDrag:
    """A gap line dragged across frame ``frame``: ``points`` in frame pixels, ``width``
    the line's width in frame pixels."""

    frame: int
    points: tuple[tuple[float, float], ...]
    width: float = GAP_WIDTH

    def stroke(self) -> Stroke:
        """The stroke it draws: points rounded to a tenth of a pixel, consecutive
        duplicates dropped (a click without a drag makes a dot)."""
        pts = tuple((round(x, 1), round(y, 1)) for x, y in self.points)
        return Stroke(tuple(p for k, p in enumerate(pts) if k == 0 or p != pts[k - 1]), self.width)


@dataclass(frozen=True)
class AreaDrag:
    """A rectangle (``lasso`` False: the box of the first and last points) or a lasso
    dragged over frame ``frame`` (segmented as ``seg``), in frame pixels; ``only``: the
    regions it may paint (Paint Unpainted), None for all."""

    frame: int
    seg: Segmentation
    points: tuple[tuple[float, float], ...]
    colour: Colour
    swatch: int | None = None
    lasso: bool = False
    only: np.ndarray | None = None

    def mask(self) -> np.ndarray:
        """bool[H, W]: the pixels the drag encloses."""
        h, w = self.seg.shape
        pts = np.array(self.points, np.float64).reshape(-1, 2)
        if not self.lasso:
            (x0, y0), (x1, y1) = pts[0], pts[-1]
            pts = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        canvas = np.zeros((h, w), np.uint8)
        if len(pts) >= 3:
            cv2.fillPoly(canvas, [np.round(pts).astype(np.int32).reshape(-1, 1, 2)], 1)
        return canvas.astype(bool)

    def regions(self) -> np.ndarray:
        """int[k]: the regions wholly inside the drag (and in ``only`` when given)."""
        seg = self.seg
        inside = np.bincount(seg.labels[self.mask()], minlength=seg.n + 1)
        whole = (inside == seg.area) & (seg.area > 0)
        whole[0] = False
        regions = np.nonzero(whole)[0]
        return regions if self.only is None else np.intersect1d(regions, self.only)


def area_fill(project: Project, drag: AreaDrag) -> Change:
    """Rectangle or lasso fill: every region inside takes the colour, one undo step."""
    return project.fill_regions(drag.frame, drag.regions(), drag.colour, drag.seg, drag.swatch)


def bucket(project: Project, click: RegionClick) -> Change:
    """Fill the region with the colour; the region is locked (kept by propagation)."""
    return project.fill(click.frame, click.region, click.colour, click.seg, click.swatch)


def unfill(project: Project, click: RegionClick) -> Change:
    """Clear the region."""
    return project.unfill(click.frame, click.region, click.seg)


_CLICK_EDITS = {Tool.BUCKET: bucket, Tool.UNFILL: unfill}

"""Frame views: a QGraphicsView per side (reference, target) showing a frame as a colour
layer (a cached RGBA buffer recoloured through the label map), the line layer above it,
gap strokes and review overlays.  Zoom with the wheel, pan with space- or middle-drag."""

from __future__ import annotations

import weakref

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
)

from ..core.lineart import LineArt
from ..core.render import false_colours
from ..core.segment import Segmentation

#: Screen pixels a region N or the unpainted check goes to is shown at, at least, and the
#: most :meth:`FrameView.show_region` zooms in to get there (a one-pixel speck at 8x).
SHOW_MIN_PX = 16
SHOW_MAX_SCALE = 8.0


def region_boxes(filled: np.ndarray, n: int) -> np.ndarray:
    """int32[n + 1, 4] x0, y0, x1, y1 of each region in ``filled`` (ink under lines
    included), so a bucket click recolours just that box."""
    from scipy.ndimage import find_objects

    out = np.zeros((n + 1, 4), np.int32)
    for k, sl in enumerate(find_objects(filled, n), start=1):
        if sl is not None:
            out[k] = (sl[1].start, sl[0].start, sl[1].stop, sl[0].stop)
    return out


_BOXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def boxes_for(seg: Segmentation) -> np.ndarray:
    """:func:`region_boxes` of ``seg``, cached per segmentation (workers prefill it)."""
    boxes = _BOXES.get(seg)
    if boxes is None:
        boxes = _BOXES[seg] = region_boxes(seg.filled, seg.n)
    return boxes


def premultiply(rgba: np.ndarray) -> np.ndarray:
    """uint8[..., 4] straight alpha -> premultiplied (what QPainter draws without converting)."""
    out = rgba.copy()
    out[..., :3] = (rgba[..., :3].astype(np.uint16) * rgba[..., 3:4] + 127) // 255
    return out


def mip_factors(shape: tuple[int, int]) -> list[int]:
    """Reduced copies kept for drawing zoomed out: 2x and 4x smaller on big frames."""
    return [f for f in (2, 4) if min(shape) // f >= 270]


def _u32(rgba: np.ndarray) -> np.ndarray:
    """uint32[H, W] view of a contiguous uint8[H, W, 4] buffer (one word per pixel)."""
    return rgba.view(np.uint32)[..., 0]


def _rgba(words: np.ndarray) -> np.ndarray:
    """uint8[H, W, 4] view of uint32[H, W] pixels."""
    return words.view(np.uint8).reshape(words.shape + (4,))


class ImageItem(QGraphicsItem):
    """Paints premultiplied RGBA numpy buffers as QImages that view them (no copy, no
    QPixmap conversion).  Reduced copies (``levels``: factor -> buffer) are drawn when
    zoomed out, so a repaint never resamples a whole 4K image."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption, True)
        self._levels: dict[int, tuple[np.ndarray, QImage]] = {}
        self._rect = QRectF()

    def set_array(self, rgba: np.ndarray | None, levels: dict[int, np.ndarray] | None = None) -> None:
        """``rgba``: premultiplied uint8[H, W, 4]; ``levels``: reduced copies by factor."""
        self.prepareGeometryChange()
        self._levels = {}
        if rgba is None:
            self._rect = QRectF()
        else:
            for f, buf in {1: rgba, **(levels or {})}.items():
                buf = np.ascontiguousarray(buf, np.uint8)
                h, w = buf.shape[:2]
                self._levels[f] = (buf, QImage(buf.data, w, h, 4 * w, QImage.Format_RGBA8888_Premultiplied))
            h, w = rgba.shape[:2]
            self._rect = QRectF(0, 0, w, h)
        self.update()

    @property
    def array(self) -> np.ndarray | None:
        return self._levels[1][0] if self._levels else None

    def level(self, f: int) -> np.ndarray | None:
        return self._levels[f][0] if f in self._levels else None

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if not self._levels:
            return
        r = option.exposedRect.intersected(self._rect)
        if r.isEmpty():
            return
        scale = max(abs(painter.worldTransform().m11()), 1e-6)
        f = max((k for k in self._levels if k <= 1.0 / scale), default=1)
        img = self._levels[f][1]
        if f == 1:
            r = r.toAlignedRect()
            painter.drawImage(r, img, r)
        else:
            painter.drawImage(r, img, QRectF(r.x() / f, r.y() / f, r.width() / f, r.height() / f))


class FrameView(QGraphicsView):
    """One frame on screen.  Emits scene coordinates; the window decides what tools do."""

    clicked = Signal(QPointF, object, object)  # scene pos, button, modifiers
    hovered = Signal(QPointF)
    stroke_finished = Signal(list)  # [QPointF] in scene coordinates
    view_changed = Signal()
    enter_pressed = Signal()

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = title
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.SmoothPixmapTransform, True)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setDragMode(QGraphicsView.NoDrag)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setBackgroundBrush(QColor(58, 58, 62))
        self.setViewportUpdateMode(QGraphicsView.MinimalViewportUpdate)
        self.colour_item = ImageItem()
        self.onion_item = ImageItem()
        self.line_item = ImageItem()
        self.overlay_item = ImageItem()
        self.highlight_item = ImageItem()
        self.stroke_item = QGraphicsPathItem()
        self.stroke_item.setPen(QPen(QColor(0, 200, 255), 0))
        self.draft_item = QGraphicsPathItem()
        self.draft_item.setPen(QPen(QColor(0, 200, 255), 2))
        for z, item in enumerate(
            (
                self.colour_item,
                self.onion_item,
                self.line_item,
                self.overlay_item,
                self.stroke_item,
                self.highlight_item,
                self.draft_item,
            )
        ):
            item.setZValue(z)
            self.scene().addItem(item)
        self.seg: Segmentation | None = None
        self.line: LineArt | None = None
        self.colours: np.ndarray | None = None
        self.boxes: np.ndarray | None = None
        self._filled_levels: dict[int, np.ndarray] = {}
        self.frame_index = -1
        self.gap_check = False
        self.stroke_mode = False
        #: How a drag is drawn while it goes: "line" (gap line), "rect" or "lasso".
        self.draft_shape = "line"
        self._pan_from: QPointF | None = None
        self._space = False
        self._draft: list[QPointF] = []
        self._checker = self._checker_brush()
        #: (the colourist's zoom, the zoom set) while :meth:`show_region` has zoomed in on
        #: a speck.
        self._zoomed: tuple[float, float] | None = None

    # -- content ------------------------------------------------------------------------

    @staticmethod
    def _checker_brush() -> QBrush:
        pm = QPixmap(16, 16)
        pm.fill(QColor(255, 255, 255))
        p = QPainter(pm)
        p.fillRect(0, 0, 8, 8, QColor(226, 226, 226))
        p.fillRect(8, 8, 8, 8, QColor(226, 226, 226))
        p.end()
        return QBrush(pm)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawBackground(painter, rect)
        r = self.scene().sceneRect()
        if self.seg is not None or self.line is not None:
            painter.fillRect(r.intersected(rect), self._checker)

    def set_frame(
        self,
        index: int,
        line: LineArt | None,
        seg: Segmentation | None,
        colours: np.ndarray | None,
        strokes=(),
    ) -> None:
        """Show a frame.  ``line`` and ``seg`` may be None while it is still being read."""
        same = seg is not None and seg is self.seg
        self.frame_index = index
        if line is not self.line:
            self.line = line
            if line is None:
                self.line_item.set_array(None)
            else:
                rgba = line.rgba.copy()
                rgba[..., 3] = np.round(line.darkness * 255).astype(np.uint8)
                rgba = premultiply(rgba)
                h, w = line.shape
                levels = {
                    f: cv2.resize(rgba, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
                    for f in mip_factors(line.shape)
                }
                self.line_item.set_array(rgba, levels)
        if not same:
            self.seg = seg
            self.boxes = None
            self.colours = None
            self.overlay_item.set_array(None)
        self.highlight_item.set_array(None)
        if seg is not None:
            self.set_colours(colours if colours is not None else np.zeros((seg.n + 1, 4), np.uint8))
        else:
            self.colour_item.set_array(None)
        self.set_strokes(strokes)
        if line is not None:
            h, w = line.shape
            self.scene().setSceneRect(QRectF(0, 0, w, h))

    def set_onion(self, rgba: np.ndarray | None, opacity: float = 0.5) -> None:
        """Another frame's colour layer (uint8[H, W, 4]) over this one's, at ``opacity``."""
        self.onion_item.set_array(None if rgba is None else premultiply(rgba))
        self.onion_item.setOpacity(float(opacity))

    def set_gap_check(self, on: bool) -> None:
        """Show each region in its own random colour (a leak shows as one colour over two
        areas) instead of the frame's colours; the colours are kept, not changed."""
        if on == self.gap_check:
            return
        self.gap_check = on
        colours, self.colours = self.colours, None
        if colours is not None:
            self.set_colours(colours)

    def set_colours(self, colours: np.ndarray) -> None:
        """Recolour through the label map; when few regions changed, only their boxes
        (in the full buffer and in the reduced copies).  Pixels are written as uint32, one
        store per pixel (a 4-channel masked store is 40x slower).  In the gap check the
        regions show :func:`false_colours` whatever ``colours`` says."""
        seg = self.seg
        if seg is None:
            return
        colours = np.ascontiguousarray(colours, np.uint8)
        shown = false_colours(seg.n) if self.gap_check else colours
        pm = premultiply(shown).view(np.uint32)[:, 0]
        buf = self.colour_item.array
        old = self.colours
        if buf is None or old is None or old.shape != colours.shape or buf.shape[:2] != seg.shape:
            self._filled_levels = {
                f: np.ascontiguousarray(seg.filled[::f, ::f]) for f in mip_factors(seg.shape)
            }
            self.colour_item.set_array(
                _rgba(np.take(pm, seg.filled)),
                {f: _rgba(np.take(pm, lab)) for f, lab in self._filled_levels.items()},
            )
            self.colours = colours.copy()
            return
        changed = np.nonzero((old != colours).any(axis=1))[0]
        changed = changed[changed > 0]
        if len(changed) == 0:
            return
        if len(changed) > 16:
            np.take(pm, seg.filled, out=_u32(buf))
            for f, lab in self._filled_levels.items():
                np.take(pm, lab, out=_u32(self.colour_item.level(f)))
            self.colour_item.update()
        else:
            if self.boxes is None:
                self.boxes = boxes_for(seg)
            for r in changed:
                x0, y0, x1, y1 = (int(v) for v in self.boxes[r])
                sub = _u32(buf)[y0:y1, x0:x1]
                np.copyto(sub, pm[r], where=seg.filled[y0:y1, x0:x1] == r)
                for f, lab in self._filled_levels.items():
                    fy0, fx0, fy1, fx1 = y0 // f, x0 // f, -(-y1 // f), -(-x1 // f)
                    lsub = _u32(self.colour_item.level(f))[fy0:fy1, fx0:fx1]
                    np.copyto(lsub, pm[r], where=lab[fy0:fy1, fx0:fx1] == r)
                self.colour_item.update(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.colours = colours.copy()

    def set_strokes(self, strokes) -> None:
        path = QPainterPath()
        for s in strokes:
            pts = s.points
            path.moveTo(*pts[0])
            for p in pts[1:]:
                path.lineTo(*p)
        self.stroke_item.setPen(QPen(QColor(0, 200, 255), 2))
        self.stroke_item.setPath(path)

    def set_overlay(self, table: np.ndarray | None) -> None:
        """Per-region RGBA tint (uint8[n + 1, 4]) drawn over the colours, or None."""
        if table is None or self.seg is None:
            self.overlay_item.set_array(None)
        else:
            pm = premultiply(table)
            self.overlay_item.set_array(
                np.take(pm, self.seg.filled, axis=0),
                {f: np.take(pm, lab, axis=0) for f, lab in self._filled_levels.items()},
            )

    def highlight(self, region: int, colour=(255, 230, 0, 150), ring: bool = False) -> None:
        """Tint one region (e.g. the reference region a hovered target region came from);
        ``ring``: draw a ring around it instead, leaving its own colour to be judged (a
        speck of a few pixels would be all tint)."""
        seg = self.seg
        if seg is None or not 0 < region <= seg.n:
            self.highlight_item.set_array(None)
            return
        if self.boxes is None:
            self.boxes = boxes_for(seg)
        x0, y0, x1, y1 = (int(v) for v in self.boxes[region])
        if ring:  # a band 2 px wide, 1 px clear of the region
            h, w = seg.filled.shape
            x0, y0, x1, y1 = max(x0 - 3, 0), max(y0 - 3, 0), min(x1 + 3, w), min(y1 + 3, h)
        inside = (seg.filled[y0:y1, x0:x1] == region).astype(np.uint8)
        if ring:
            near = cv2.dilate(inside, np.ones((3, 3), np.uint8))
            inside = cv2.dilate(inside, np.ones((7, 7), np.uint8)) & (1 - near)
        crop = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
        crop[inside.astype(bool)] = premultiply(np.array([colour], np.uint8))[0]
        self.highlight_item.set_array(crop)
        self.highlight_item.setPos(x0, y0)

    def show_mask(self, flooded: np.ndarray, flooded_rgba, inside: np.ndarray, inside_rgba) -> None:
        """Tint two bool[H, W] masks (a leak: the area a fill would flood, and the part it
        was meant for, drawn over it) until the next highlight or frame."""
        ys, xs = np.nonzero(flooded | inside)
        if len(xs) == 0:
            self.highlight_item.set_array(None)
            return
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        crop = np.zeros((y1 - y0, x1 - x0, 4), np.uint8)
        crop[flooded[y0:y1, x0:x1]] = premultiply(np.array([flooded_rgba], np.uint8))[0]
        crop[inside[y0:y1, x0:x1]] = premultiply(np.array([inside_rgba], np.uint8))[0]
        self.highlight_item.set_array(crop)
        self.highlight_item.setPos(int(x0), int(y0))

    def region_at(self, pos: QPointF) -> int:
        if self.seg is None:
            return 0
        return self.seg.region_at(int(pos.x()), int(pos.y()))

    def colour_at(self, pos: QPointF):
        r = self.region_at(pos)
        if r == 0 or self.colours is None:
            return None
        return tuple(int(v) for v in self.colours[r])

    def show_region(self, region: int) -> None:
        """Centre ``region`` (the doubt queue's and the unpainted check's next one).  A
        region smaller than :data:`SHOW_MIN_PX` screen pixels at the colourist's zoom (a
        speck of a few pixels, invisible with the whole frame in view) is zoomed in on,
        up to :data:`SHOW_MAX_SCALE`; the next region that shows at that zoom goes back
        to it.  A zoom changed in between (by hand, or by the other view) is the
        colourist's new one."""
        if self.seg is None or not 0 < region <= self.seg.n:
            return
        x, y, w, h = (int(v) for v in self.seg.bbox[region])
        side = max(w, h, 1)
        now = self.transform().m11()
        # The colourist's zoom: the one before ours, unless the zoom changed since we set it.
        own = self._zoomed[0] if self._zoomed and abs(now - self._zoomed[1]) < 1e-9 else now
        want = max(own, min(SHOW_MAX_SCALE, SHOW_MIN_PX / side)) if side * own < SHOW_MIN_PX else own
        if abs(want / now - 1.0) > 1e-6:
            self.scale(want / now, want / now)
        self._zoomed = (own, self.transform().m11()) if want != own else None
        self.centerOn(QPointF(x + w / 2, y + h / 2))
        self.view_changed.emit()

    # -- zoom and pan ---------------------------------------------------------------------

    def fit(self) -> None:
        r = self.scene().sceneRect()
        if not r.isEmpty():
            self.fitInView(r, Qt.KeepAspectRatio)
        self.view_changed.emit()

    def zoom_by(self, factor: float) -> None:
        s = self.transform().m11() * factor
        if 0.02 < s < 64:
            self.scale(factor, factor)
        self.view_changed.emit()

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.15 ** (delta / 120))
        event.accept()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.view_changed.emit()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not event.modifiers():
            self.enter_pressed.emit()
            return
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def enterEvent(self, event) -> None:
        self.setFocus(Qt.MouseFocusReason)
        super().enterEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            return
        pos = self.mapToScene(event.position().toPoint())
        if event.button() == Qt.LeftButton and self.stroke_mode and not (event.modifiers() & Qt.AltModifier):
            self._draft = [pos]
            return
        self.clicked.emit(pos, event.button(), event.modifiers())

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            d = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(d.y()))
            return
        pos = self.mapToScene(event.position().toPoint())
        if self._draft:
            self._draft.append(pos)
            path = QPainterPath(self._draft[0])
            if self.draft_shape == "rect":
                path.addRect(QRectF(self._draft[0], pos).normalized())
            else:
                for p in self._draft[1:]:
                    path.lineTo(p)
                if self.draft_shape == "lasso":
                    path.closeSubpath()
            self.draft_item.setPath(path)
            return
        self.hovered.emit(pos)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            if self._space:
                self.viewport().setCursor(Qt.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            return
        if self._draft:
            pts = self._draft + [self.mapToScene(event.position().toPoint())]
            self._draft = []
            self.draft_item.setPath(QPainterPath())
            self.stroke_finished.emit(pts)

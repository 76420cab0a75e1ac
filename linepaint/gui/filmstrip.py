"""The filmstrip: one thumbnail per frame in order, keyframes starred; files and folders
can be dropped on it; right-click marks keyframes or imports a coloured keyframe."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QMenu

THUMB_W, THUMB_H = 112, 72
#: What Qt's item views put in a drag of their own items.
ITEM_MIME = "application/x-qabstractitemmodeldatalist"


def urls_to_paths(mime) -> list[str]:
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


def thumbnail(rgba: np.ndarray, width: int = THUMB_W) -> np.ndarray:
    """uint8[h, w, 4] small copy of a frame (strided: cheap even at 4K)."""
    h, w = rgba.shape[:2]
    step = max(1, int(np.ceil(w / width)))
    return np.ascontiguousarray(rgba[::step, ::step])


def frame_thumbnail(filled: np.ndarray, colours: np.ndarray, darkness: np.ndarray) -> np.ndarray:
    """Colours composited with the lines over white, from strided samples."""
    h, w = filled.shape
    step = max(1, int(np.ceil(w / THUMB_W)))
    lab = filled[::step, ::step]
    col = colours[lab].astype(np.float32)
    a = col[..., 3:4] / 255.0
    rgb = col[..., :3] * a + 255.0 * (1 - a)
    d = darkness[::step, ::step][..., None]
    rgb = rgb * (1 - d)
    out = np.empty(lab.shape + (4,), np.uint8)
    out[..., :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    out[..., 3] = 255
    return out


class Filmstrip(QListWidget):
    files_dropped = Signal(list)
    frame_chosen = Signal(int)
    keyframe_toggled = Signal(int)
    import_keyframe = Signal(int)
    frame_moved = Signal(int, int)  # from, to
    insert_requested = Signal(int)  # before this place
    remove_requested = Signal(int)
    retake_requested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListView.IconMode)
        self.setFlow(QListView.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Static)
        self.setResizeMode(QListView.Adjust)
        self.setIconSize(QSize(THUMB_W, THUMB_H))
        self.setSpacing(4)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setFixedHeight(THUMB_H + 62)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        # Thumbnails drag to a new place (the window moves the frame); files drop in.
        self.setDragDropMode(QAbstractItemView.DragDrop)
        self.setDragEnabled(True)
        self.setDefaultDropAction(Qt.MoveAction)
        self.viewport().setAcceptDrops(True)  # a static icon view turns drops off
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setContextMenuPolicy(Qt.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.currentRowChanged.connect(lambda r: r >= 0 and self.frame_chosen.emit(r))
        self._thumbs: dict[int, QPixmap] = {}
        self._keys: set[int] = set()
        self._doubt: dict[int, int] = {}
        #: Unpainted regions per frame while the unpainted check is on.
        self.unpainted: dict[int, int] = {}
        self.progress: dict[int, tuple[int, int]] = {}

    def set_frames(self, stems: list[str]) -> None:
        self.blockSignals(True)
        self.clear()
        self._thumbs.clear()
        for s in stems:
            item = QListWidgetItem(s)
            item.setTextAlignment(Qt.AlignHCenter)
            item.setSizeHint(QSize(THUMB_W + 12, THUMB_H + 36))
            self.addItem(item)
        self.blockSignals(False)
        for i in range(len(stems)):
            self._refresh(i)

    def set_thumbnail(self, i: int, rgba: np.ndarray) -> None:
        rgba = np.ascontiguousarray(rgba)
        h, w = rgba.shape[:2]
        img = QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()
        self._thumbs[i] = QPixmap.fromImage(img)
        self._refresh(i)

    def set_marks(self, keys: set[int], doubt: dict[int, int], progress: dict | None = None) -> None:
        """Keyframes, doubtful regions per frame, and review progress per frame
        ((reviewed, to review): a bar under the thumbnail)."""
        self._keys, self._doubt = set(keys), dict(doubt)
        self.progress = dict(progress or {})
        for i in range(self.count()):
            self._refresh(i)

    def set_unpainted(self, counts: dict[int, int]) -> None:
        changed = set(counts) | set(self.unpainted)
        self.unpainted = dict(counts)
        for i in changed:
            self._refresh(i)

    def _refresh(self, i: int) -> None:
        item = self.item(i)
        if item is None:
            return
        pm = QPixmap(THUMB_W, THUMB_H)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        src = self._thumbs.get(i)
        if src is not None:
            scaled = src.scaled(THUMB_W, THUMB_H, Qt.KeepAspectRatio, Qt.SmoothTransformation)
            p.drawPixmap((THUMB_W - scaled.width()) // 2, (THUMB_H - scaled.height()) // 2, scaled)
        if i in self._keys:
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(255, 196, 0))
            p.drawRect(0, 0, THUMB_W, 5)
        done, total = self.progress.get(i, (0, 0))
        if total:
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(90, 90, 90))
            p.drawRect(0, THUMB_H - 5, THUMB_W, 5)
            p.setBrush(QColor(40, 190, 80))
            p.drawRect(0, THUMB_H - 5, round(THUMB_W * done / total), 5)
        p.end()
        item.setIcon(QIcon(pm))
        stem = item.text().split("  ")[0].lstrip("★ ")
        label = ("★ " if i in self._keys else "") + stem
        d = self._doubt.get(i, 0)
        if d:
            label += f"  ?{d}"
        done, total = self.progress.get(i, (0, 0))
        u = self.unpainted.get(i, 0)
        if u:
            label += f"  ○{u}"
        item.setText(label)
        item.setToolTip(
            f"{stem}"
            + (" (keyframe)" if i in self._keys else "")
            + (f", {d} doubtful regions" if d else "")
            + (f", {done} of {total} reviewed" if total else "")
        )

    def _menu(self, pos) -> None:
        item = self.itemAt(pos)
        if item is None:
            return
        i = self.row(item)
        menu = QMenu(self)
        menu.addAction(
            "Unmark keyframe" if i in self._keys else "Mark as keyframe",
            lambda: self.keyframe_toggled.emit(i),
        )
        menu.addAction("Import coloured keyframe…", lambda: self.import_keyframe.emit(i))
        menu.addSeparator()
        menu.addAction("Insert frames before…", lambda: self.insert_requested.emit(i))
        menu.addAction("Insert frames after…", lambda: self.insert_requested.emit(i + 1))
        menu.addAction("Replace line art (retake)…", lambda: self.retake_requested.emit(i))
        menu.addAction("Remove frame", lambda: self.remove_requested.emit(i))
        menu.exec(self.mapToGlobal(pos))

    # Dropping on the strip itself (QListWidget swallows drops otherwise).
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasFormat(ITEM_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        paths = urls_to_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)
        elif event.mimeData().hasFormat(ITEM_MIME):
            # A thumbnail dragged within the strip: the window moves the frame and
            # rebuilds the strip; the list must not move (or drop) the item itself.
            src = self.currentRow()
            at = self.indexAt(event.position().toPoint()).row()
            dst = self.count() - 1 if at < 0 else at
            event.setDropAction(Qt.CopyAction)
            event.accept()
            if src >= 0 and dst != src:
                self.frame_moved.emit(src, dst)
        else:
            super().dropEvent(event)

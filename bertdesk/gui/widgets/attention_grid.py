"""The model view: a small heatmap for every head of every layer, in a layers x heads grid.

Painted with ``QPainter`` from one ``QImage`` per head (pyqtgraph would need a view box per
cell, 72 of them for a 6 x 12 model). The images are built progressively, a layer per event
loop turn, so a long text never blocks the UI thread for long; maps larger than
``THUMB_MAX`` tokens are max-pooled first (a thumbnail cannot show more pixels anyway).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from bertdesk.core.ml.attention_maps import Normalisation, colour_levels, head_maxima, pooled

THUMB_MAX = 128
LEFT, TOP, GAP = 30, 18, 4


def rgb_image(matrix: np.ndarray, levels: tuple[float, float], lut: np.ndarray) -> QImage:
    low, high = levels
    index = np.clip((matrix - low) / ((high - low) or 1.0), 0.0, 1.0) * (len(lut) - 1)
    rgb = np.ascontiguousarray(lut[index.astype(np.intp)][..., :3], dtype=np.uint8)
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


class AttentionGrid(QWidget):
    """All heads at a glance; a click on a cell emits ``cell_clicked(layer, head)``."""

    cell_clicked = Signal(int, int)
    completed = Signal()  # every cell has its image

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)
        self.layers = 0
        self.heads = 0
        self.images: dict[tuple[int, int], QImage] = {}
        self.selected: tuple[int, int] | None = None
        self._hover: tuple[int, int] | None = None
        self._attentions: np.ndarray | None = None
        self._thumbs: np.ndarray | None = None
        self._maxima: np.ndarray | None = None
        self._mode: Normalisation = "head"
        self._lut = np.zeros((256, 3), np.uint8)
        self._next_layer = 0
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    # -- data ------------------------------------------------------------------------------
    @property
    def cell_count(self) -> int:
        return self.layers * self.heads

    @property
    def is_complete(self) -> bool:
        return self._attentions is not None and len(self.images) == self.cell_count

    def set_maps(
        self,
        attentions: np.ndarray,
        mode: Normalisation,
        lut: np.ndarray,
        *,
        thumbs: np.ndarray | None = None,
        maxima: np.ndarray | None = None,
    ) -> None:
        """Show ``attentions`` ``[layers, heads, q, k]``; images fill in over the next event loop turns.

        ``thumbs`` (``pooled(attentions, THUMB_MAX)``) and ``maxima`` (``head_maxima``) may be
        computed beforehand off the UI thread; they are derived here when missing.
        """
        self._attentions = attentions
        self.layers, self.heads = int(attentions.shape[0]), int(attentions.shape[1])
        self._thumbs = thumbs
        self._maxima = maxima
        self.restyle(mode, lut)

    def restyle(self, mode: Normalisation, lut: np.ndarray) -> None:
        """New colour scale or colour map: rebuild the images, keep the maps."""
        self._mode, self._lut = mode, lut
        self.images = {}
        self._next_layer = 0
        if self._attentions is not None:
            self._timer.start()
        self.update()

    def finish_now(self) -> None:
        """Build every remaining image at once (tests, export)."""
        while self._attentions is not None and self._next_layer < self.layers:
            self._build_layer(self._next_layer)
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        if self._attentions is None or self._next_layer >= self.layers:
            self._timer.stop()
            return
        self._build_layer(self._next_layer)
        self.update()
        if self._next_layer >= self.layers:
            self._timer.stop()
            self.completed.emit()

    def _build_layer(self, layer: int) -> None:
        assert self._attentions is not None
        if self._thumbs is None:
            self._thumbs = pooled(self._attentions, THUMB_MAX)
        if self._maxima is None:
            self._maxima = head_maxima(self._attentions)
        for head in range(self.heads):
            levels = colour_levels(self._maxima, layer, head, self._mode)
            self.images[(layer, head)] = rgb_image(self._thumbs[layer, head], levels, self._lut)
        self._next_layer = layer + 1

    # -- geometry --------------------------------------------------------------------------
    def _cell_size(self) -> float:
        if not self.cell_count:
            return 0.0
        width = (self.width() - LEFT) / self.heads - GAP
        height = (self.height() - TOP) / self.layers - GAP
        return max(4.0, min(width, height))

    def cell_rect(self, layer: int, head: int) -> QRectF:
        size = self._cell_size()
        return QRectF(LEFT + head * (size + GAP), TOP + layer * (size + GAP), size, size)

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        size = self._cell_size()
        if not size:
            return None
        head, layer = int((x - LEFT) // (size + GAP)), int((y - TOP) // (size + GAP))
        if 0 <= layer < self.layers and 0 <= head < self.heads and self.cell_rect(layer, head).contains(x, y):
            return layer, head
        return None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(LEFT + 12 * 72, TOP + 6 * 72)

    # -- events ----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if not self.cell_count:
            painter.setPen(QColor("#777"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Explain a text to see every head of every layer."))
            return
        size = self._cell_size()
        painter.setPen(QColor("#333"))
        font = painter.font()
        font.setPointSize(8)
        painter.setFont(font)
        for head in range(self.heads):
            rect = self.cell_rect(0, head)
            painter.drawText(QRectF(rect.left(), 0, size, TOP), Qt.AlignmentFlag.AlignCenter, self.tr("H{head}").format(head=head + 1))
        for layer in range(self.layers):
            rect = self.cell_rect(layer, 0)
            painter.drawText(
                QRectF(0, rect.top(), LEFT - 4, size),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self.tr("L{layer}").format(layer=layer + 1),
            )
        exposed = event.rect()
        for layer in range(self.layers):
            for head in range(self.heads):
                rect = self.cell_rect(layer, head)
                if not exposed.intersects(rect.toAlignedRect()):
                    continue
                image = self.images.get((layer, head))
                if image is None:
                    painter.fillRect(rect, QColor("#eee"))
                else:
                    painter.drawImage(rect, image)
        for cell, colour, width in ((self.selected, "#d62728", 2), (self._hover, "#1f77b4", 2)):
            if cell is not None and cell[0] < self.layers and cell[1] < self.heads:
                painter.setPen(QPen(QColor(colour), width))
                painter.drawRect(self.cell_rect(*cell).adjusted(-1, -1, 1, 1))
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell != self._hover:
            self._hover = cell
            self.setToolTip(
                "" if cell is None else self.tr("Layer {layer}, head {head}: click to open").format(layer=cell[0] + 1, head=cell[1] + 1)
            )
            self.update()

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._hover = None
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self.selected = cell
            self.update()
            self.cell_clicked.emit(*cell)


__all__ = ["THUMB_MAX", "AttentionGrid", "rgb_image"]

"""One attention map as a heatmap: query tokens down the left, key tokens along the top.

A pyqtgraph ``ImageItem`` in row-major order holds the matrix exactly as given (row = query,
column = key), so ``image.image`` is the matrix on screen. Hovering a cell reports the exact
weight through ``hovered``; tokens are drawn by pyqtgraph's axes with ``QPainter.drawText``,
i.e. as plain text, never markup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QResizeEvent
from PySide6.QtWidgets import QWidget

from bertdesk.gui.widgets.chinese_font import with_chinese_fallback

MAX_LABEL_CHARS = 16
QWIDGETSIZE_MAX = 16_777_215
LABEL_POINTS = (8.0, 7.0, 6.0)  # label sizes tried in turn before naming only every n-th token


def _short(token: str) -> str:
    return token if len(token) <= MAX_LABEL_CHARS else token[: MAX_LABEL_CHARS - 1] + "…"


def display_token(token: str) -> str:
    """A token as drawn: a word piece of a right-to-left script keeps its ``##`` in front.

    Without the left-to-right mark the bidi algorithm would take the paragraph as RTL and
    draw ``##ב`` as ``ב##``; the mark is invisible and changes nothing else.
    """
    return "\u200e" + token if token.startswith("##") else token


def reads_upright(token: str) -> bool:
    """Whether the top axis stands ``token`` upright, one character under another (as vertical
    Chinese is written) rather than turned a quarter: true for tokens of wide characters only
    (Chinese, Japanese, Korean, full-width punctuation), which lie on their side when turned."""
    return bool(token) and all(unicodedata.east_asian_width(ch) in ("W", "F") for ch in token)


class TokenAxis(pg.AxisItem):
    """An axis that names each cell by its token: vertical text on the top axis, so long tokens fit
    (turned a quarter, or upright one character under another for Chinese: :func:`reads_upright`).

    Labels are drawn with ``QPainter.drawText`` (plain text) at cell centres; when cells are
    smaller than a line of text the labels get smaller (down to 6 pt), and only below that is
    every n-th token named (zoom in to see them all). Only the labels of visible cells are
    drawn, so 512 tokens cost no more than 50; ``drawn`` lists the indices of the last paint.
    """

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.tokens: list[str] = []
        self.drawn: list[int] = []
        self.label_font = with_chinese_fallback(QFont())  # tokens of a Chinese model in Chinese forms
        self.label_font.setPointSize(8)
        self.setStyle(showValues=False, tickLength=0)
        self.setPen(pg.mkPen(None))  # no axis line: the map has its own edge
        self.set_tokens([])

    def set_tokens(self, tokens: Sequence[str]) -> None:
        self.tokens = [_short(t) for t in tokens]
        metrics = QFontMetrics(self.label_font)
        if self.orientation == "top":
            lengths = (len(t) * metrics.lineSpacing() if reads_upright(t) else metrics.horizontalAdvance(t) for t in self.tokens)
            self.setHeight(max(lengths, default=20) + 10)
        else:
            self.setWidth(max((metrics.horizontalAdvance(t) for t in self.tokens), default=20) + 10)
        self.picture = None
        self.update()

    def drawPicture(self, p: QPainter, axisSpec, tickSpecs, textSpecs) -> None:  # noqa: N802 - pyqtgraph override
        super().drawPicture(p, axisSpec, tickSpecs, [])
        view = self.linkedView()
        if view is None or not self.tokens:
            return
        p.setPen(QColor("#222"))
        vertical = self.orientation == "left"

        def pixel(value: float) -> float:
            scene = view.mapViewToScene(QPointF(0.0, value) if vertical else QPointF(value, 0.0))
            local = self.mapFromScene(scene)
            return local.y() if vertical else local.x()

        cell = abs(pixel(1.0) - pixel(0.0)) or 1.0
        # Glyphs fill about 3/4 of a line: every label fits when cells are that tall; a smaller
        # size is tried before labels are skipped (every second token was unreadable either way).
        font = QFont(self.label_font)
        for points in LABEL_POINTS:
            font.setPointSizeF(points)
            metrics = QFontMetrics(font)
            if cell >= 0.75 * metrics.height():
                break
        p.setFont(font)
        step = 1 if cell >= 0.75 * metrics.height() else int(np.ceil(0.75 * metrics.height() / cell))
        bounds = self.boundingRect()
        extent = bounds.height() if vertical else bounds.width()
        self.drawn = []
        for index in range(0, len(self.tokens), step):
            centre = pixel(index + 0.5)
            if centre < -cell or centre > extent + cell:
                continue
            self.drawn.append(index)
            text = display_token(self.tokens[index])
            if vertical:
                rect = QRectF(0, centre - metrics.height() / 2, bounds.width() - 5, metrics.height())
                p.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
            elif reads_upright(text):
                # Upright, top to bottom, the last character just above the map.
                height = len(text) * metrics.lineSpacing()
                width = max(metrics.horizontalAdvance(ch) for ch in text) + 2
                rect = QRectF(centre - width / 2, bounds.height() - 5 - height, width, height)
                p.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), "\n".join(text))
            else:
                # Rotated a quarter turn: the text runs upwards, ending just above the map.
                p.save()
                p.translate(centre, bounds.height() - 5)
                p.rotate(-90)
                p.drawText(
                    QRectF(0, -metrics.height() / 2, bounds.height() - 5, metrics.height()),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    text,
                )
                p.restore()


class AttentionHeatmap(pg.GraphicsLayoutWidget):
    """A token x token heatmap with a colour bar and exact values on hover."""

    hovered = Signal(str)  # "query → key: weight", or "" when the pointer leaves the map

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.left_axis, self.top_axis = TokenAxis("left"), TokenAxis("top")
        self.plot = self.addPlot(axisItems={"left": self.left_axis, "top": self.top_axis})
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.invertY(True)  # query 0 ([CLS]) at the top, as in every attention figure
        # Square cells, the map in the top-left corner against its token labels: a locked
        # aspect ratio centred the map and left the row labels far to its left.
        self.plot.showAxis("top")
        self.plot.hideAxis("bottom")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=(0, 1), interactive=False, width=12)
        self.colour_bar.setImageItem(self.image)
        self.addItem(self.colour_bar)
        self.matrix: np.ndarray = np.zeros((0, 0), np.float32)
        self.row_tokens: list[str] = []
        self.col_tokens: list[str] = []
        self.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.plot.vb.sigResized.connect(lambda _vb: self._fit())

    def set_matrix(
        self,
        matrix: np.ndarray,
        row_tokens: Sequence[str],
        col_tokens: Sequence[str],
        *,
        levels: tuple[float, float],
        lut: np.ndarray,
        title: str = "",
    ) -> None:
        """Show ``matrix`` (rows: queries, columns: keys) on the colour scale ``levels``."""
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.row_tokens, self.col_tokens = list(row_tokens), list(col_tokens)
        self.image.setImage(self.matrix, levels=levels, autoLevels=False)
        self.image.setLookupTable(lut)
        self.colour_bar.setLevels(levels)
        self.colour_bar.setColorMap(pg.ColorMap(np.linspace(0, 1, len(lut)), lut))
        self.left_axis.set_tokens(self.row_tokens)
        self.top_axis.set_tokens(self.col_tokens)
        self.plot.setTitle(title, size="9pt")
        self._fit()

    def _fit(self) -> None:
        """Show the whole map with square cells, from the top-left corner of the plot."""
        rows, cols = self.matrix.shape
        if not rows or not cols:
            return
        box = self.plot.vb.boundingRect()
        if box.width() <= 1 or box.height() <= 1:
            self.plot.setRange(xRange=(0, cols), yRange=(0, rows), padding=0)
            return
        cell = min(box.width() / cols, box.height() / rows)
        self.plot.setRange(xRange=(0, box.width() / cell), yRange=(0, box.height() / cell), padding=0)
        spare = box.width() - cols * cell
        if spare > 2:  # narrow the plot to the map, so the colour bar stands right beside it
            self.plot.setMaximumWidth(self.plot.size().width() - spare)

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 - Qt override
        # pyqtgraph resizes once before __init__ made the plot, and its close() deletes the plot
        # (clearing the scene) before the last resize.
        plot = getattr(self, "plot", None)
        if plot is not None and shiboken6.isValid(plot) and plot.scene() is not None:
            plot.setMaximumWidth(QWIDGETSIZE_MAX)  # room to grow again; _fit narrows it after the layout
        super().resizeEvent(event)

    def _on_scene_mouse_moved(self, pos: QPointF) -> None:
        if not self.matrix.size or not self.plot.sceneBoundingRect().contains(pos):
            self.hovered.emit("")
            return
        point = self.plot.vb.mapSceneToView(pos)
        row, col = int(np.floor(point.y())), int(np.floor(point.x()))
        if 0 <= row < self.matrix.shape[0] and 0 <= col < self.matrix.shape[1]:
            weight = float(self.matrix[row, col])
            self.hovered.emit(f"{self.row_tokens[row]}  →  {self.col_tokens[col]}:  {weight:.4f}")
        else:
            self.hovered.emit("")

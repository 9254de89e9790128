"""The Predict panel's plots (pyqtgraph): confidence histogram, confusion matrix, embedding map.

Each widget takes plain numbers from ``bertdesk.core.project.prediction_analysis`` and only draws them;
tests assert on the arrays handed to the pyqtgraph items.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from bertdesk.core.project.label_colors import palette_color
from bertdesk.gui.models.cells import short_label, tooltip_text

BAR_COLOR = "#4c78a8"


def class_colors(names: Sequence[str], given: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per class: the label's colour as drawn everywhere (``given``: the project's
    display colours); a class the label set no longer has gets a palette colour by position."""
    given = given or {}
    return {name: given.get(name) or palette_color(i) for i, name in enumerate(names)}


class _StillPlot(pg.PlotWidget):
    """A white plot that does not pan, zoom or offer pyqtgraph's context menu."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()


class ConfidenceHistogram(_StillPlot):
    """Rows per confidence bin; a dashed line marks the "accept above" threshold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        item = self.getPlotItem()
        item.showGrid(y=True, alpha=0.2)
        item.setLabel("bottom", self.tr("confidence (%)"))
        item.setLabel("left", self.tr("rows"))
        self.bars = pg.BarGraphItem(x=[], height=[], width=4.5, brush=BAR_COLOR, pen=None)
        self.addItem(self.bars)
        self.threshold = pg.InfiniteLine(pos=90, angle=90, pen=pg.mkPen("#b03a2e", width=1.5, style=Qt.PenStyle.DashLine))
        self.addItem(self.threshold)
        self.empty_text = pg.TextItem(self.tr("No predictions to show"), color="#777777", anchor=(0.5, 0.5))
        self.addItem(self.empty_text)
        self.setMinimumHeight(120)
        self.counts = np.zeros(0, dtype=np.int64)
        self.set_histogram(self.counts, np.zeros(0))

    def set_histogram(self, counts: np.ndarray, edges: np.ndarray) -> None:
        """Bars for ``counts`` over ``edges`` (0..1, shown as percent); no rows: a note, no bars."""
        self.counts = np.asarray(counts)
        if len(edges) > 1:
            centres = (edges[:-1] + edges[1:]) / 2 * 100
            width = float(np.diff(edges).mean() * 100 * 0.9)
            self.bars.setOpts(x=centres, height=self.counts, width=width)
        else:
            self.bars.setOpts(x=[], height=[], width=4.5)
        item = self.getPlotItem()
        item.setXRange(0, 100, padding=0.02)
        peak = int(self.counts.max(initial=0))
        top = max(peak, 5) * 1.1
        item.setYRange(0, top, padding=0)
        # Rows are counted in whole numbers: ticks at whole steps only (an empty panel read 0.1-1.0).
        item.getAxis("left").setTickSpacing(major=_whole_step(top), minor=_whole_step(top))
        self.empty_text.setVisible(peak == 0)
        self.empty_text.setPos(50, top / 2)

    def set_threshold(self, percent: float) -> None:
        self.threshold.setValue(float(percent))


def _whole_step(top: float, ticks: int = 5) -> float:
    """A whole-number tick step (1, 2, 5, 10, 20, ...) giving about ``ticks`` ticks up to ``top``."""
    raw = max(top / ticks, 1.0)
    power = 10 ** int(np.floor(np.log10(raw)))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)


class _ClickableImage(pg.ImageItem):
    clicked_at = Signal(float, float)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() == Qt.MouseButton.LeftButton:
            pos = ev.pos()
            self.clicked_at.emit(pos.x(), pos.y())
            ev.accept()


class ConfusionMatrixPlot(_StillPlot):
    """Heatmap of a confusion matrix (rows: true label, columns: predicted) with counts as text.

    Signals:
        cell_clicked(int, int): true class index, predicted class index.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        item = self.getPlotItem()
        item.invertY(True)  # row 0 at the top, as a table reads
        item.setAspectLocked(False)
        item.setLabel("left", self.tr("true label"))
        item.setLabel("bottom", self.tr("predicted"))
        self.image = _ClickableImage(axisOrder="row-major")
        self.image.setColorMap(pg.ColorMap([0.0, 1.0], [QColor("#f7fbff"), QColor("#08519c")]))
        self.image.clicked_at.connect(self._on_image_clicked_at)
        self.addItem(self.image)
        self.matrix = np.zeros((0, 0), dtype=np.int64)
        self._texts: list[pg.TextItem] = []
        # Each label's colour (as in the tables, chart and map): a swatch at the start of its row
        # (true label) and at the top of its column (predicted label).
        self.swatches = pg.ScatterPlotItem(symbol="s", size=9, pen=pg.mkPen("#ffffff", width=1))
        self.swatches.setZValue(5)
        self.addItem(self.swatches)
        self.setMinimumHeight(160)

    def set_matrix(self, matrix: np.ndarray, classes: Sequence[str], colors: dict[str, str] | None = None) -> None:
        """Show ``matrix[i, j]`` = rows of true class i predicted as j; ``colors``: each label's colour."""
        self.matrix = np.asarray(matrix, dtype=np.int64)
        k = self.matrix.shape[0]
        for text in self._texts:
            self.removeItem(text)
        self._texts = []
        if k == 0:
            self.image.clear()
            self.swatches.setData([], [])
            return
        # Colour by share of the true class (row-normalised), so a small class still shows its pattern.
        totals = self.matrix.sum(axis=1, keepdims=True).clip(min=1)
        self.image.setImage(self.matrix / totals, levels=(0.0, 1.0))
        self.image.setRect(0, 0, k, k)
        peak = self.matrix / totals
        for i in range(k):
            for j in range(k):
                color = "w" if peak[i, j] > 0.55 else "#222222"
                text = pg.TextItem(str(int(self.matrix[i, j])), color=color, anchor=(0.5, 0.5))
                text.setPos(j + 0.5, i + 0.5)
                self.addItem(text)
                self._texts.append(text)
        palette = class_colors(list(classes), colors)
        brushes = [pg.mkBrush(palette[name]) for name in classes]
        inset = 0.08  # inside the matrix, in the corner of the cells' margin
        self.swatches.setData(
            x=[inset] * k + [j + 0.5 for j in range(k)], y=[i + 0.5 for i in range(k)] + [inset] * k, brush=brushes + brushes
        )
        ticks = [(i + 0.5, short_label(name)) for i, name in enumerate(classes)]
        item = self.getPlotItem()
        item.getAxis("bottom").setTicks([ticks])
        item.getAxis("left").setTicks([ticks])
        item.setXRange(0, k, padding=0)
        item.setYRange(0, k, padding=0)

    def _on_image_clicked_at(self, x: float, y: float) -> None:
        k = self.matrix.shape[0]
        col, row = int(np.floor(x)), int(np.floor(y))
        if 0 <= row < k and 0 <= col < k:
            self.cell_clicked.emit(row, col)


class EmbeddingMap(pg.PlotWidget):
    """2-D map of the rows (PCA of their embeddings), one colour per class.

    Signals:
        point_hovered(int): row id under the mouse (-1 when none).
        point_clicked(int): row id clicked.
    """

    point_hovered = Signal(int)
    point_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMenuEnabled(False)
        self.hideButtons()
        self.getPlotItem().hideAxis("left")
        self.getPlotItem().hideAxis("bottom")
        self.scatter = pg.ScatterPlotItem(size=7, pen=None, hoverable=True, tip=None, hoverSize=11, hoverPen=pg.mkPen("k"))
        self.scatter.sigHovered.connect(self._on_scatter_hovered)
        self.scatter.sigClicked.connect(self._on_scatter_clicked)
        self.addItem(self.scatter)
        self.legend = self.getPlotItem().addLegend(offset=(8, 8))
        self._legend_items: list[pg.ScatterPlotItem] = []
        self._texts: dict[int, str] = {}
        self.row_ids = np.zeros(0, dtype=np.int64)
        self.selected = pg.ScatterPlotItem(size=15, pen=pg.mkPen("#000000", width=2), brush=None)
        self.addItem(self.selected)

    def set_points(
        self, coords: np.ndarray, row_ids: np.ndarray, classes: Sequence[str], colors: dict[str, str], texts: dict[int, str]
    ) -> None:
        """Place each row at ``coords`` coloured by ``classes`` (its label or prediction)."""
        self.row_ids = np.asarray(row_ids, dtype=np.int64)
        self._texts = texts
        brushes = [pg.mkBrush(QColor(colors.get(c, "#999999")).lighter(105)) for c in classes]
        self.scatter.setData(x=coords[:, 0] if len(coords) else [], y=coords[:, 1] if len(coords) else [], data=self.row_ids, brush=brushes)
        self.legend.clear()
        self._legend_items = []
        for name, color in colors.items():
            sample = pg.ScatterPlotItem(size=8, pen=None, brush=pg.mkBrush(color))
            self._legend_items.append(sample)
            self.legend.addItem(sample, name)
        self.selected.setData([], [])
        self.getPlotItem().autoRange()

    def select(self, row_id: int | None) -> None:
        """Ring the point of ``row_id`` (None: no ring)."""
        if row_id is None:
            self.selected.setData([], [])
            return
        hits = np.flatnonzero(self.row_ids == int(row_id))
        if hits.size:
            x, y = self.scatter.data["x"][hits[0]], self.scatter.data["y"][hits[0]]
            self.selected.setData([x], [y])
        else:
            self.selected.setData([], [])

    def _on_scatter_hovered(self, _item: object, points: Sequence[object], _event: object) -> None:
        if len(points):
            row_id = int(points[0].data())  # type: ignore[attr-defined]
            self.setToolTip(tooltip_text(self.tr("Row {row}: {text}").format(row=row_id + 1, text=self._texts.get(row_id, ""))))
            self.point_hovered.emit(row_id)
        else:
            self.setToolTip("")
            self.point_hovered.emit(-1)

    def _on_scatter_clicked(self, _item: object, points: Sequence[object], _event: object) -> None:
        if len(points):
            self.point_clicked.emit(int(points[0].data()))  # type: ignore[attr-defined]

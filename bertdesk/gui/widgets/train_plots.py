"""Live training curves: training loss, and validation accuracy and macro-F1, against epochs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

from bertdesk.core.ml.training_metrics import ValidationPoint

LOSS_COLOR = "#4c78a8"
ACCURACY_COLOR = "#f58518"
F1_COLOR = "#54a24b"


def _plot(title: str, x_label: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setMenuEnabled(False)
    plot.hideButtons()
    item = plot.getPlotItem()
    item.setTitle(title, color="#333", size="10pt")
    item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    item.showGrid(x=True, y=True, alpha=0.2)
    for side in ("bottom", "left"):
        # No SI prefix: early in training the epochs are 0.1-0.6, which pyqtgraph would show as
        # "epoch (x0.001)" with ticks 100-600.
        item.getAxis(side).enableAutoSIPrefix(False)
    plot.setMinimumHeight(160)
    return plot


class TrainPlots(QWidget):
    """Two plots side by side. Feed them with :meth:`add_point` or :meth:`set_history`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss_plot = _plot(self.tr("Training loss"), self.tr("epoch"), self.tr("loss"))
        self.val_plot = _plot(self.tr("Validation"), self.tr("epoch"), self.tr("score"))
        self.val_plot.getPlotItem().setYRange(0, 1.02, padding=0)
        self.val_plot.setXLink(self.loss_plot)  # one epoch axis for both
        self.val_plot.getPlotItem().addLegend(offset=(-10, -10))  # bottom right: scores grow upwards
        self.loss_curve = self.loss_plot.plot([], [], pen=pg.mkPen(LOSS_COLOR, width=2), name=self.tr("loss"))
        symbol = {"symbol": "o", "symbolSize": 6}
        self.accuracy_curve = self.val_plot.plot(
            [], [], pen=pg.mkPen(ACCURACY_COLOR, width=2), symbolBrush=ACCURACY_COLOR, symbolPen=None, name=self.tr("accuracy"), **symbol
        )
        self.f1_curve = self.val_plot.plot(
            [], [], pen=pg.mkPen(F1_COLOR, width=2), symbolBrush=F1_COLOR, symbolPen=None, name=self.tr("macro-F1"), **symbol
        )
        self._loss: tuple[list[float], list[float]] = ([], [])
        self._accuracy: tuple[list[float], list[float]] = ([], [])
        self._f1: tuple[list[float], list[float]] = ([], [])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.val_plot)

    def clear(self) -> None:
        for points in (self._loss, self._accuracy, self._f1):
            points[0].clear()
            points[1].clear()
        self._redraw()

    def add_point(self, metrics: Mapping[str, float]) -> None:
        """One report from the trainer: a loss point or a validation point (others are ignored)."""
        epoch = float(metrics.get("epoch", 0.0))
        if "loss" in metrics:
            self._append(self._loss, epoch, metrics["loss"])
        point = ValidationPoint.from_progress(metrics)
        if point is not None:
            self._add_validation(point)
        self._redraw()

    def set_history(self, history: Mapping[str, Any] | None) -> None:
        """Show a finished run's curves (``metrics["history"]``)."""
        self.clear()
        for point in (history or {}).get("loss", []):
            self._append(self._loss, point.get("epoch", 0.0), point.get("loss"))
        for stored in (history or {}).get("validation", []):
            self._add_validation(ValidationPoint.from_dict(stored))
        self._redraw()

    def _add_validation(self, point: ValidationPoint) -> None:
        self._append(self._accuracy, point.epoch, point.accuracy)
        self._append(self._f1, point.epoch, point.macro_f1)

    @staticmethod
    def _append(points: tuple[list[float], list[float]], x: Any, y: Any) -> None:
        if y is None:
            return
        points[0].append(float(x or 0.0))
        points[1].append(float(y))

    def _redraw(self) -> None:
        self.loss_curve.setData(*self._loss)
        self.accuracy_curve.setData(*self._accuracy)
        self.f1_curve.setData(*self._f1)

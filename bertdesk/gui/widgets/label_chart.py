"""A small bar chart of how many rows carry each label (pyqtgraph)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from bertdesk.gui.models.cells import short_label

DEFAULT_COLOR = "#4c78a8"


class LabelChart(pg.PlotWidget):
    """One bar per label; :meth:`set_counts` replaces the heights (``bars.opts['height']``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().showGrid(y=True, alpha=0.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=DEFAULT_COLOR, pen=None)
        self.addItem(self.bars)
        self.setMinimumHeight(140)

    def set_counts(self, counts: dict[str, int], colors: dict[str, str] | None = None) -> None:
        """Show ``counts`` (label -> rows) in order; labels with a colour use it."""
        names = list(counts)
        heights = [counts[name] for name in names]
        brushes = [pg.mkBrush((colors or {}).get(name, DEFAULT_COLOR)) for name in names]
        self.bars.setOpts(x=list(range(len(names))), height=heights, width=0.6, brushes=brushes)
        axis = self.getPlotItem().getAxis("bottom")
        # Each bar under its label's name, shortened to what fits under a bar (the panel lists
        # the full names with their keys and counts beside the chart).
        axis.setTicks([[(i, short_label(name)) for i, name in enumerate(names)]])
        self.getPlotItem().setXRange(-0.6, max(len(names) - 0.4, 0.6), padding=0)
        self.getPlotItem().setYRange(0, max(heights, default=0) * 1.1 + 1, padding=0)

"""The right-hand side of the Predict panel: confidence, validation scores, the row map and each label's words, as tabs.

It only draws what it is given (see ``bertdesk.core.project.prediction_analysis``); the panel decides what.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.project.prediction_analysis import ValidationReport, confidence_histogram
from bertdesk.gui.widgets.predict_charts import ConfidenceHistogram, ConfusionMatrixPlot, EmbeddingMap
from bertdesk.gui.widgets.predict_words import LabelWordsView
from bertdesk.gui.widgets.train_history import verdict_text

# Translated where shown (a damaged map's error takes its place, and that stays as it is).
MAP_HINT = QT_TRANSLATE_NOOP("PredictViews", "Predict to see a map of the rows (PCA of their embeddings).")


def _plain(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # row text is data, never markup
    label.setWordWrap(wrap)
    return label


def _page(*widgets: QWidget, stretch: QWidget | None = None) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(4, 4, 4, 4)
    for widget in widgets:
        layout.addWidget(widget, 1 if widget is stretch else 0)
    return page


class PredictViews(QTabWidget):
    """Tabs "Confidence", "Validation", "Map" and "Words"; the charts are public for the panel to connect."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.histogram = ConfidenceHistogram()
        self.summary_label = _plain()
        self.confusion = ConfusionMatrixPlot()
        self.scores = QTableWidget(0, 4)
        self.scores.setHorizontalHeaderLabels([self.tr("Precision"), self.tr("Recall"), self.tr("F1"), self.tr("Rows")])
        self.scores.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scores.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.scores.setMaximumHeight(180)
        self.validation_label = _plain()
        self.map = EmbeddingMap()
        self.color_by = QComboBox()
        self.color_by.addItem(self.tr("Colour by prediction"), "predicted")
        self.color_by.addItem(self.tr("Colour by label"), "label")
        self.map_label = _plain(QCoreApplication.translate("PredictViews", MAP_HINT))
        self.hover_label = _plain()
        self.hover_label.setMaximumHeight(48)
        self.addTab(_page(self.histogram, self.summary_label, stretch=self.histogram), self.tr("Confidence"))
        self.addTab(_page(self.validation_label, self.confusion, self.scores, stretch=self.confusion), self.tr("Validation"))
        self.addTab(_page(self.color_by, self.map_label, self.map, self.hover_label, stretch=self.map), self.tr("Map"))
        self.words = LabelWordsView()
        self.words_tab = self.addTab(_page(self.words, stretch=self.words), self.tr("Words"))
        self.setTabToolTip(self.words_tab, self.tr("What each predicted label is about: its most characteristic words and phrases"))

    def show_confidence(self, confidence: np.ndarray, threshold_percent: float) -> None:
        """Histogram and one-line summary of the rows shown."""
        self.histogram.set_histogram(*confidence_histogram(confidence))
        self.histogram.set_threshold(threshold_percent)
        if len(confidence) == 0:
            self.summary_label.setText("")
            return
        above = int((confidence >= threshold_percent / 100.0 - 1e-6).sum())
        median = float(np.median(confidence)) * 100
        self.summary_label.setText(
            self.tr("{rows:,} rows shown; median confidence {median:.1f}%; {above:,} at or above {threshold:.0f}%.").format(
                rows=len(confidence), median=median, above=above, threshold=threshold_percent
            )
        )

    def show_validation(
        self, report: ValidationReport | None, run_id: int | None, note: str = "", colors: dict[str, str] | None = None
    ) -> None:
        """Confusion matrix and per-class scores, or ``note`` when there is nothing to score."""
        if report is None:
            self.confusion.set_matrix(np.zeros((0, 0)), [])
            self.scores.setRowCount(0)
            self.validation_label.setText(note)
            return
        self.confusion.set_matrix(report.matrix, report.classes, colors)
        self.scores.setRowCount(len(report.classes))
        self.scores.setVerticalHeaderLabels(report.classes)
        for i in range(len(report.classes)):
            cells = [f"{report.precision[i]:.2f}", f"{report.recall[i]:.2f}", f"{report.f1[i]:.2f}", f"{int(report.support[i]):,}"]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.scores.setItem(i, j, item)
        rows_height = sum(self.scores.rowHeight(i) for i in range(self.scores.rowCount()))
        self.scores.setFixedHeight(min(rows_height + self.scores.horizontalHeader().height() + 4, 180))
        baseline = report.baseline
        beside = (
            ""
            if baseline is None
            else self.tr(" (always “{label}”: {accuracy:.1f}%)").format(label=baseline.label, accuracy=baseline.accuracy * 100)
        )
        parts = [
            self.tr("{rows:,} validation rows of run {run}: accuracy {accuracy:.1f}%{beside}.").format(
                rows=report.rows, run=run_id, accuracy=report.accuracy * 100, beside=beside
            )
        ]
        verdict = verdict_text(report)  # core's sentence (shared with the CLI), in the interface's language
        if verdict:
            parts.append(f"⚠ {verdict}")
        parts.append(self.tr("Rows: true label; columns: predicted. Click a cell to list its rows."))
        self.validation_label.setText(" ".join(parts))

    def show_map(
        self,
        coords: np.ndarray | None,
        row_ids: np.ndarray | None = None,
        classes: Sequence[str] = (),
        colors: dict[str, str] | None = None,
        texts: dict[int, str] | None = None,
        *,
        hint: str = MAP_HINT,
    ) -> None:
        """Points coloured by ``classes``; None shows ``hint`` instead."""
        if coords is None or row_ids is None:
            self.map.set_points(np.zeros((0, 2)), np.zeros(0, dtype=np.int64), [], {}, {})
            self.map_label.setText(QCoreApplication.translate("PredictViews", hint))  # an error line is left as it is
            self.map_label.setVisible(True)
            return
        self.map_label.setVisible(False)
        self.map.set_points(coords, row_ids, list(classes), colors or {}, texts or {})

    @property
    def colour_by_prediction(self) -> bool:
        return self.color_by.currentData() == "predicted"

"""The Predict panel's filter bar: label, predicted label, confidence range, agreement, text."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from bertdesk.core.project.prediction_analysis import UNLABELLED, RowFilter

LABEL_BOX_WIDTHS = (80, 200)  # px, least and most a label box takes (a longer name is cut in the box, whole in its list)
AGREEMENT_MIN_WIDTH = 90  # px
SEARCH_MIN_WIDTH = 120  # px: "Text contains…" stays readable when the label boxes are wide
AGREEMENT_CHOICES = [
    ("all", QT_TRANSLATE_NOOP("PredictFilterBar", "All rows")),
    ("disagree", QT_TRANSLATE_NOOP("PredictFilterBar", "Prediction ≠ label")),
    ("agree", QT_TRANSLATE_NOOP("PredictFilterBar", "Prediction = label")),
    ("labelled", QT_TRANSLATE_NOOP("PredictFilterBar", "Labelled rows")),
    ("unlabelled", QT_TRANSLATE_NOOP("PredictFilterBar", "Unlabelled rows")),
]


class PredictFilterBar(QWidget):
    """Emits ``filters_changed`` whenever a control changes; :meth:`rule` reads them all."""

    filters_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label_box = QComboBox()
        self.label_box.setToolTip(self.tr("The label a person gave"))
        self.predicted_box = QComboBox()
        self.predicted_box.setToolTip(self.tr("The label the model predicted"))
        # Sized to the labels they hold whenever those change (sized on first show, the Predicted
        # box kept the width of "Any" and cut "fresh" to "fresł"), up to a cap, and free to give
        # way when the bar is short of room (two long names pushed the panel past a 1280-px window).
        for box in (self.label_box, self.predicted_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.setMaximumWidth(LABEL_BOX_WIDTHS[1])
            box.setMinimumWidth(LABEL_BOX_WIDTHS[0])
        self.agreement_box = QComboBox()
        for key, text in AGREEMENT_CHOICES:
            self.agreement_box.addItem(QCoreApplication.translate("PredictFilterBar", text), key)
        # Wide enough for "All rows" whole; at the window's minimum width it gives way (its list
        # shows every choice whole) instead of pushing Export off-screen.
        self.agreement_box.setMinimumWidth(AGREEMENT_MIN_WIDTH)
        self.min_spin = self._percent_spin(0.0, self.tr("Lowest confidence shown"))
        self.max_spin = self._percent_spin(100.0, self.tr("Highest confidence shown"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Text contains…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(SEARCH_MIN_WIDTH)
        self.clear_button = QPushButton(self.tr("Clear filters"))
        self._row_ids: frozenset[int] | None = None
        self._cell_text = ""
        self.cell_label = QLabel("")
        self.cell_label.setStyleSheet("color: #b03a2e;")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("Label")))
        layout.addWidget(self.label_box)
        layout.addWidget(QLabel(self.tr("Predicted")))
        layout.addWidget(self.predicted_box)
        layout.addWidget(QLabel(self.tr("Confidence")))
        layout.addWidget(self.min_spin)
        layout.addWidget(QLabel("–"))
        layout.addWidget(self.max_spin)
        layout.addWidget(self.agreement_box)
        layout.addWidget(self.search, 1)
        layout.addWidget(self.cell_label)
        layout.addWidget(self.clear_button)
        self.set_classes([])

        for box in (self.label_box, self.predicted_box, self.agreement_box):
            box.currentIndexChanged.connect(self._on_control_changed)
        self.min_spin.valueChanged.connect(self._on_control_changed)
        self.max_spin.valueChanged.connect(self._on_control_changed)
        self.search.textChanged.connect(self._on_control_changed)
        self.clear_button.clicked.connect(self.clear)

    @staticmethod
    def _percent_spin(value: float, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(0.0, 100.0)
        spin.setDecimals(0)
        spin.setSuffix("%")
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        return spin

    def set_classes(self, names: Sequence[str]) -> None:
        """Fill the label boxes with ``names`` (keeps the current choice where it still exists)."""
        for box, extra in ((self.label_box, [(self.tr("(unlabelled)"), UNLABELLED)]), (self.predicted_box, [])):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(self.tr("Any"), "")
            for text, data in extra:
                box.addItem(text, data)
            for name in names:
                box.addItem(name, name)
            found = box.findData(current)
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)

    def set_cell(self, row_ids: Sequence[int] | None, description: str = "", *, true_label: str = "", predicted: str = "") -> None:
        """Restrict to ``row_ids`` (a confusion-matrix cell), shown as ``description``; None lifts it."""
        self._row_ids = None if row_ids is None else frozenset(int(r) for r in row_ids)
        self.cell_label.setText(description)
        self.filters_changed.emit()

    def rule(self) -> RowFilter:
        """The current filter."""
        low, high = self.min_spin.value() / 100.0, self.max_spin.value() / 100.0
        return RowFilter(
            label=str(self.label_box.currentData() or ""),
            predicted=str(self.predicted_box.currentData() or ""),
            confidence_min=min(low, high),
            confidence_max=max(low, high),
            agreement=str(self.agreement_box.currentData() or "all"),
            row_ids=self._row_ids,
            text=self.search.text(),
        )

    def clear(self) -> None:
        """Back to "show every row" (one ``filters_changed``)."""
        self.show_only()

    def show_only(self, *, predicted: str = "", text: str = "") -> bool:
        """Only the rows predicted ``predicted`` whose text contains ``text`` ("": any); every other filter lifted.

        One ``filters_changed``. Returns False (and lifts the predicted-label filter) when
        ``predicted`` is not among the classes offered.
        """
        controls = (self.label_box, self.predicted_box, self.agreement_box, self.min_spin, self.max_spin, self.search)
        for control in controls:
            control.blockSignals(True)
        self.label_box.setCurrentIndex(0)
        found = self.predicted_box.findData(predicted) if predicted else 0
        self.predicted_box.setCurrentIndex(max(found, 0))
        self.agreement_box.setCurrentIndex(0)
        self.min_spin.setValue(0.0)
        self.max_spin.setValue(100.0)
        self.search.setText(text)
        for control in controls:
            control.blockSignals(False)
        self._row_ids = None
        self.cell_label.setText("")
        self.filters_changed.emit()
        return found >= 0

    def _on_control_changed(self, *_args: object) -> None:
        self.filters_changed.emit()

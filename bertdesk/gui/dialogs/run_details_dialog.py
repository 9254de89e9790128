"""A training run's full metrics: per-label precision/recall/F1 and the confusion matrix."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.ml.training_metrics import ValidationScores, format_scores
from bertdesk.core.progress import format_duration
from bertdesk.gui.widgets.notices import STRONG_WARNING_STYLE as WARNING_STYLE
from bertdesk.gui.widgets.train_history import describe_settings

if TYPE_CHECKING:
    from bertdesk.core.project.runs import RunRecord

SCORE_COLUMNS = (
    QT_TRANSLATE_NOOP("RunDetailsDialog", "Label"),
    QT_TRANSLATE_NOOP("RunDetailsDialog", "Precision"),
    QT_TRANSLATE_NOOP("RunDetailsDialog", "Recall"),
    QT_TRANSLATE_NOOP("RunDetailsDialog", "F1"),
    QT_TRANSLATE_NOOP("RunDetailsDialog", "Support"),
)


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def confusion_text(validation: dict[str, Any]) -> str:
    """The confusion matrix with label names as row and column headings."""
    labels: list[str] = validation.get("labels", [])
    matrix: list[list[int]] = validation.get("confusion_matrix", [])
    if not labels or not matrix:
        return ""
    corner = QCoreApplication.translate("RunDetailsDialog", "true \\ predicted")
    width = max(len(label) for label in labels + [corner])
    cell = max([len(label) for label in labels] + [len(str(v)) for row in matrix for v in row]) + 2
    lines = [corner.ljust(width) + "".join(label.rjust(cell) for label in labels)]
    for label, row in zip(labels, matrix):
        lines.append(label.ljust(width) + "".join(str(v).rjust(cell) for v in row))
    return "\n".join(lines)


class RunDetailsDialog(QDialog):
    """Read-only view of one run's metrics."""

    def __init__(self, run: RunRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Training run {run}").format(run=run.id))
        self.resize(680, 640)
        metrics = run.metrics or {}
        validation = metrics.get("validation") or {}

        info = QFormLayout()
        info.addRow(self.tr("Date:"), _plain(time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created_at))))
        info.addRow(self.tr("Status:"), _plain(run.status + (self.tr("  (active model)") if run.is_active else "")))
        info.addRow(self.tr("Settings:"), _plain(describe_settings(run.config or {})))
        if metrics.get("model_source"):
            info.addRow(self.tr("Started from:"), _plain(str(metrics["model_source"].get("name", ""))))
        if metrics.get("device"):
            info.addRow(self.tr("Device:"), _plain(f"{metrics['device']}, {metrics.get('precision', '')}".rstrip(", ")))
        if "training_seconds" in metrics:
            extra = self.tr(" (stopped early)") if metrics.get("stopped_early") else ""
            info.addRow(self.tr("Duration:"), _plain(format_duration(metrics["training_seconds"]) + extra))
        if "train_rows" in metrics:
            rows = self.tr("{train} for training, {validation} for validation").format(
                train=metrics["train_rows"], validation=metrics.get("val_rows", 0)
            )
            info.addRow(self.tr("Rows:"), _plain(rows))
        if run.model_dir:
            info.addRow(self.tr("Model folder:"), _plain(run.model_dir))
        if metrics.get("error"):
            info.addRow(self.tr("Error:"), _plain(str(metrics["error"])))

        self.scores_table = QTableWidget(0, len(SCORE_COLUMNS))
        self.scores_table.setHorizontalHeaderLabels([QCoreApplication.translate("RunDetailsDialog", name) for name in SCORE_COLUMNS])
        self.scores_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scores_table.verticalHeader().setVisible(False)
        self.scores_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.scores_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.scores_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        per_class: dict[str, dict[str, Any]] = validation.get("per_class", {})
        # Stored JSON has sorted keys: show the classifier's label order, as the matrix does.
        order = [label for label in validation.get("labels", []) if label in per_class]
        order += [label for label in per_class if label not in order]
        self.scores_table.setRowCount(len(order))
        for row, (label, scores) in enumerate((label, per_class[label]) for label in order):
            values = [label, f"{scores['precision']:.3f}", f"{scores['recall']:.3f}", f"{scores['f1']:.3f}", str(scores["support"])]
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.scores_table.setItem(row, column, item)

        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        if validation.get("support"):
            # The matrix with label names first; format_scores' full report (numbered columns) below.
            full = self.tr("Full report")
            self.report.setPlainText(confusion_text(validation) + f"\n\n\n{full}\n\n" + format_scores(validation))
        else:
            self.report.setPlainText(self.tr("This run has no validation scores."))
        self.scores_table.resizeRowsToContents()
        rows_height = sum(self.scores_table.rowHeight(r) for r in range(self.scores_table.rowCount()))
        frame = 2 * self.scores_table.frameWidth()
        self.scores_table.setFixedHeight(min(260, self.scores_table.horizontalHeader().sizeHint().height() + rows_height + frame + 2))
        warnings = metrics.get("warnings") or []

        layout = QVBoxLayout(self)
        layout.addLayout(info)
        if validation.get("support"):
            sheet = ValidationScores.from_dict(validation)
            # sheet.summary() and verdict() come from core, in English.
            summary = _plain(self.tr("Validation {scores} on {count} rows.").format(scores=sheet.summary(), count=sheet.support))
            summary.setStyleSheet("font-weight: bold;")
            layout.addWidget(summary)
            verdict = sheet.verdict()
            if verdict:
                self.verdict_label = _plain(f"⚠ {verdict}")
                self.verdict_label.setWordWrap(True)
                self.verdict_label.setStyleSheet(WARNING_STYLE)
                layout.addWidget(self.verdict_label)
        layout.addWidget(self.scores_table)
        layout.addWidget(_plain(self.tr("Confusion matrix (rows: true label, columns: predicted label):")))
        layout.addWidget(self.report, 1)
        if warnings:
            layout.addWidget(_plain(self.tr("Warnings:") + "\n" + "\n".join(f"• {w}" for w in warnings)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

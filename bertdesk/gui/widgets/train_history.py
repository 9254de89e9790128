"""The run history: one row per training run, the active one starred and bold, with its actions."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.baseline import Baseline
from bertdesk.core.ml.training_metrics import ValidationScores
from bertdesk.core.project.runs import RunStatus

if TYPE_CHECKING:
    from bertdesk.core.project.prediction_analysis import ValidationReport
    from bertdesk.core.project.runs import RunRecord

# The header labels, in English: also the names the code finds the columns by (translated where shown).
COLUMNS = (
    "",
    QT_TRANSLATE_NOOP("RunHistoryWidget", "Run"),
    QT_TRANSLATE_NOOP("RunHistoryWidget", "Date"),
    QT_TRANSLATE_NOOP("RunHistoryWidget", "Status"),
    QT_TRANSLATE_NOOP("RunHistoryWidget", "Settings"),
    QT_TRANSLATE_NOOP("RunHistoryWidget", "Device"),
    QT_TRANSLATE_NOOP("RunHistoryWidget", "Accuracy"),
    QT_TRANSLATE_NOOP("RunHistoryWidget", "Macro-F1"),
    QT_TRANSLATE_NOOP("RunHistoryWidget", "Duration"),
)
ACTIVE_MARK = "★"
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HAS_MODEL = (RunStatus.FINISHED, RunStatus.CANCELLED)


def _tr(text: str) -> str:
    return QCoreApplication.translate("RunHistoryWidget", text)


def describe_settings(config: dict[str, Any]) -> str:
    """``Balanced · 10 epochs · lr 1e-4 · 128 tokens``."""
    if not config:
        return ""
    from bertdesk.gui.widgets.train_settings import format_rate, preset_name

    parts = [preset_name(str(config.get("preset", "")))]
    if "epochs" in config:
        epochs = config["epochs"]
        parts.append(
            QCoreApplication.translate("RunHistoryWidget", "{n} epoch").format(n=epochs)
            if epochs == 1
            else QCoreApplication.translate("RunHistoryWidget", "{n} epochs").format(n=epochs)
        )
    if isinstance(config.get("learning_rate"), (int, float)):
        parts.append(QCoreApplication.translate("RunHistoryWidget", "lr {rate}").format(rate=format_rate(config["learning_rate"])))
    if "max_length" in config:
        parts.append(QCoreApplication.translate("RunHistoryWidget", "{n} tokens").format(n=config["max_length"]))
    return " · ".join(p for p in parts if p)


def format_duration(seconds: float | None) -> str:
    """``42s``, ``3m 07s``, ``1h 05m`` (:func:`bertdesk.core.progress.format_duration`, translatable);
    empty for a missing or negative value."""
    if not isinstance(seconds, (int, float)) or seconds < 0:
        return ""
    whole = int(round(seconds))
    if whole < 60:
        return QCoreApplication.translate("RunHistoryWidget", "{s}s").format(s=whole)
    minutes, whole = divmod(whole, 60)
    if minutes < 60:
        return QCoreApplication.translate("RunHistoryWidget", "{m}m {s:02d}s").format(m=minutes, s=whole)
    hours, minutes = divmod(minutes, 60)
    return QCoreApplication.translate("RunHistoryWidget", "{h}h {m:02d}m").format(h=hours, m=minutes)


# A run's status as the table shows it (the stored values are English words; unknown ones are shown as stored).
STATUS_TEXT = {
    RunStatus.RUNNING: QT_TRANSLATE_NOOP("RunHistoryWidget", "running"),
    RunStatus.FINISHED: QT_TRANSLATE_NOOP("RunHistoryWidget", "finished"),
    RunStatus.CANCELLED: QT_TRANSLATE_NOOP("RunHistoryWidget", "cancelled"),
    RunStatus.FAILED: QT_TRANSLATE_NOOP("RunHistoryWidget", "failed"),
    RunStatus.INTERRUPTED: QT_TRANSLATE_NOOP("RunHistoryWidget", "interrupted"),
}
NO_MODEL_STATUS = QT_TRANSLATE_NOOP("RunHistoryWidget", "cancelled, no model")


def status_text(status: RunStatus | str) -> str:
    """A stored run status in the interface language."""
    return _tr(STATUS_TEXT[status]) if status in STATUS_TEXT else str(status)


def _baseline_text(baseline: Baseline) -> str:
    """:meth:`Baseline.short`, translatable."""
    return QCoreApplication.translate("RunHistoryWidget", "always “{label}”: {accuracy:.3f}").format(
        label=baseline.label, accuracy=baseline.accuracy
    )


def scores_text(scores: ValidationScores) -> str:
    """:meth:`ValidationScores.summary` as the GUI shows it: the same words in English, translatable
    (core's line is shared with the CLI and stays English)."""
    if scores.accuracy is None or scores.macro_f1 is None:
        return QCoreApplication.translate("RunHistoryWidget", "no validation rows")
    return scores_line(scores.accuracy, scores.macro_f1, scores.baseline)


def scores_line(accuracy: float, macro_f1: float, baseline: Baseline | None) -> str:
    """``accuracy 0.812 (always “positive”: 0.640), macro-F1 0.790``, translatable."""
    if baseline is None:
        return QCoreApplication.translate("RunHistoryWidget", "accuracy {accuracy:.3f}, macro-F1 {f1:.3f}").format(
            accuracy=accuracy, f1=macro_f1
        )
    return QCoreApplication.translate("RunHistoryWidget", "accuracy {accuracy:.3f} ({baseline}), macro-F1 {f1:.3f}").format(
        accuracy=accuracy, baseline=_baseline_text(baseline), f1=macro_f1
    )


def verdict_text(scores: ValidationScores | ValidationReport) -> str | None:
    """:meth:`ValidationScores.verdict` (or a Predict panel report's) as the GUI shows it (same
    words in English, translatable): one line when the model does not beat always answering the
    commonest label, else None."""
    verdict, baseline = scores.verdict(), scores.baseline
    if verdict is None or baseline is None or scores.accuracy is None:
        return verdict
    values = {
        "label": baseline.label,
        "accuracy": scores.accuracy,
        "baseline": baseline.accuracy,
        "f1": scores.macro_f1,
        "baseline_f1": baseline.macro_f1,
    }
    # Core decides which of its two sentences applies; its second names the rarer labels.
    if verdict.endswith("shows it finds the rarer labels."):
        return QCoreApplication.translate(
            "RunHistoryWidget",
            "This model does not beat always answering “{label}” (accuracy {accuracy:.3f} vs {baseline:.3f}), "
            "though its macro-F1 ({f1:.3f} vs {baseline_f1:.3f}) shows it finds the rarer labels.",
        ).format(**values)
    return QCoreApplication.translate(
        "RunHistoryWidget",
        "This model does not beat always answering “{label}” (accuracy {accuracy:.3f} vs {baseline:.3f}): "
        "label more rows, raise the max length, or try the Thorough preset.",
    ).format(**values)


def _score(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else ""


def has_model(run: RunRecord) -> bool:
    """A run whose model folder exists (finished, or cancelled after an evaluation)."""
    return run.status in HAS_MODEL and bool(run.model_dir) and Path(run.model_dir).is_dir()


DEVICE_KINDS = {"cpu": "CPU", "cuda": "GPU", "mps": QT_TRANSLATE_NOOP("RunHistoryWidget", "Apple GPU")}


def short_device(metrics: dict[str, Any]) -> str:
    """``CPU, bf16`` / ``GPU, fp16`` for the table (the full description is the tooltip)."""
    known = DEVICE_KINDS.get(str(metrics.get("device_kind", "")))
    kind = _tr(known) if known else str(metrics.get("device", "")).split(":")[0]
    processes = _processes(metrics)
    if kind and processes > 1:
        kind = QCoreApplication.translate("RunHistoryWidget", "{n} × {kind}").format(
            n=processes, kind=kind
        )  # trained on all GPUs (torchrun)
    return ", ".join(part for part in (kind, str(metrics.get("precision", ""))) if part)


def full_device(metrics: dict[str, Any]) -> str:
    parts = [str(metrics.get("device", "")), str(metrics.get("precision", ""))]
    if _processes(metrics) > 1:
        parts.append(
            QCoreApplication.translate("RunHistoryWidget", "{n} processes, effective batch {batch}").format(
                n=_processes(metrics), batch=metrics.get("effective_batch_size", "?")
            )
        )
    return ", ".join(part for part in parts if part)


def _processes(metrics: dict[str, Any]) -> int:
    value = metrics.get("world_size", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def run_cells(run: RunRecord, running_id: int | None = None) -> list[str]:
    metrics = run.metrics or {}
    validation = metrics.get("validation") or {}
    status = status_text(run.status)
    if run.status == RunStatus.CANCELLED:
        # Cancelled before its first evaluation, a run has nothing to show: say so, not a bare stub.
        status = QCoreApplication.translate("RunHistoryWidget", "cancelled (model kept)") if has_model(run) else _tr(NO_MODEL_STATUS)
    if run.id == running_id:
        status = QCoreApplication.translate("RunHistoryWidget", "training…")
    device = short_device(metrics)
    if not device:  # the device chosen ("auto") is only worth showing while it is being resolved
        device = str((run.config or {}).get("device", "")) if run.id == running_id or run.status == RunStatus.RUNNING else "—"
    return [
        ACTIVE_MARK if run.is_active else "",
        str(run.id),
        time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created_at)),
        status,
        describe_settings(run.config or {}),
        device,
        ("⚠ " if ValidationScores.from_dict(validation).verdict() else "") + _score(validation.get("accuracy")),
        _score(validation.get("macro_f1")),
        format_duration(metrics.get("training_seconds")),
    ]


class RunHistoryWidget(QWidget):
    """A table of runs plus "Use this model", "Delete run…", "Open folder" and "Details…"."""

    use_requested = Signal(int)
    delete_requested = Signal(int)
    open_requested = Signal(int)
    details_requested = Signal(int)
    selection_changed = Signal(object)  # the selected RunRecord or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runs: list[RunRecord] = []
        self._running_id: int | None = None
        self.title = QLabel(self.tr("Run history"))
        self.title.setStyleSheet("font-weight: bold;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(name) if name else "" for name in COLUMNS])
        self.table.horizontalHeaderItem(0).setToolTip(self.tr("★ marks the active model: the one used for predictions."))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Settings is the long column: it takes the room that is left and is elided (the full
        # text is its tooltip), so at 1280 px Duration stays in view without scrolling sideways.
        header.setSectionResizeMode(COLUMNS.index("Settings"), QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setMinimumSectionSize(24)
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.table.itemDoubleClicked.connect(self._on_double_clicked)

        self.use_button = QPushButton(self.tr("Use this model"))
        self.use_button.setToolTip(self.tr("Make this run's model the one used for predictions."))
        self.delete_button = QPushButton(self.tr("Delete run…"))
        self.delete_button.setToolTip(self.tr("Delete the run and its model folder (asks first)."))
        self.open_button = QPushButton(self.tr("Open folder"))
        self.open_button.setToolTip(self.tr("Show the run's model folder in the file manager."))
        self.details_button = QPushButton(self.tr("Details…"))
        self.details_button.setToolTip(self.tr("Per-label scores and the confusion matrix (or double-click a run)."))
        self.use_button.clicked.connect(lambda: self._emit(self.use_requested))
        self.delete_button.clicked.connect(lambda: self._emit(self.delete_requested))
        self.open_button.clicked.connect(lambda: self._emit(self.open_requested))
        self.details_button.clicked.connect(lambda: self._emit(self.details_requested))
        buttons = QHBoxLayout()
        buttons.addWidget(self.title)
        buttons.addStretch(1)
        for button in (self.use_button, self.open_button, self.details_button, self.delete_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self._update_buttons()

    # -- public --------------------------------------------------------------------------------
    def set_runs(self, runs: Sequence[RunRecord], running_id: int | None = None) -> None:
        """Show ``runs`` newest first, keeping the selection where the run still exists."""
        selected = self.selected_run()
        self._runs = sorted(runs, key=lambda r: r.id, reverse=True)
        self._running_id = running_id
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._runs))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, run in enumerate(self._runs):
            for column, text in enumerate(run_cells(run, running_id)):
                item = QTableWidgetItem(text)
                item.setData(RUN_ID_ROLE, run.id)
                if column >= COLUMNS.index("Accuracy"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                tip = text if column else ""
                if column == COLUMNS.index("Device"):
                    tip = full_device(run.metrics or {}) or text
                if column == COLUMNS.index("Accuracy"):  # the baseline beside the score, and the verdict
                    sheet = ValidationScores.from_dict((run.metrics or {}).get("validation"))
                    tip = "\n".join(filter(None, [scores_text(sheet) if sheet.support else "", verdict_text(sheet) or ""]))
                if run.is_active:
                    item.setFont(bold)
                    tip = self.tr("The active model: predictions use it.") + (f"\n{tip}" if tip else "")
                elif run.status == RunStatus.FAILED and (run.metrics or {}).get("error"):
                    tip = str(run.metrics["error"])
                elif text == self.tr(NO_MODEL_STATUS):
                    tip = self.tr("Cancelled before its first evaluation: no model was saved. Delete run… removes it from this list.")
                item.setToolTip(tip)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        keep = selected.id if selected else None
        target = next((i for i, r in enumerate(self._runs) if r.id == keep), None)
        if target is None and self._runs:
            target = next((i for i, r in enumerate(self._runs) if r.is_active), 0)
        if target is not None:
            self.table.selectRow(target)
        else:
            self.table.clearSelection()
        self._on_selection_changed()

    def runs(self) -> list[RunRecord]:
        return list(self._runs)

    def selected_run(self) -> RunRecord | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._runs):
            return None
        return self._runs[rows[0].row()]

    def select_run(self, run_id: int) -> None:
        for row, run in enumerate(self._runs):
            if run.id == run_id:
                self.table.selectRow(row)
                return

    # -- internals -----------------------------------------------------------------------------
    def _emit(self, signal: Any) -> None:
        run = self.selected_run()
        if run is not None:
            signal.emit(run.id)

    def _on_selection_changed(self) -> None:
        self._update_buttons()
        self.selection_changed.emit(self.selected_run())

    def _on_double_clicked(self, item: QTableWidgetItem) -> None:
        run_id = item.data(RUN_ID_ROLE)
        if run_id is not None:
            self.details_requested.emit(int(run_id))

    def _update_buttons(self) -> None:
        run = self.selected_run()
        running = run is not None and run.id == self._running_id
        model = run is not None and has_model(run)
        self.use_button.setEnabled(model and not run.is_active and not running)
        self.delete_button.setEnabled(run is not None and not running)
        self.open_button.setEnabled(model)
        self.details_button.setEnabled(run is not None and not running)

"""The run history: one row per training run, the active one starred and bold, with its actions."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
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

from bertdesk.core.ml.training_metrics import ValidationScores
from bertdesk.core.progress import format_duration
from bertdesk.core.project.runs import RunStatus

if TYPE_CHECKING:
    from bertdesk.core.project.runs import RunRecord

COLUMNS = ("", "Run", "Date", "Status", "Settings", "Device", "Accuracy", "Macro-F1", "Duration")
ACTIVE_MARK = "★"
RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HAS_MODEL = (RunStatus.FINISHED, RunStatus.CANCELLED)


def describe_settings(config: dict[str, Any]) -> str:
    """``Balanced · 10 epochs · lr 1e-4 · 128 tokens``."""
    if not config:
        return ""
    from bertdesk.gui.widgets.train_settings import format_rate

    parts = [str(config.get("preset", ""))]
    if "epochs" in config:
        parts.append(f"{config['epochs']} epoch{'s' if config['epochs'] != 1 else ''}")
    if isinstance(config.get("learning_rate"), (int, float)):
        parts.append(f"lr {format_rate(config['learning_rate'])}")
    if "max_length" in config:
        parts.append(f"{config['max_length']} tokens")
    return " · ".join(p for p in parts if p)


NO_MODEL_STATUS = "cancelled, no model"


def _score(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else ""


def has_model(run: RunRecord) -> bool:
    """A run whose model folder exists (finished, or cancelled after an evaluation)."""
    return run.status in HAS_MODEL and bool(run.model_dir) and Path(run.model_dir).is_dir()


DEVICE_KINDS = {"cpu": "CPU", "cuda": "GPU", "mps": "Apple GPU"}


def short_device(metrics: dict[str, Any]) -> str:
    """``CPU, bf16`` / ``GPU, fp16`` for the table (the full description is the tooltip)."""
    kind = DEVICE_KINDS.get(str(metrics.get("device_kind", "")), str(metrics.get("device", "")).split(":")[0])
    processes = _processes(metrics)
    if kind and processes > 1:
        kind = f"{processes} × {kind}"  # trained on all GPUs (torchrun)
    return ", ".join(part for part in (kind, str(metrics.get("precision", ""))) if part)


def full_device(metrics: dict[str, Any]) -> str:
    parts = [str(metrics.get("device", "")), str(metrics.get("precision", ""))]
    if _processes(metrics) > 1:
        parts.append(f"{_processes(metrics)} processes, effective batch {metrics.get('effective_batch_size', '?')}")
    return ", ".join(part for part in parts if part)


def _processes(metrics: dict[str, Any]) -> int:
    value = metrics.get("world_size", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def run_cells(run: RunRecord, running_id: int | None = None) -> list[str]:
    metrics = run.metrics or {}
    validation = metrics.get("validation") or {}
    status = str(run.status)
    if run.status == RunStatus.CANCELLED:
        # Cancelled before its first evaluation, a run has nothing to show: say so, not a bare stub.
        status = "cancelled (model kept)" if has_model(run) else NO_MODEL_STATUS
    if run.id == running_id:
        status = "training…"
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
        self.title = QLabel("Run history")
        self.title.setStyleSheet("font-weight: bold;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeaderItem(0).setToolTip("★ marks the active model: the one used for predictions.")
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

        self.use_button = QPushButton("Use this model")
        self.use_button.setToolTip("Make this run's model the one used for predictions.")
        self.delete_button = QPushButton("Delete run…")
        self.delete_button.setToolTip("Delete the run and its model folder (asks first).")
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the run's model folder in the file manager.")
        self.details_button = QPushButton("Details…")
        self.details_button.setToolTip("Per-label scores and the confusion matrix (or double-click a run).")
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
                    tip = "\n".join(filter(None, [sheet.summary() if sheet.support else "", sheet.verdict() or ""]))
                if run.is_active:
                    item.setFont(bold)
                    tip = "The active model: predictions use it." + (f"\n{tip}" if tip else "")
                elif run.status == RunStatus.FAILED and (run.metrics or {}).get("error"):
                    tip = str(run.metrics["error"])
                elif text == NO_MODEL_STATUS:
                    tip = "Cancelled before its first evaluation: no model was saved. Delete run… removes it from this list."
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

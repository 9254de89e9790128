"""Rows like this one: the nearest rows by meaning, and "Label these N as …" in one undo step.

The neighbours come from :func:`bertdesk.core.review.label_review.similar_rows` (cosine
similarity of sentence embeddings the project stores): the first time, every row is embedded, in
a job with a progress bar (Esc or Cancel stops it, and what was embedded is not lost); after
that the list is instant, also after a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback
from bertdesk.gui.jobs import JobRunner

if TYPE_CHECKING:
    from bertdesk.core.project import Project

COLUMNS = (
    "",
    QT_TRANSLATE_NOOP("SimilarRowsDialog", "Similarity"),
    QT_TRANSLATE_NOOP("SimilarRowsDialog", "Row"),
    QT_TRANSLATE_NOOP("SimilarRowsDialog", "Label"),
    QT_TRANSLATE_NOOP("SimilarRowsDialog", "Text"),
)
DEFAULT_TOP = 20
_CHECK = 0


def _plain(text: str = "", style: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # cell text is data, never markup
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    return label


class SimilarRowsDialog(QDialog):
    """The ``top`` rows most like row ``row_id``, each with a check box to label the chosen ones at once."""

    def __init__(self, project: Project, row_id: int, parent: QWidget | None = None, *, top: int = DEFAULT_TOP) -> None:
        super().__init__(parent)
        self.project, self.row_id = project, row_id
        self.setWindowTitle(self.tr("Rows like row {row:,}").format(row=row_id + 1))
        self.resize(860, 560)
        self.row_ids: list[int] = []
        self.jobs = JobRunner(self, show_line=lambda line: self.status.setText(line))

        text = project.texts([row_id])[0]
        self.source = _plain(self.tr("Row {row:,}: {text}").format(row=row_id + 1, text=text[:400]), "font-weight: bold;")
        self.top_spin = QSpinBox()
        self.top_spin.setRange(1, 1000)
        self.top_spin.setValue(top)
        self.top_spin.setPrefix(self.tr("Show the "))
        self.top_spin.setSuffix(self.tr(" most similar rows"))
        self.top_spin.editingFinished.connect(self.find)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        head = QHBoxLayout()
        head.addWidget(self.top_spin)
        head.addStretch(1)
        head.addWidget(self.progress)
        head.addWidget(self.cancel_button)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("SimilarRowsDialog", name) if name else "" for name in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(lambda _item: self._update_apply())

        self.caption = _plain()
        self.label_combo = QComboBox()
        self.label_combo.addItems(list(project.label_set.names))
        self.label_combo.setEditable(True)  # a new label name is added to the label set
        own = project.label_of(row_id)
        if own is not None:
            self.label_combo.setCurrentText(own)  # most often: give the neighbours this row's label
        self.apply_button = QPushButton(self.tr("Label"))
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        self.status = _plain(style="color: #1d4ed8;")
        foot = QHBoxLayout()
        foot.addWidget(self.caption)
        foot.addWidget(self.label_combo, 1)
        foot.addWidget(self.apply_button)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        foot.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.source)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(foot)
        # Space ticks or unticks the selected rows, so the keyboard alone can choose them. An event
        # filter, not a QShortcut: a shortcut fires only while the window is active, and otherwise
        # the table's delegate toggled the current row instead of the selected ones.
        self.table.installEventFilter(self)
        self._busy(False)
        self._update_apply()
        self.find()

    # -- finding -----------------------------------------------------------------------------
    def find(self) -> None:
        """Look the neighbours up (embedding the rows first, once, when the project has none)."""
        project, row_id, top = self.project, self.row_id, self.top_spin.value()

        def work(*, on_progress: ProgressCallback, cancel: CancelToken) -> Any:
            from bertdesk.core.review.label_review import similar_rows

            return similar_rows(project, row_id=row_id, top=top, on_progress=on_progress, cancel=cancel)

        self._busy(True)
        self.status.setText(self.tr("Finding similar rows…"))
        self.jobs.start(
            "similar",
            work,
            title=self.tr("Finding similar rows"),
            on_progress=self._on_progress,
            on_done=self.show_rows,
            on_cancelled=lambda: self.status.setText(self.tr("Stopped. The rows embedded so far are kept; Show again to go on.")),
            on_finished=lambda: self._busy(False),
        )

    def cancel(self) -> None:
        """Stop the running search (Esc)."""
        self.jobs.cancel()

    def reject(self) -> None:
        if self.jobs.busy("similar"):  # Esc while embedding: stop it, keep the dialog
            self.cancel()
            return
        super().reject()

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)

    def _on_progress(self, progress: Progress) -> None:
        if progress.total > 0:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(min(progress.done, progress.total))
        if progress.message:
            self.status.setText(progress.message)

    def show_rows(self, rows: Sequence[Any]) -> None:
        """List ``rows`` (SimilarRow: row_id, similarity, text, label), none ticked: the user
        chooses which rows share the label (a row can be near in meaning and still differ)."""
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        self.row_ids = []
        for i, found in enumerate(rows):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            check.setCheckState(Qt.CheckState.Unchecked)
            cells = (check, f"{found.similarity:.0%}", f"{found.row_id + 1:,}", found.label or "", found.text.replace("\n", " ")[:500])
            for column, cell in enumerate(cells):
                self.table.setItem(i, column, cell if isinstance(cell, QTableWidgetItem) else QTableWidgetItem(cell))
            self.row_ids.append(int(found.row_id))
        self.table.blockSignals(False)
        self.status.setText(
            self.tr(
                "The {count:,} rows most like row {row:,} by meaning (cosine similarity of embeddings). "
                "Tick the ones to label: click a box, or select rows (Shift+↓) and press Space."
            ).format(count=len(rows), row=self.row_id + 1)
        )
        self._update_apply()
        self.table.setFocus()
        if rows:
            self.table.selectRow(0)

    # -- labelling ---------------------------------------------------------------------------
    def checked_rows(self) -> list[int]:
        """The row ids ticked now."""
        return [
            r
            for i, r in enumerate(self.row_ids)
            if (item := self.table.item(i, _CHECK)) is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Space
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
        ):
            self.toggle_selected()
            return True
        return super().eventFilter(watched, event)

    def toggle_selected(self) -> None:
        """Tick the selected rows, or untick them when all are ticked."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        items = [item for r in rows if (item := self.table.item(r, _CHECK)) is not None]
        state = Qt.CheckState.Unchecked if items and all(i.checkState() == Qt.CheckState.Checked for i in items) else Qt.CheckState.Checked
        for item in items:
            item.setCheckState(state)

    def _update_apply(self) -> None:
        count = len(self.checked_rows())
        self.caption.setText(self.tr("Label these {count:,} as").format(count=count))
        self.apply_button.setEnabled(count > 0)

    def apply(self) -> None:
        """Give every ticked row the chosen label: one undo step."""
        rows, name = self.checked_rows(), self.label_combo.currentText().strip()
        if not rows or not name:
            return
        try:
            self.project.set_labels(rows, name)
        except BertdeskError as err:
            self.status.setText(str(err))
            return
        for i, row in enumerate(self.row_ids):
            if row in rows and (item := self.table.item(i, 3)) is not None:
                item.setText(name)
        if len(rows) == 1:
            done = self.tr('Labelled 1 row "{label}" · Ctrl+Z in the window undoes it in one step.').format(label=name)
        else:
            done = self.tr('Labelled {count:,} rows "{label}" · Ctrl+Z in the window undoes it in one step.').format(
                count=len(rows), label=name
            )
        self.status.setText(done)

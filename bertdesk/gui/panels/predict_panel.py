"""Predict panel: run the active model over the project, inspect the predictions, accept them as labels.

Layout: a toolbar (predict all / unlabelled rows, cancel, progress), a filter bar, the table of
predictions on the left and four views on the right (confidence histogram; confusion matrix
and per-class scores on the run's validation rows; a 2-D map of the rows, stored with the run;
each predicted label's characteristic words, a click on one filtering the table), and the actions
under the table (accept the selected predictions, accept all above a confidence, most
uncertain first, export).

The work happens in core: ``ml.project_prediction.predict_with_map`` as a job (bertdesk/gui/jobs.py),
``project.prediction_analysis`` for filters/metrics/PCA, ``uncertainty`` for the orders,
``Project.accept_predictions`` for undoable labelling and ``export``, each a job in the
panel's one slot; ``review.label_words`` as a background job of its own
(widgets/predict_words_finder.py), run when the Words tab is open and the predictions shown are new. torch is only
imported inside the job functions, never when this module loads.

What it shows follows the project's announcements (bertdesk/gui/project_events.py): labels set
anywhere (the Label panel, a bulk label, accepting here, undo) update the table's label column
and agreement; another active run, a new run or new predictions reload it. While the panel is
hidden these only mark it stale; it catches up when shown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import Progress
from bertdesk.core.project import prediction_analysis as views
from bertdesk.core.project.label_colors import UNLABELLED_COLOR
from bertdesk.gui.jobs import JobRunner
from bertdesk.gui.models.prediction_model import ROW_ID_ROLE, PredictionTableModel
from bertdesk.gui.project_events import ProjectEvents, StaleWhileHidden
from bertdesk.gui.widgets.notices import WARNING_STYLE
from bertdesk.gui.widgets.predict_charts import class_colors
from bertdesk.gui.widgets.predict_filters import PredictFilterBar
from bertdesk.gui.widgets.predict_views import MAP_HINT, PredictViews
from bertdesk.gui.widgets.predict_words_finder import LabelWordsFinder
from bertdesk.gui.widgets.unreadable_text import predict_fix, unreadable_message
from bertdesk.gui.workers import Job

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent

    from bertdesk.core.ml.vocabulary_coverage import Coverage
    from bertdesk.core.project import Project, RunRecord
    from bertdesk.core.project.events import PredictionsChanged, RunsChanged

log = logging.getLogger(__name__)
StoredMap = tuple[np.ndarray, np.ndarray] | None  # row ids, 2-D coordinates
UNCERTAINTY_CHOICES = [
    ("least_confidence", QT_TRANSLATE_NOOP("PredictPanel", "least confidence")),
    ("margin", QT_TRANSLATE_NOOP("PredictPanel", "smallest margin")),
    ("entropy", QT_TRANSLATE_NOOP("PredictPanel", "highest entropy")),
]


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class PredictPanel(QWidget):
    """Predictions of the project's active run.

    Signals:
        explain_requested(str): the text of a row double-clicked (for the attention panel).
        status_message(str): a line for the status bar.
    """

    explain_requested = Signal(str)
    status_message = Signal(str)
    # Emitted from the prediction job's thread (queued to the GUI thread): the unreadable-text warning.
    _unreadable_measured = Signal(str)
    label_uncertain_requested = Signal(str)  # an uncertainty measure: label those rows, most uncertain first
    similar_requested = Signal(int)  # row id: "Find Similar Rows" from the table's context menu

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.run: RunRecord | None = None
        self.frame: Any = None  # prediction_analysis.prediction_frame of the shown run
        self.report: views.ValidationReport | None = None
        # One slot for every job here (load, predict, accept, export): they exclude each other.
        self.jobs = JobRunner(self, show_line=lambda line: self.run_label.setText(line))
        # The shown run's map as stored with it (row ids, 2-D coordinates), read with its
        # predictions; or None with the line to show instead.
        self.map_points: StoredMap = None
        self._map_note = MAP_HINT
        self._showing_uncertain = False  # the table lists "most uncertain first"
        self._sized = False  # the splitter's first sizes are set when first shown
        self.events = ProjectEvents(self)
        self._stale = StaleWhileHidden(self)
        self.events.labels_changed.connect(lambda _message: self._stale.run("labels", self._relabel))
        self.events.label_set_changed.connect(lambda _message: self._stale.run("labels", self._relabel))
        self.events.label_set_changed.connect(lambda _message: self._stale.run("label colours", self.word_finder.redraw))
        self.events.active_run_changed.connect(lambda _message: self._stale.run("run", self.refresh))
        self.events.runs_changed.connect(self._on_project_runs_changed)
        self.events.predictions_changed.connect(self._on_project_predictions_changed)
        self._build()

    @property
    def job(self) -> Job | None:
        """The panel's running job (predict, accept, export; else a load of stored predictions), or None."""
        return self.jobs.job("predict") or self.jobs.job("load")

    # -- construction ------------------------------------------------------------------------
    def _build(self) -> None:
        self.predict_all_button = QPushButton(self.tr("Predict all rows"))
        self.predict_unlabelled_button = QPushButton(self.tr("Predict unlabelled rows"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        # The bar shows the percentage only and the line beside it what is happening: a message
        # inside a squeezed bar wrapped onto two lines and was cut ("61% Pre… 369 of 600").
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.setFixedWidth(110)
        self.progress_label = _plain("")
        self.progress_label.setWordWrap(False)
        self.run_label = _plain(self.tr("No project open."))
        self.run_label.setStyleSheet("color: #555;")
        # A long line (a model refused, naming its missing weights) wraps instead of widening
        # the panel past the window and hiding the charts.
        self.run_label.setWordWrap(True)
        top = QHBoxLayout()
        for widget in (self.predict_all_button, self.predict_unlabelled_button, self.cancel_button, self.progress, self.progress_label):
            top.addWidget(widget)
        top.addWidget(self.run_label, 1)
        # Before predicting: a warning when the run's model cannot read much of the text column.
        self.unreadable_notice = QLabel()
        self.unreadable_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.unreadable_notice.setWordWrap(True)
        self.unreadable_notice.setStyleSheet(WARNING_STYLE)
        self.unreadable_notice.hide()
        self._unreadable_measured.connect(self._show_unreadable)

        # The count sits at the end of the filter bar (its search field gives way): under the
        # table its changing text ("20 unlabelled rows, most uncertain first") widened the table
        # side, and the splitter took that from the charts.
        self.count_label = _plain("")
        self.filters = PredictFilterBar()
        filter_row = self.filters.layout()
        assert isinstance(filter_row, QHBoxLayout)
        filter_row.insertWidget(filter_row.count() - 1, self.count_label)  # before "Clear filters"

        self.model = PredictionTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setAlternatingRowColors(True)

        self.views = PredictViews()
        # Shortcuts to the charts (the lead's code and the tests reach them through the panel).
        self.histogram, self.confusion, self.map = self.views.histogram, self.views.confusion, self.views.map
        self.tabs = self.views
        self.words = self.views.words
        self.word_finder = LabelWordsFinder(self.words, self.jobs, order=probability_names, palette=self._label_palette, parent=self)

        self.accept_button = QPushButton(self.tr("Accept prediction"))
        self.accept_button.setToolTip(self.tr("Label the selected rows with their predicted label (Ctrl+Z undoes)"))
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(50.0, 100.0)
        self.threshold.setDecimals(0)
        self.threshold.setSuffix("%")
        self.threshold.setValue(90.0)
        self.accept_above_button = QPushButton(self._accept_above_text(self.threshold.value()))
        self.accept_above_button.setToolTip(
            self.tr("Label every unlabelled row whose prediction is at least this confident (one undo step)")
        )
        self.uncertain_box = QComboBox()
        for key, text in UNCERTAINTY_CHOICES:
            self.uncertain_box.addItem(QCoreApplication.translate("PredictPanel", text), key)
        self.uncertain_button = QPushButton(self.tr("Label most uncertain first"))
        self.uncertain_button.setToolTip(
            self.tr("Label the unlabelled rows the model is least sure about, in the Label panel, with its suggestions: they teach it most")
        )
        self.export_button = QPushButton(self.tr("Export…"))
        # Two short rows rather than one long one: the long row set the table side's minimum
        # width, and with it the panel's, past what a 1000-px window leaves it.
        accepting = QHBoxLayout()
        accepting.addWidget(self.accept_button)
        accepting.addWidget(self.accept_above_button)
        accepting.addWidget(self.threshold)
        accepting.addStretch(1)
        learning = QHBoxLayout()
        learning.addWidget(self.uncertain_button)
        learning.addWidget(self.uncertain_box)
        learning.addStretch(1)
        actions = QVBoxLayout()
        actions.addLayout(accepting)
        actions.addLayout(learning)
        # Export sits at the end of the top bar (added there below): at the end of this row it
        # was pushed off a 1000-px window, the row being wider than the table side.
        top.addWidget(self.export_button)

        left = QWidget()
        l_layout = QVBoxLayout(left)
        l_layout.setContentsMargins(0, 0, 0, 0)
        l_layout.addWidget(self.table, 1)
        l_layout.addLayout(actions)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        # Neither side collapses to a sliver (a narrowed side once hid the Confidence tab).
        self.splitter.setChildrenCollapsible(False)
        self.tabs.setMinimumWidth(self.tabs.tabBar().sizeHint().width() + 8)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.unreadable_notice)
        layout.addWidget(self.filters)
        layout.addWidget(self.splitter, 1)

        self.predict_all_button.clicked.connect(lambda: self.start_prediction("all"))
        self.predict_unlabelled_button.clicked.connect(lambda: self.start_prediction("unlabelled"))
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.filters.filters_changed.connect(self._on_filters_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.installEventFilter(self)  # Enter on a row explains it, as a double-click does
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.confusion.cell_clicked.connect(self._on_confusion_cell_clicked)
        self.map.point_clicked.connect(self._on_map_point_clicked)
        self.map.point_hovered.connect(self._on_map_point_hovered)
        self.views.color_by.currentIndexChanged.connect(lambda _i: self._update_map())
        self.views.currentChanged.connect(self._on_views_current_changed)
        self.words.term_clicked.connect(self._on_words_term_clicked)
        self.threshold.valueChanged.connect(self._on_threshold_changed)
        self.accept_button.clicked.connect(self.accept_selected)
        self.accept_above_button.clicked.connect(self.accept_above_threshold)
        self.uncertain_button.clicked.connect(lambda: self.label_uncertain_requested.emit(self.uncertain_box.currentData()))
        self.export_button.clicked.connect(self._on_export_clicked)
        self._update_enabled()

    # -- public interface --------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Show ``project`` (None: nothing). A running job of the previous project is cancelled."""
        if self.job is not None:
            self.job.cancel()
        self.word_finder.forget()
        self._stale.forget()
        self.events.set_project(project)
        self.project = project
        self.filters.clear()
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._sized:  # the table gets most of the room, once; the user's splitter drags stay
            self._sized = True
            total = sum(self.splitter.sizes())
            if total > 0:
                side = max(self.tabs.minimumWidth(), int(total * 0.3))
                self.splitter.setSizes([total - side, side])
        self._stale.flush()  # what changed while the panel was hidden

    def _on_project_runs_changed(self, message: RunsChanged) -> None:
        # Only the shown run matters, or a new latest run when none is active (that one is shown).
        project = self.project
        if project is not None and (self.run is None or message.run_id == self.run.id or not self.run.is_active):
            self._stale.run("run", self.refresh)

    def _on_project_predictions_changed(self, message: PredictionsChanged) -> None:
        if self.jobs.busy("predict"):
            return  # this panel's own prediction: its end reloads the table (with the map)
        if self.run is None or message.run_id == self.run.id:
            self._stale.run("run", self.refresh)

    def refresh(self) -> None:
        """Re-read the active run, its stored predictions and the labels from the project."""
        project = self.project
        self.run = None
        self.frame = None
        self.report = None
        self.map_points, self._map_note = None, MAP_HINT
        if project is None or project.closed:
            self.run_label.setText(self.tr("No project open."))
            self._show_frame()
            return
        self.run = project.active_run() or (project.runs()[-1] if project.runs() else None)
        if self.run is None:
            self.run_label.setText(self.tr("No trained model yet: train one on the Train panel first."))
            self._show_frame()
            return
        count = project.prediction_count(self.run.id)
        if not count:
            self._show_run(None, (None, MAP_HINT))
            return
        # Always on a worker, whatever the count (one path); a newer refresh supersedes it.
        self._load_in_background(project, self.run.id, count)

    def _show_run(self, frame: Any, stored_map: tuple[StoredMap, str]) -> None:
        """Show ``frame`` (the shown run's predictions, or None) and its map, with the run's description.

        ``stored_map``: what :func:`read_map` gave (the map, or None and the line to show instead).
        """
        project, run = self.project, self.run
        if project is None or run is None:
            return
        self.frame = frame
        self.map_points, self._map_note = stored_map
        classes = probability_names(frame) if frame is not None else list(run.metrics.get("labels") or project.label_set.names)
        count = 0 if frame is None else len(frame)
        active = self.tr("active run") if run.is_active else self.tr("latest run")
        predicted = (
            self.tr("{count:,} of {total:,} rows predicted.").format(count=count, total=project.row_count)
            if count
            else self.tr("no predictions yet.")
        )
        self.run_label.setText(
            self.tr("Run {run} ({state}, {model}): {predicted}").format(
                run=run.id, state=active, model=Path(run.model_dir).name, predicted=predicted
            )
        )
        self.filters.set_classes(classes)
        self._show_frame()

    def _load_in_background(self, project: Project, run_id: int, count: int) -> None:
        """Read a big run's predictions on a worker thread (seconds for a million rows)."""

        def work(*, on_progress: Any, cancel: Any) -> Any:
            return views.frame_for_run(project, run_id), read_map(project, run_id)

        def loaded(result: Any) -> None:
            if project is self.project and self.run is not None and self.run.id == run_id:
                self._show_run(*result)

        def finished() -> None:
            # A load that ends while a prediction runs leaves the prediction's progress alone.
            self._update_enabled() if self.jobs.busy("predict") else self._on_job_finished()

        self.jobs.start("load", work, title=self.tr("Loading predictions"), on_done=loaded, on_finished=finished)
        self.run_label.setText(self.tr("Loading {count:,} predictions of run {run}…").format(count=count, run=run_id))
        self._show_frame()

    # -- showing -----------------------------------------------------------------------------
    def _show_frame(self) -> None:
        self.model.colors = self.project.display_colors() if self.project is not None else {}
        self.model.set_frame(self.frame)
        if self.frame is not None:
            # Sized once from the first rows: ResizeToContents would re-measure on every sort
            # and filter (170k data() calls for 200k rows).
            header = self.table.horizontalHeader()
            header.setResizeContentsPrecision(100)
            for column in range(self.model.columnCount()):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                if column != 1:
                    self.table.resizeColumnToContents(column)
            # The text is what people read: a fixed, generous share of the view (Stretch would
            # squeeze it to nothing once the per-class columns outgrow the view).
            self.table.setColumnWidth(1, max(260, self.table.viewport().width() // 3))
            header.setStretchLastSection(True)
        self._apply_filters()
        self._update_validation()
        self._update_map()
        self._update_words()
        self._update_enabled()

    def _apply_filters(self) -> None:
        self._showing_uncertain = False
        if self.frame is None:
            self.count_label.setText("")
            self.views.show_confidence(np.zeros(0), self.threshold.value())
            return
        rule = self.filters.rule()
        mask = None if rule.is_empty() else views.filter_mask(self.frame, rule)
        self.model.set_visible(mask)
        shown = len(self.frame) if mask is None else int(mask.sum())
        self.count_label.setText(self.tr("{shown:,} of {total:,} rows").format(shown=shown, total=len(self.frame)))
        confidence = self.frame[views.CONFIDENCE].to_numpy()
        self.views.show_confidence(confidence if mask is None else confidence[mask], self.threshold.value())

    def _update_validation(self) -> None:
        run, frame = self.run, self.frame
        ids = [] if run is None else run.metrics.get("validation_row_ids") or []
        if run is None or frame is None or not ids:
            self.report = None
            self.views.show_validation(None, None, self.tr("No validation rows recorded for this run.") if run is not None else "")
            return
        classes = list(run.metrics.get("labels") or probability_names(frame))
        self.report = views.validation_report(frame, ids, classes)
        self.views.show_validation(self.report, run.id, colors=self.project.display_colors() if self.project is not None else None)

    def _update_map(self) -> None:
        frame, entry = self.frame, self.map_points
        if frame is None or entry is None:
            self.views.show_map(None, hint=self._map_note)
            return
        row_ids, coords = entry
        keep = np.isin(row_ids, frame.index.to_numpy())
        row_ids, coords = row_ids[keep], coords[keep]
        column = views.PREDICTED if self.views.colour_by_prediction else views.LABEL
        unlabelled = self.tr("(unlabelled)")
        values = [v if v else unlabelled for v in frame.loc[row_ids, column].tolist()]
        palette = class_colors(probability_names(frame), self.project.display_colors() if self.project is not None else None)
        if unlabelled in values:
            palette[unlabelled] = UNLABELLED_COLOR
        texts = dict(zip(row_ids.tolist(), frame.loc[row_ids, views.TEXT].tolist()))
        self.views.show_map(coords, row_ids, values, palette, texts)

    # -- what each label is about --------------------------------------------------------------
    def _update_words(self) -> None:
        """The Words tab follows the predictions shown (found when the tab is open)."""
        open_ = self.views.currentIndex() == self.views.words_tab
        self.word_finder.show(self.frame, wanted=open_, loading=self.jobs.busy("load"))

    def _label_palette(self, names: Sequence[str]) -> dict[str, str]:
        return class_colors(names, self.project.display_colors() if self.project is not None else None)

    def _on_views_current_changed(self, index: int) -> None:
        if index == self.views.words_tab:
            self._update_words()

    def _on_words_term_clicked(self, label: str, term: str) -> None:
        """List the rows predicted ``label`` whose text contains ``term`` (the filter bar shows how)."""
        if self.frame is None:
            return
        self.filters.show_only(predicted=label, text=term)
        shown = self.model.rowCount()
        self.status_message.emit(
            self.tr("Showing the {shown:,} rows predicted “{label}” whose text contains “{term}” (Clear filters shows every row).").format(
                shown=shown, label=label, term=term
            )
        )

    def _update_enabled(self) -> None:
        busy = self.job is not None
        has_run = self.run is not None and self.project is not None
        has_rows = self.frame is not None and len(self.frame) > 0
        self.predict_all_button.setEnabled(has_run and not busy)
        self.predict_unlabelled_button.setEnabled(has_run and not busy)
        self.cancel_button.setEnabled(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setVisible(busy)
        self.progress_label.setVisible(busy)
        for widget in (self.accept_button, self.accept_above_button, self.uncertain_button, self.export_button):
            widget.setEnabled(has_rows and not busy)

    # -- predicting --------------------------------------------------------------------------
    def start_prediction(self, rows: str = "all") -> Job | None:
        """Predict ``rows`` ("all" or "unlabelled") with the shown run on a worker thread."""
        project, run = self.project, self.run
        if project is None or run is None or self.job is not None:
            return None
        run_id = run.id

        def work(*, on_progress: Any, cancel: Any) -> Any:
            from bertdesk.core.ml.project_prediction import predict_with_map

            self._unreadable_measured.emit(_unreadable_message(project, run.model_dir))
            out = predict_with_map(project, run_id=run_id, rows=rows, on_progress=on_progress, cancel=cancel)
            # The rows as stored, read back here: the table shows them the moment the job ends
            # instead of emptying for a second load (seconds on a big project).
            on_progress(Progress(0, 0, self.tr("Reading the predictions back…")))
            frame = views.frame_for_run(project, out.result.run_id)
            return out.result.run_id, len(out.result.row_ids), frame, read_map(project, out.result.run_id)

        job = self.jobs.start(
            "predict",
            work,
            title=self.tr("Predicting"),
            on_progress=self._on_job_progressed,
            on_done=lambda result: self._on_predict_succeeded(result, project),
            on_cancelled=lambda: self.status_message.emit(self.tr("Prediction cancelled; earlier predictions are kept.")),
            on_finished=self._on_job_finished,
        )
        self._show_unreadable("")
        self.progress.setRange(0, 0)
        self._show_progress_text(self.tr("Loading the model…"))
        self._update_enabled()
        self.status_message.emit(
            (
                self.tr("Predicting unlabelled rows with run {run}…")
                if rows == "unlabelled"
                else self.tr("Predicting all rows with run {run}…")
            ).format(run=run_id)
        )
        return job

    def _show_unreadable(self, message: str) -> None:
        self.unreadable_notice.setText(message)
        self.unreadable_notice.setVisible(bool(message))

    def _on_job_progressed(self, progress: Progress) -> None:
        if progress.total > 0:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        else:
            self.progress.setRange(0, 0)
        self._show_progress_text(progress.message)

    def _show_progress_text(self, message: str) -> None:
        """The bar shows the percentage (nothing while it is indeterminate), the line beside it ``message``."""
        self.progress.setFormat("%p%" if self.progress.maximum() > 0 else "")
        self.progress_label.setText(message)

    def _on_predict_succeeded(self, result: Any, project: Project | None = None) -> None:
        if project is not self.project:
            return  # the user opened another project meanwhile: these rows are not its rows
        run_id, count, frame, stored_map = result
        self.status_message.emit(self.tr("Predicted {count:,} rows with run {run}.").format(count=count, run=run_id))
        if project is not None and not project.closed and self.run is not None and self.run.id == run_id:
            self.jobs.forget("load")  # an older read of this run's predictions: these are newer
            self._show_run(frame, stored_map)
        else:
            self.refresh()

    def _on_job_finished(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.progress_label.setText("")
        self._update_enabled()

    def _on_cancel_clicked(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self._show_progress_text(self.tr("Cancelling…"))

    # -- labelling from predictions ----------------------------------------------------------
    def selected_row_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_id(r) for r in rows]

    def accept_selected(self) -> int:
        """Label the selected rows with their predictions (one undo step); return how many changed."""
        if self.frame is None or self.project is None:
            return 0
        ids = self.selected_row_ids()
        assignments = {r: str(self.frame.at[r, views.PREDICTED]) for r in ids}
        return self._accept(
            assignments,
            self.tr("No predictions selected to accept."),
            self.tr("Accepted {count:,} predictions selected (Undo reverses it).").format(count=len(assignments)),
        )

    def accept_above_threshold(self) -> int:
        """Label every unlabelled row predicted at least as confidently as the threshold (one undo step)."""
        if self.frame is None or self.project is None:
            return 0
        from bertdesk.core.project.uncertainty import rows_above

        frame = self.frame
        assignments = rows_above(
            frame.index.to_numpy(),
            frame[views.PREDICTED].to_numpy(),
            frame[views.CONFIDENCE].to_numpy(),
            self.threshold.value() / 100.0,
            labelled=self.project.labels(),
        )
        percent = self.threshold.value()
        return self._accept(
            assignments,
            self.tr("No predictions above {percent:.0f}% to accept.").format(percent=percent),
            self.tr("Accepted {count:,} predictions above {percent:.0f}% (Undo reverses it).").format(
                count=len(assignments), percent=percent
            ),
        )

    def _accept(self, assignments: dict[int, str], nothing: str, accepted: str) -> int:
        """Accept ``assignments`` as a job; ``nothing``: the line when there are none, ``accepted``: the line when done."""
        project = self.project
        assert project is not None
        if not assignments:
            self.status_message.emit(nothing)
            return 0
        if self.job is not None:
            self.status_message.emit(self.tr("Wait for the running job to finish first."))
            return 0
        # Always a job, whatever the size: one path (a million rows take about 1.3 s; a few
        # rows cost a thread start, see benchmarks/label_speed.py).
        self.jobs.start(
            "predict",
            lambda on_progress, cancel: project.accept_predictions(assignments),
            title=self.tr("Accepting predictions"),
            on_done=lambda changed: self._after_accept(bool(changed), accepted, project),
            on_finished=self._on_job_finished,
        )
        self.progress.setRange(0, 0)
        self._show_progress_text(self.tr("Accepting {count:,} predictions…").format(count=len(assignments)))
        self._update_enabled()
        return len(assignments)

    def _after_accept(self, changed: bool, accepted: str, project: Project) -> None:
        # The labels themselves were announced by the project: the table follows from that.
        if not changed or project is not self.project:
            return
        self.status_message.emit(accepted)

    def _relabel(self) -> None:
        """Refresh the human labels in the frame after an edit anywhere (predictions are unchanged)."""
        if self.frame is None or self.project is None or self.project.closed:
            return
        uncertain = self._showing_uncertain
        human = self.project.labels()
        labels = [human.get(r, "") for r in self.frame.index.tolist()]
        self.frame[views.LABEL] = labels
        predicted = self.frame[views.PREDICTED].tolist()
        self.frame[views.AGREES] = [None if not h else h == p for h, p in zip(labels, predicted)]
        self._show_frame()
        if uncertain:  # a row labelled meanwhile leaves the "most uncertain" list
            self.show_most_uncertain()

    def show_most_uncertain(self) -> None:
        """Unlabelled rows only, most uncertain first (by the chosen measure)."""
        if self.frame is None:
            return
        from bertdesk.core.project.uncertainty import most_uncertain_first

        order = most_uncertain_first(
            self.frame.index.to_numpy(),
            self.frame[views.probability_columns(self.frame)].to_numpy(),
            method=str(self.uncertain_box.currentData()),
            labelled=self.project.labels() if self.project else None,
        )
        self.filters.clear()
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.show_order(order)
        self.count_label.setText(self.tr("{count:,} unlabelled rows, most uncertain first").format(count=len(order)))
        # The histogram describes the rows listed, as it does for a filter.
        self.views.show_confidence(self.frame.loc[order, views.CONFIDENCE].to_numpy(), self.threshold.value())
        self._showing_uncertain = True

    # -- export ------------------------------------------------------------------------------
    def _on_export_clicked(self) -> None:
        if self.project is None:
            return
        start = str(self.project.path.with_suffix(".csv").with_name(self.project.path.stem + "-predictions.csv"))
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export predictions"), start, self.tr("CSV (*.csv);;Excel (*.xlsx);;Parquet (*.parquet)")
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> Job | None:
        """Write every project row, its current label and source, and the run's predictions to ``path`` (worker thread)."""
        project, run = self.project, self.run
        if project is None or run is None or self.job is not None:
            return None
        run_id = run.id

        def work(*, on_progress: Any, cancel: Any) -> Any:
            from bertdesk.core.usecases import export_project_predictions  # the same export as `bertdesk predict PROJECT --out`

            return export_project_predictions(project, project.predictions(run_id), path, on_progress=on_progress, cancel=cancel)

        job = self.jobs.start(
            "predict",
            work,
            title=self.tr("Exporting predictions"),
            on_progress=self._on_job_progressed,
            on_done=lambda target: self.status_message.emit(self.tr("Exported to {path}.").format(path=target)),
            on_cancelled=lambda: self.status_message.emit(self.tr("Export cancelled; no file was written.")),
            on_finished=self._on_job_finished,
        )
        self._update_enabled()
        return job

    # -- interaction -------------------------------------------------------------------------
    def _on_filters_changed(self) -> None:
        self._apply_filters()

    def _on_threshold_changed(self, value: float) -> None:
        self.accept_above_button.setText(self._accept_above_text(value))
        self._apply_filters()

    def _accept_above_text(self, percent: float) -> str:
        return self.tr("Accept all above {percent:.0f}%").format(percent=percent)

    def heightForWidth(self, _width: int) -> int:  # noqa: N802 - Qt override
        # The window's scroll area asks a page with word-wrapped labels (the Words tab, the
        # notes) for its height at this width and takes the *preferred* one: 799 px in a 732 px
        # viewport at 1280x800, which cut off the bottom buttons behind a scroll bar. Fit the
        # viewport instead; minimumSizeHint still decides when the window is really too small.
        return -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and self.table.currentIndex().isValid()
        ):
            self._on_table_double_clicked(self.table.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        """A double-click or Enter on a row: explain its text on the Attention panel."""
        if self.frame is None or not index.isValid():
            return
        row_id = int(self.model.data(index, ROW_ID_ROLE))
        self.explain_requested.emit(str(self.frame.at[row_id, views.TEXT]))

    def similar_source_row(self) -> int | None:
        """The row "Find Similar Rows" starts from: the table's current row, if any."""
        index = self.table.currentIndex()
        return int(self.model.row_id(index.row())) if self.frame is not None and index.isValid() else None

    def build_context_menu(self) -> QMenu:
        """The table's context menu: accept the selected predictions, find rows like the current one."""
        menu = QMenu(self)
        count = len(self.selected_row_ids()) if self.frame is not None else 0
        accept = menu.addAction(
            self.tr("Accept Prediction for 1 Selected Row")
            if count == 1
            else self.tr("Accept Prediction for {count:,} Selected Rows").format(count=count)
        )
        accept.setEnabled(count > 0)
        accept.triggered.connect(lambda checked=False: self.accept_selected())
        row = self.similar_source_row()
        similar = menu.addAction(
            self.tr("Find Similar Rows…") if row is None else self.tr("Find Rows Like Row {row:,}…").format(row=row + 1)
        )
        similar.setShortcut("Ctrl+Shift+F")  # shown in the menu; the window's action answers the key
        similar.setEnabled(row is not None)
        similar.triggered.connect(lambda checked=False: row is not None and self.similar_requested.emit(row))
        return menu

    def _show_context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.map.select(self.model.row_id(current.row()) if current.isValid() else None)

    def _on_confusion_cell_clicked(self, true_index: int, predicted_index: int) -> None:
        report = self.report
        if report is None:
            return
        ids = report.cells.get((true_index, predicted_index), [])
        true_name, predicted_name = report.classes[true_index], report.classes[predicted_index]
        self.filters.set_cell(
            ids, self.tr("Validation: {true} → {predicted} ({count})").format(true=true_name, predicted=predicted_name, count=len(ids))
        )

    def _on_map_point_clicked(self, row_id: int) -> None:
        self.select_row(row_id)

    def _on_map_point_hovered(self, row_id: int) -> None:
        if row_id < 0 or self.frame is None:
            self.views.hover_label.setText("")
            return
        text = str(self.frame.at[row_id, views.TEXT])
        self.views.hover_label.setText(self.tr("Row {row}: {text}").format(row=row_id + 1, text=text[:300]))

    def select_row(self, row_id: int) -> bool:
        """Select and scroll to ``row_id`` in the table (lifting filters that hide it)."""
        row = self.model.row_of(row_id)
        if row is None:
            self.filters.clear()
            row = self.model.row_of(row_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectRow(row)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.map.select(row_id)
        return True


def _unreadable_message(project: Project, model_dir: str) -> str:
    """The warning that ``model_dir`` cannot read much of the project's text, or "" (also when the
    model cannot be loaded: predicting says why itself)."""
    from bertdesk.core.ml.vocabulary_coverage import project_coverage

    try:
        return unreadable_warning(project_coverage(project, model_dir), project.text_column)
    except BertdeskError:
        return ""


def unreadable_warning(coverage: Coverage, column: str | None) -> str:
    """``coverage.message(column, fix=PREDICT_FIX)`` in the interface's language ("" when it does not warn)."""
    return unreadable_message(coverage, column, predict_fix()) or ""


def read_map(project: Project, run_id: int) -> tuple[StoredMap, str]:
    """Run ``run_id``'s stored map, or None and the line to show in its place (worker thread)."""
    try:
        stored = project.map(run_id)
    except BertdeskError as err:  # a damaged map: the predictions still show
        return None, str(err)
    return stored, MAP_HINT


def probability_names(frame: Any) -> list[str]:
    """Class names from a prediction frame's ``p_<class>`` columns."""
    return [str(c)[2:] for c in views.probability_columns(frame)]

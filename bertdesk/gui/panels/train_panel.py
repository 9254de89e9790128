"""Train panel: choose a model and settings, check the data, train with live curves, manage runs.

Training runs :func:`bertdesk.core.usecases.train_in_project` (the same use case as
``bertdesk train PROJECT``) on a job of the panel's :class:`~bertdesk.gui.jobs.JobRunner` (its own QThread): the run is
recorded in the project on the GUI thread when Start is pressed, so the history lists it at
once; the job reads the labelled rows, trains and records how the run ended. torch is imported
only inside jobs: the device list is found by a short job the first time the panel is shown.

The data summary follows the labels the project announces (bertdesk/gui/project_events.py),
whoever set them; while the panel is hidden it is only marked stale and rebuilt when shown
(it reads every labelled text to count truncation).

Keys: Esc cancels a running training while the panel has focus.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core import usecases
from bertdesk.core.errors import BertdeskError
from bertdesk.core.ml import training_runs
from bertdesk.core.ml.run_comparison import compare_run
from bertdesk.core.ml.training_config import DEFAULT_PRESET, PRESETS, PROJECT_SETTINGS_KEY, TrainConfig
from bertdesk.core.ml.training_metrics import ValidationScores
from bertdesk.core.progress import Progress
from bertdesk.core.project.navigation import suspects_left
from bertdesk.gui.dialogs.errors import build_error_box, error_message
from bertdesk.gui.jobs import JobKind, JobRunner
from bertdesk.gui.project_events import ProjectEvents, StaleWhileHidden
from bertdesk.gui.widgets.label_check import LabelCheckNotice
from bertdesk.gui.widgets.notices import STRONG_WARNING_STYLE
from bertdesk.gui.widgets.train_estimate import EstimateLabel, comparison_text, took_text
from bertdesk.gui.widgets.train_history import RunHistoryWidget, has_model, scores_text, status_text, verdict_text
from bertdesk.gui.widgets.train_plots import TrainPlots
from bertdesk.gui.widgets.train_progress import progress_text
from bertdesk.gui.widgets.train_settings import TrainSettingsWidget
from bertdesk.gui.widgets.train_summary import TrainSummaryWidget
from bertdesk.gui.widgets.train_truncation import TruncationLabel
from bertdesk.gui.workers import Job

if TYPE_CHECKING:
    from bertdesk.core.ml.time_estimate import TimeEstimate
    from bertdesk.core.ml.training import TrainResult
    from bertdesk.core.ml.training_data import TrainingData
    from bertdesk.core.project import Project
    from bertdesk.core.project.runs import RunRecord
    from bertdesk.core.usecases import TrainOutcome

OOM_HINT = "train on the cpu"


def _train_run(
    project: Project,
    config: TrainConfig,
    run: tuple[int, Path],
    *,
    processes: int = 1,
    estimate: TimeEstimate | None = None,
    on_progress: Any,
    cancel: Any,
) -> TrainOutcome:
    """The job, on the worker thread: read the labelled rows, train (torch loads here, or in
    ``processes`` torchrun processes), record how the run ended (with the time ``estimate``
    shown before Start beside the time it took)."""
    train = _train if processes <= 1 else functools.partial(_train_in_processes, processes=processes)
    return usecases.train_in_project(
        project, config, on_progress=on_progress, cancel=cancel, run=run, train=train, estimate=lambda _data: estimate
    )


def _train(data: TrainingData, config: TrainConfig, out_dir: Path, *, on_progress: Any, cancel: Any) -> TrainResult:
    """The training step of :func:`_train_run` (tests replace it)."""
    from bertdesk.core.ml.training import fine_tune

    return fine_tune(data, config, out_dir, on_progress=on_progress, cancel=cancel)


def _train_in_processes(
    data: TrainingData, config: TrainConfig, out_dir: Path, *, processes: int, on_progress: Any, cancel: Any
) -> TrainResult:
    """The training step on all GPUs: a torchrun child process whose rank 0 reports progress
    and the result as JSON lines (same reports, same result as :func:`_train`)."""
    from bertdesk.core.ml.distributed import train_in_child

    return train_in_child(data, config, out_dir, processes=processes, on_progress=on_progress, cancel=cancel)


def _find_devices(*, on_progress: Any, cancel: Any) -> list[Any]:
    from bertdesk.core.ml.devices import available_devices

    return available_devices()


# The project setting that remembers the Train panel's settings for that project (the label
# review reads the chosen model from it too).
SETTINGS_KEY = PROJECT_SETTINGS_KEY


class TrainPanel(QWidget):
    """Fine-tune a classifier on the project's labelled rows and keep track of the runs."""

    active_run_changed = Signal(object)  # RunRecord or None: this panel made another run active
    training_changed = Signal(bool)
    status_message = Signal(str)
    review_requested = Signal()  # the user wants to check / review the labels (Label panel)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.job: Job | None = None
        self.jobs = JobRunner(self, show_line=lambda line: self.progress_label.setText(line))
        self._run_project: Project | None = None
        self._run_id: int | None = None
        self._out_dir: Path | None = None
        self._device_job: Job | None = None
        self._devices: list[Any] | None = None
        self._error_box: QMessageBox | None = None
        self._cancelling = False
        self._succeeded = False
        self._live_run_id: int | None = None  # the run whose curves were plotted live
        self.events = ProjectEvents(self)
        self._stale = StaleWhileHidden(self)
        self.events.labels_changed.connect(lambda _message: self._stale.run("summary", self.refresh))
        self.events.label_set_changed.connect(lambda _message: self._stale.run("summary", self.refresh))
        self.events.label_review_changed.connect(lambda: self._stale.run("label check", self._show_label_check))

        # -- left: settings, data, start/cancel -----------------------------------------------
        self.settings = TrainSettingsWidget()
        self.settings.changed.connect(lambda: self.isVisible() and self._check_truncation())
        self.summary = TrainSummaryWidget()
        self.start_button = QPushButton(self.tr("Start training"))
        self.start_button.setDefault(True)
        self.start_button.setToolTip(self.tr("Fine-tune the model on the labelled rows (runs in the background)."))
        self.start_button.clicked.connect(self.start_training)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop training (Esc). A model evaluated at least once is kept."))
        self.cancel_button.clicked.connect(self.cancel_training)
        settings_box = QGroupBox(self.tr("Settings"))
        QVBoxLayout(settings_box).addWidget(self.settings)
        self.truncation = TruncationLabel()
        self.truncation.max_length_chosen.connect(self.settings.max_length_spin.setValue)  # the one-click fix
        data_box = QGroupBox(self.tr("Data"))
        data_layout = QVBoxLayout(data_box)
        data_layout.addWidget(self.summary)
        data_layout.addWidget(self.truncation)
        self.label_check = LabelCheckNotice()
        self.label_check.review_requested.connect(self.review_requested.emit)
        data_layout.addWidget(self.label_check)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button, 1)
        buttons.addWidget(self.cancel_button)
        # How long Start will take here: found in the background as settings and labels change.
        self.estimate_label = EstimateLabel()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(settings_box)
        left_layout.addWidget(data_box)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.estimate_label)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(340)

        # -- right: progress, curves, history ---------------------------------------------------
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(False)  # shown while training
        self.progress_label = QLabel(self.tr("Ready."))
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_label.setWordWrap(True)
        # After a run that does not beat always answering the commonest label: said plainly.
        self.verdict_label = QLabel()
        self.verdict_label.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setStyleSheet(STRONG_WARNING_STYLE)
        self.verdict_label.hide()
        # After a run: how it compares with the earlier ones, and its time against the estimate.
        self.comparison_label = QLabel()
        self.comparison_label.setTextFormat(Qt.TextFormat.PlainText)
        self.comparison_label.setWordWrap(True)
        self.comparison_label.hide()
        self.plots_title = QLabel("")
        self.plots_title.setTextFormat(Qt.TextFormat.PlainText)
        self.plots_title.setStyleSheet("font-weight: bold;")
        self.plots = TrainPlots()
        self.history = RunHistoryWidget()
        self.history.use_requested.connect(self._on_history_use_requested)
        self.history.delete_requested.connect(self._on_history_delete_requested)
        self.history.open_requested.connect(self._on_history_open_requested)
        self.history.details_requested.connect(self._on_history_details_requested)
        self.history.selection_changed.connect(self._on_history_selection_changed)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.progress_bar)
        top_layout.addWidget(self.progress_label)
        top_layout.addWidget(self.verdict_label)
        top_layout.addWidget(self.comparison_label)
        top_layout.addWidget(self.plots_title)
        top_layout.addWidget(self.plots, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.history)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setChildrenCollapsible(False)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([370, 830])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        # Esc: no shortcut of its own (it made Esc ambiguous with the window's Cancel Job, and
        # then neither fired); the window's Esc asks cancel_work(), and keyPressEvent serves a
        # panel shown on its own.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.refresh()

    # -- public API ----------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Show ``project`` (None: nothing open). A training of another project is cancelled."""
        if project is not self.project:
            self._remember_settings(self.project)
            if project is not None:
                self._restore_settings(project)
            if self.job is not None and self._run_project is not project:
                self.cancel_training()
            if project is not None and not (self.job is not None and self._run_project is project):
                note = training_runs.clean_leftovers(project).describe()  # runs and folders of killed processes
                if note:
                    self.status_message.emit(note)
        self._stale.forget()
        if project is not self.project:
            self.comparison_label.hide()
        self.events.set_project(project)
        self.project = project
        self.refresh()
        self._show_runs()

    def _remember_settings(self, project: Project | None) -> None:
        """Keep the settings shown with ``project``, so reopening it shows them again."""
        if project is None or project.closed:
            return
        try:
            config = self.settings.config()
            project.set_setting(SETTINGS_KEY, json.dumps(config.to_dict()))
        except BertdeskError:  # an unreadable field, or a project that cannot be written: keep what was stored
            return

    def _restore_settings(self, project: Project) -> None:
        """Show the settings last used with ``project`` (the default preset when there are none)."""
        config = PRESETS[DEFAULT_PRESET]
        try:
            raw = project.get_setting(SETTINGS_KEY)
            if raw:
                config = TrainConfig.from_dict(json.loads(raw)).validate()
        except (BertdeskError, ValueError, TypeError):  # damaged or from another version: the defaults
            config = PRESETS[DEFAULT_PRESET]
        self.settings.restore(config)

    def refresh(self) -> None:
        """Labels changed elsewhere: update the data summary and whether Start is possible."""
        shown = self.project if self.project is not None and not self.project.closed else None
        self.summary.show_project(shown)
        self._update_buttons()
        self._show_label_check()
        if self.isVisible():  # counting reads every labelled text: only when someone looks
            self._check_truncation()

    def _show_label_check(self) -> None:
        """What the latest label review found, and the offer to check or review the labels."""
        project = self.project if self.project is not None and not self.project.closed else None
        self.label_check.setVisible(project is not None and project.labelled_count > 0)
        if project is None:
            return
        review = project.label_review()
        self.label_check.show_review(review, open_count=len(suspects_left(project)) if review is not None else 0)

    def _check_truncation(self) -> None:
        project = self.project if self.project is not None and not self.project.closed else None
        try:
            config = self.settings.config()
        except BertdeskError:  # an unreadable field: Start says so when pressed
            project = None
        if project is None or self.summary.reason:  # or no usable labels yet: the summary says so
            self.truncation.check("", None, 0)
            self.estimate_label.check(None, None)
            return
        self.truncation.check(config.model, project, config.max_length)
        self._check_estimate()

    def _check_estimate(self) -> None:
        """Estimate how long Start would take (in the background, after a pause for more edits)."""
        project = self.project if self.project is not None and not self.project.closed else None
        try:
            config = self.settings.config().validate()
        except BertdeskError:  # an unreadable field: no estimate
            project = None
        if self.job is not None:  # the line keeps the estimate of the run under way
            self.estimate_label.stop()
            return
        if project is None or self.summary.reason:
            self.estimate_label.check(None, None)
            return
        self.estimate_label.check(config, project, self.settings.processes())

    def is_training(self) -> bool:
        return self.job is not None

    def start_training(self) -> None:
        """Check the data and settings, record the run and start training in the background."""
        if self.job is not None or self.project is None:
            return
        project = self.project
        try:
            config = self.settings.config().validate()
            run_id, out_dir = training_runs.begin_run(project, config)
        except BertdeskError as err:
            self._show_error(self.tr("Cannot start training"), err)
            return
        self._remember_settings(project)
        self._run_project, self._run_id, self._out_dir = project, run_id, out_dir
        self._cancelling = self._succeeded = False
        self.plots.clear()
        self.plots_title.setText(self.tr("Run {run} (training)").format(run=run_id))
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setTextVisible(True)
        self.progress_label.setText(self.tr("Starting…"))
        self.verdict_label.hide()
        self.comparison_label.hide()
        estimate = self.estimate_label.estimate  # None while it is still being found
        self.estimate_label.stop()  # a calibration would slow the training down
        self.job = self.jobs.start(
            "train",
            functools.partial(_train_run, project, config, (run_id, out_dir), processes=self.settings.processes(), estimate=estimate),
            title=self.tr("Training"),
            on_progress=self._on_job_progressed,
            on_done=self._on_job_succeeded,
            on_failed=self._on_job_failed,
            show_failure=False,  # its own box offers "Train on CPU"
            on_cancelled=self._on_job_cancelled,
            on_finished=self._on_job_finished,
        )
        self._live_run_id = run_id
        self._show_runs()
        self.history.select_run(run_id)
        self._update_buttons()
        self.training_changed.emit(True)
        self.status_message.emit(
            self.tr("Training run {run} on {rows} labelled rows…").format(run=run_id, rows=sum(self.summary.counts.values()))
        )

    def cancel_training(self) -> None:
        """Ask the running training to stop (answered within a step)."""
        if self.job is None or self._cancelling:
            return
        self._cancelling = True
        self.job.cancel()
        self.progress_label.setText(self.tr("Cancelling…"))
        self.status_message.emit(self.tr("Cancelling training…"))
        self._update_buttons()

    def cancel_work(self) -> bool:
        """Esc: stop the training (or another job of this panel); True when there was one."""
        if self.job is not None:
            self.cancel_training()
            return True
        return self.jobs.cancel()

    # -- Qt overrides ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Escape and self.cancel_work():
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._find_devices()
        if self._stale.stale:
            self._stale.flush()  # labels changed while the panel was hidden: refresh() counts truncation too
        else:
            self._check_truncation()

    # -- devices ---------------------------------------------------------------------------------
    def _find_devices(self) -> None:
        if self._devices is not None or self._device_job is not None:
            return
        # A failure is no error for the user: the CPU is always there (see _on_devices_failed).
        self._device_job = self.jobs.start(
            "devices",
            _find_devices,
            kind=JobKind.BACKGROUND,
            cancellable=False,
            on_done=self._on_devices_found,
            on_failed=self._on_devices_failed,
            show_failure=False,
        )

    def _on_devices_found(self, devices: list[Any]) -> None:
        self._devices = list(devices)
        self.settings.set_devices(self._devices)

    def _on_devices_failed(self, err: BaseException) -> None:
        from bertdesk.core.ml.devices import cpu_device  # torch-free

        self._devices = [cpu_device()]
        self.settings.set_devices(self._devices)
        self.status_message.emit(self.tr("Could not list GPUs ({error}); training will use the CPU.").format(error=err))

    # -- job slots ----------------------------------------------------------------------------
    def _on_job_progressed(self, progress: Progress) -> None:
        if progress.metrics:
            self.plots.add_point(progress.metrics)
        if progress.total > 0:
            self.progress_bar.setRange(0, progress.total)
            self.progress_bar.setValue(min(progress.done, progress.total))
        else:
            self.progress_bar.setRange(0, 0)
        if progress.message and not self._cancelling:
            message = progress_text(progress.message)
            self.progress_label.setText(message)
            self.status_message.emit(message)

    def _on_job_succeeded(self, outcome: TrainOutcome) -> None:
        # The job has recorded the run (finished, or cancelled with its best model kept).
        project, run_id = self._run_project, self._run_id
        if project is None or run_id is None or project.closed:
            return
        self._succeeded = not outcome.cancelled
        scores = ValidationScores.from_dict(outcome.result.metrics.get("validation"))
        score_text = scores_text(scores)
        verdict = verdict_text(scores)
        self.verdict_label.setText(f"⚠ {verdict}" if verdict else "")
        self.verdict_label.setVisible(bool(verdict))
        if outcome.cancelled:
            message = self.tr("Training run {run} cancelled; kept the best model so far ({scores}).").format(run=run_id, scores=score_text)
        else:
            message = self.tr("Training run {run} finished: {scores}.").format(run=run_id, scores=score_text)
        self.progress_label.setText(message)
        self.status_message.emit(message)
        self._show_comparison(project, run_id, outcome.result.metrics)
        if project is self.project and outcome.activated:
            self.active_run_changed.emit(project.active_run())

    def _show_comparison(self, project: Project, run_id: int, metrics: dict[str, Any]) -> None:
        """How run ``run_id`` compares with the project's earlier runs, and its time against the estimate."""
        comparison = compare_run(project.runs(), run_id)
        lines = [line for line in (comparison_text(comparison) if comparison else None, took_text(metrics)) if line]
        self.comparison_label.setText("\n".join(lines))
        self.comparison_label.setVisible(bool(lines))

    def _on_job_failed(self, err: BaseException) -> None:
        # The job has recorded the run as failed, with the message.
        self.progress_label.setText(self.tr("Training failed: {error}").format(error=error_message(err)[0]))
        self.status_message.emit(self.tr("Training failed."))
        self._show_error(self.tr("Training failed"), err, offer_cpu=OOM_HINT in str(err).lower())

    def _on_job_cancelled(self) -> None:
        # The job has recorded the run as cancelled.
        message = self.tr("Training run {run} cancelled before the first evaluation; no model was saved.").format(run=self._run_id)
        self.progress_label.setText(message)
        self.status_message.emit(message)

    def _on_job_finished(self) -> None:
        ended = self._run_id if self._run_project is self.project else None
        self.job = None
        self._run_project = self._run_id = self._out_dir = None
        self._live_run_id = ended
        self._cancelling = False
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(1 if self._succeeded else 0)
        self.progress_bar.setTextVisible(False)
        self._show_runs()
        if ended is not None:
            self.history.select_run(ended)  # the run just watched, not an older one
        self._update_buttons()
        self.training_changed.emit(False)
        if self.isVisible():  # the run just measured this machine's speed: a better estimate
            self._check_estimate()

    # -- run history ------------------------------------------------------------------------------
    def _show_runs(self) -> None:
        runs = self.project.runs() if self.project is not None and not self.project.closed else []
        running = self._run_id if self._run_project is self.project else None
        self.history.set_runs(runs, running)
        if not runs:
            self._on_history_selection_changed(None)

    def _run(self, run_id: int) -> RunRecord | None:
        return next((r for r in self.history.runs() if r.id == run_id), None)

    def _on_history_selection_changed(self, run: RunRecord | None) -> None:
        if self.job is not None and self._run_project is self.project:
            return  # the plots show the live run
        if run is None:
            self.plots.clear()
            self.plots_title.setText(self.tr("No training runs yet.") if self.project is not None else "")
            return
        history = (run.metrics or {}).get("history")
        if history or run.id != self._live_run_id:  # a run that saved nothing keeps its live curves
            self.plots.set_history(history)
        title = self.tr("Run {run} ({status})").format(run=run.id, status=status_text(run.status))
        self.plots_title.setText(title + ("  " + self.tr("★ active") if run.is_active else ""))

    def _on_history_use_requested(self, run_id: int) -> None:
        run = self._run(run_id)
        if self.project is None or run is None or not has_model(run):
            return
        self.project.set_active_run(run_id)
        self._show_runs()
        self.status_message.emit(self.tr("Predictions now use the model of run {run}.").format(run=run_id))
        self.active_run_changed.emit(self.project.active_run())

    def _on_history_delete_requested(self, run_id: int) -> None:
        run = self._run(run_id)
        if self.project is None or run is None or run_id == self._run_id:
            return
        where = ""
        if run.model_dir and Path(run.model_dir).exists():
            where = "\n\n" + self.tr("Its model folder will be deleted:") + f"\n{run.model_dir}"
        active = (
            "\n\n" + self.tr("It is the active model: predictions will have no model until you choose another.") if run.is_active else ""
        )
        answer = QMessageBox.question(
            self,
            self.tr("Delete run"),
            self.tr("Delete training run {run}?").format(run=run_id) + where + active,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            training_runs.delete_run(self.project, run_id)
        except BertdeskError as err:
            self._show_error(self.tr("Could not delete the run"), err)
            return
        self._show_runs()
        self.status_message.emit(self.tr("Deleted training run {run}.").format(run=run_id))
        if run.is_active:
            self.active_run_changed.emit(self.project.active_run())

    def _on_history_open_requested(self, run_id: int) -> None:
        run = self._run(run_id)
        if run is not None and run.model_dir and Path(run.model_dir).is_dir():
            QDesktopServices.openUrl(QUrl.fromLocalFile(run.model_dir))

    def _on_history_details_requested(self, run_id: int) -> None:
        from bertdesk.gui.dialogs.run_details_dialog import RunDetailsDialog

        run = self._run(run_id)
        if run is None:
            return
        dialog = RunDetailsDialog(run, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.details_dialog = dialog
        dialog.open()

    # -- helpers ----------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        training = self.job is not None
        reason = self.summary.reason
        self.start_button.setEnabled(not training and self.project is not None and not reason)
        self.start_button.setToolTip(reason or self.tr("Fine-tune the model on the labelled rows (runs in the background)."))
        self.cancel_button.setEnabled(training and not self._cancelling)
        self.settings.setEnabled(not training)

    def _show_error(self, title: str, err: BaseException, *, offer_cpu: bool = False) -> None:
        """A non-blocking error box; for out-of-memory, a "Train on CPU" button retries on the CPU."""
        box = build_error_box(self, title, err)
        if offer_cpu:
            cpu_button = box.addButton(self.tr("Train on CPU"), QMessageBox.ButtonRole.AcceptRole)

            def retry(button: Any) -> None:
                if button is cpu_button:
                    if not self.settings.select_device("cpu"):
                        self.settings.device_combo.addItem("CPU", "cpu")
                        self.settings.select_device("cpu")
                    self.start_training()

            box.buttonClicked.connect(retry)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._error_box = box
        box.open()

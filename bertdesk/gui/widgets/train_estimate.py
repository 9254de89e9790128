"""The Train panel's word on time and quality: how long a run will take, and how the last one did.

Before Start, :class:`EstimateLabel` says how long training should take on this machine
(:mod:`bertdesk.core.ml.speed_calibration`: the measured speed of an earlier run, else a short
calibration measured once and cached in the project). Finding it reads the labelled texts,
loads the tokenizer and may train a few steps, so it is a background job, debounced while the
user edits the settings like the truncation count (bertdesk/gui/widgets/train_truncation.py);
a newer request cancels an older one and drops its answer.

After a run, :func:`comparison_text` and :func:`took_text` say how it compares with the
project's earlier runs (:mod:`bertdesk.core.ml.run_comparison`) and how long it took against
the estimate. Core's lines (``TimeEstimate.describe``, ``RunComparison.describe``) are shared
with the CLI and stay English; these build the same words from their fields, translatable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from bertdesk.gui.jobs import JobKind, JobRunner
from bertdesk.gui.widgets.train_history import format_duration

if TYPE_CHECKING:
    from bertdesk.core.ml.run_comparison import RunComparison
    from bertdesk.core.ml.time_estimate import TimeEstimate
    from bertdesk.core.ml.training_config import TrainConfig
    from bertdesk.core.progress import Progress
    from bertdesk.core.project import Project

DEBOUNCE_MS = 600
QUIET_STYLE = "QLabel { color: #555; }"


def _estimate(config: TrainConfig, project: Project, processes: int, *, on_progress: Any, cancel: Any) -> TimeEstimate | None:
    from bertdesk.core.ml.speed_calibration import estimate_training_time
    from bertdesk.core.ml.training_data import data_from_project

    texts = data_from_project(project).texts  # reads every labelled text: off the GUI thread
    cancel.raise_if_cancelled()
    return estimate_training_time(config, texts, project=project, processes=processes, on_progress=on_progress, cancel=cancel)


def estimate_text(result: TimeEstimate) -> str:
    """:meth:`TimeEstimate.describe` in the interface language (the same words in English)."""
    from bertdesk.core.ml.time_estimate import rounded_seconds

    duration = format_duration(rounded_seconds(result.seconds))
    speed = result.speed.tokens_per_second
    if result.speed.source == "run":
        measured = QCoreApplication.translate("EstimateLabel", "measured speed: {speed:,.0f} tokens/s in run {run}").format(
            speed=speed, run=result.speed.run_id
        )
    else:
        measured = QCoreApplication.translate("EstimateLabel", "measured speed: {speed:,.0f} tokens/s in a short calibration").format(
            speed=speed
        )
    gpu = result.device_kind in ("cuda", "mps")
    if result.at_most and gpu:
        return QCoreApplication.translate(
            "EstimateLabel", "Estimated time: at most about {duration} on this GPU, less if early stopping ends it sooner ({measured})"
        ).format(duration=duration, measured=measured)
    if result.at_most:
        return QCoreApplication.translate(
            "EstimateLabel", "Estimated time: at most about {duration} on this CPU, less if early stopping ends it sooner ({measured})"
        ).format(duration=duration, measured=measured)
    if gpu:
        return QCoreApplication.translate("EstimateLabel", "Estimated time: about {duration} on this GPU ({measured})").format(
            duration=duration, measured=measured
        )
    return QCoreApplication.translate("EstimateLabel", "Estimated time: about {duration} on this CPU ({measured})").format(
        duration=duration, measured=measured
    )


def comparison_text(comparison: RunComparison) -> str:
    """:meth:`RunComparison.describe` in the interface language (the same words in English)."""
    if comparison.previous_id is None:
        against = QCoreApplication.translate("EstimateLabel", "first finished run")
    elif comparison.best_so_far:
        against = QCoreApplication.translate("EstimateLabel", "{change:+.2f} vs run {previous}, best so far").format(
            change=comparison.change, previous=comparison.previous_id
        )
    else:
        against = QCoreApplication.translate("EstimateLabel", "{change:+.2f} vs run {previous}; best: {best:.2f} in run {best_run}").format(
            change=comparison.change, previous=comparison.previous_id, best=comparison.best_macro_f1, best_run=comparison.best_id
        )
    line = QCoreApplication.translate("EstimateLabel", "Run {run}: macro-F1 {f1:.2f} ({against})").format(
        run=comparison.run_id, f1=comparison.macro_f1, against=against
    )
    if comparison.weakest_label is not None and comparison.weakest_f1 is not None:
        change = comparison.weakest_change
        if change is None:
            weakest = QCoreApplication.translate("EstimateLabel", "weakest label: {label} {f1:.2f}").format(
                label=comparison.weakest_label, f1=comparison.weakest_f1
            )
        else:
            weakest = QCoreApplication.translate("EstimateLabel", "weakest label: {label} {f1:.2f} ({change:+.2f})").format(
                label=comparison.weakest_label, f1=comparison.weakest_f1, change=change
            )
        line += " · " + weakest
    return line


def took_text(metrics: dict[str, Any]) -> str | None:
    """``Took 2m 10s (estimated: about 3m 00s).`` from a run's metrics; None without a time."""
    wall = metrics.get("wall_seconds")
    if not isinstance(wall, (int, float)):
        return None
    record = metrics.get("time_estimate")
    estimated = record.get("estimated_seconds") if isinstance(record, dict) else None
    if not isinstance(estimated, (int, float)):
        return QCoreApplication.translate("EstimateLabel", "Took {actual}.").format(actual=format_duration(wall))
    from bertdesk.core.ml.time_estimate import rounded_seconds

    actual, guess = format_duration(wall), format_duration(rounded_seconds(float(estimated)))
    if record.get("at_most"):
        return QCoreApplication.translate("EstimateLabel", "Took {actual} (estimated: at most about {estimated}).").format(
            actual=actual, estimated=guess
        )
    return QCoreApplication.translate("EstimateLabel", "Took {actual} (estimated: about {estimated}).").format(
        actual=actual, estimated=guess
    )


class EstimateLabel(QLabel):
    """'Estimated time: about 3m 00s on this CPU (measured speed: 410 tokens/s in run 2)', found
    in the background; :attr:`estimate` is the latest answer (None while unknown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setStyleSheet(QUIET_STYLE)
        self.setToolTip(
            self.tr(
                "From the speed measured on this computer: an earlier run of this model, or a few training steps "
                "measured once. Early stopping can end training sooner."
            )
        )
        self.estimate: TimeEstimate | None = None
        self.jobs = JobRunner(self)
        self._pending: tuple[TrainConfig, Project, int] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)

    def check(self, config: TrainConfig | None, project: Project | None, processes: int = 1) -> None:
        """Estimate (after a short pause for more edits) how long training ``config`` on
        ``project``'s labelled rows takes; ``None`` clears the line."""
        self.estimate = None
        if config is None or project is None:
            self._pending = None
            self._timer.stop()
            self.jobs.cancel()
            self.setText("")
            return
        self._pending = (config, project, processes)
        self._timer.start()

    def stop(self) -> None:
        """Drop a pending or running estimate (training is starting); the line keeps what it says."""
        self._pending = None
        self._timer.stop()
        if self.jobs.busy():
            self.jobs.cancel()
            if self.estimate is None:
                self.setText("")

    def _start(self) -> None:
        if self._pending is None:
            return
        config, project, processes = self._pending
        self._pending = None
        self.setText(self.tr("Estimating the training time…"))
        # Background: a hint, nobody's work. One that fails only leaves the line empty.
        self.jobs.start(
            "estimate",
            lambda on_progress, cancel: _estimate(config, project, processes, on_progress=on_progress, cancel=cancel),
            kind=JobKind.BACKGROUND,
            on_progress=self._on_progress,
            on_done=self._show,
            on_failed=self._on_failed,
            show_failure=False,
        )

    def _on_progress(self, progress: Progress) -> None:
        from bertdesk.core.ml.speed_calibration import MEASURING

        if progress.message == MEASURING:
            self.setText(self.tr("Estimated time: measuring speed…"))

    def _show(self, result: TimeEstimate | None) -> None:
        self.estimate = result
        self.setText(estimate_text(result) if result is not None else "")

    def _on_failed(self, _err: BaseException) -> None:
        self.estimate = None
        self.setText("")

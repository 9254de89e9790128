"""What a user does, end to end, shared by the GUI and the CLI.

:func:`train_in_project` is "train a model on a project's labelled rows": the Train panel runs it
on its worker thread and ``bertdesk train PROJECT`` runs it in the foreground, so the run's
record (running -> finished / cancelled / failed), which model becomes active and what a
cancel keeps cannot drift apart between the two. :func:`export_project_predictions` is "export
the project with a run's predictions" for the Predict panel and ``bertdesk predict PROJECT
--out``. Predicting a project is :func:`bertdesk.core.ml.project_prediction.predict_project`,
already shared.

torch loads only inside :func:`~bertdesk.core.ml.training.fine_tune`, so importing this module stays
cheap.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bertdesk.core.errors import Cancelled, ProjectError
from bertdesk.core.ml.time_estimate import record_actual
from bertdesk.core.ml.training_data import data_from_project
from bertdesk.core.ml.training_runs import begin_run, clean_leftovers, fail_run, finish_run
from bertdesk.core.progress import no_progress
from bertdesk.core.project.runs import RunStatus

if TYPE_CHECKING:
    import pandas as pd

    from bertdesk.core.ml.time_estimate import TimeEstimate
    from bertdesk.core.ml.training import TrainResult
    from bertdesk.core.ml.training_config import TrainConfig
    from bertdesk.core.ml.training_data import TrainingData
    from bertdesk.core.progress import CancelToken, ProgressCallback
    from bertdesk.core.project import Project
    from bertdesk.core.project.predictions import PredictionTable

# fine_tune's shape: (data, config, out_dir, *, on_progress, cancel) -> TrainResult.
Trainer = Callable[..., "TrainResult"]


@dataclass(frozen=True)
class TrainOutcome:
    """A training that produced a model (finished, or cancelled after an evaluation).

    A training that produced none raises instead: :class:`~bertdesk.core.errors.Cancelled`
    (recorded ``cancelled``) or the error that stopped it (recorded ``failed``).

    Attributes:
        run_id: the run recorded in the project.
        status: :attr:`RunStatus.FINISHED` or :attr:`RunStatus.CANCELLED` (best model kept).
        result: what :func:`~bertdesk.core.ml.training.fine_tune` returned (model folder, metrics).
        activated: whether the run's model became the project's active model.
        rows: how many labelled rows it trained and validated on.
    """

    run_id: int
    status: RunStatus
    result: TrainResult
    activated: bool
    rows: int

    @property
    def cancelled(self) -> bool:
        return self.status == RunStatus.CANCELLED


def train_in_project(
    project: Project | str | Path,
    config: TrainConfig,
    out_dir: Path | None = None,
    *,
    on_progress: ProgressCallback,
    cancel: CancelToken,
    overwrite: bool = False,
    run: tuple[int, Path] | None = None,
    on_data: Callable[[TrainingData], None] | None = None,
    train: Trainer | None = None,
    estimate: Callable[[TrainingData], TimeEstimate | None] | None = None,
) -> TrainOutcome:
    """Fine-tune on ``project``'s labelled rows and keep the run's record in step.

    Records the run as running (process id and host, see
    :func:`~bertdesk.core.ml.training_runs.begin_run`), reads the labelled rows, fine-tunes, then
    records the outcome: ``finished`` (the run becomes active), ``cancelled`` with the best model
    evaluated before the cancel (active only when the project has no active model, so a cancel
    never replaces a model the user chose), ``cancelled`` with no model (:class:`Cancelled`
    is re-raised), or ``failed`` with the error's message (the error is re-raised). Rows that
    cannot be trained on (no labels, one label...) raise before anything is trained and leave
    no run behind.

    Args:
        project: an open project, or the path of one (opened, cleaned of what killed runs left,
            and closed again).
        config: validated training settings.
        out_dir: the model folder; None: a new folder in the project's models folder.
        on_progress, cancel: as for :func:`~bertdesk.core.ml.training.fine_tune`.
        overwrite: replace a model bertdesk saved in ``out_dir``.
        run: ``(run_id, out_dir)`` from ``begin_run`` when the caller recorded the run already
            (the Train panel does, on the GUI thread, to list it the moment Start is pressed).
        on_data: called with the rows read, before training starts (the CLI prints the counts).
        train: stands in for ``fine_tune`` (same arguments); the Train panel's seam for tests.
        estimate: called with the rows read, before training: how long it should take (or
            None). Kept in the run's metrics beside the time it took (``time_estimate``);
            ``wall_seconds`` is recorded either way.
    """
    if isinstance(project, (str, os.PathLike)):
        from bertdesk.core.project import Project

        with Project.open(project) as opened:
            clean_leftovers(opened)
            return train_in_project(
                opened,
                config,
                out_dir,
                on_progress=on_progress,
                cancel=cancel,
                overwrite=overwrite,
                run=run,
                on_data=on_data,
                train=train,
                estimate=estimate,
            )
    run_id, model_dir = run if run is not None else begin_run(project, config, None if out_dir is None else Path(out_dir))
    try:
        data = data_from_project(project)
    except BaseException:
        # Nothing was trained: drop the record, as neither front end listed such a run before.
        _record(project, functools.partial(project.delete_run, run_id))
        raise
    if on_data is not None:
        on_data(data)
    predicted = estimate(data) if estimate is not None else None
    trainer = train if train is not None else _fine_tune(overwrite)
    started = time.monotonic()
    try:
        result = trainer(data, config, model_dir, on_progress=on_progress, cancel=cancel)
    except (Cancelled, KeyboardInterrupt):
        _record(project, functools.partial(fail_run, project, run_id, None))
        raise
    except BaseException as err:
        _record(project, functools.partial(fail_run, project, run_id, err))
        raise
    record_actual(result.metrics, time.monotonic() - started, predicted)
    # A cancelled run keeps its best model, but only becomes active when there is no other.
    activate = not result.cancelled or (not project.closed and project.active_run() is None)
    recorded = _record(project, functools.partial(finish_run, project, run_id, result, activate=activate))
    status = RunStatus.CANCELLED if result.cancelled else RunStatus.FINISHED
    return TrainOutcome(run_id, status, result, activate and recorded, len(data))


def export_project_predictions(
    project: Project,
    predictions: PredictionTable | None,
    path: str | os.PathLike[str],
    *,
    frame: pd.DataFrame | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """Write every row of ``project`` (original columns with their types), its current label and
    who set it, and ``predictions`` (blank where a row has none) to ``path``, atomically; return
    the file written. ``frame``: the project's snapshot when the caller has read it already."""
    from bertdesk.core.project.export_contents import project_export_frame
    from bertdesk.core.tables.writing import export_frame

    return export_frame(project_export_frame(project, predictions, frame), path, on_progress=on_progress, cancel=cancel)


def _fine_tune(overwrite: bool) -> Trainer:
    from bertdesk.core.ml.training import fine_tune

    return functools.partial(fine_tune, overwrite=overwrite) if overwrite else fine_tune


def _record(project: Project, write: Callable[[], object]) -> bool:
    """Write to the run's record unless the project was closed meanwhile (the GUI closes a
    project when another one opens; the run then stays ``running`` until its process is gone,
    when the next open marks it ``interrupted``). Returns whether it was written."""
    if project.closed:
        return False
    try:
        write()
    except ProjectError:
        if _closed(project):  # closed while writing (the window closed it)
            return False
        raise
    return True


def _closed(project: Project) -> bool:
    # A call, not the attribute: mypy would take ``project.closed`` as still False after the
    # check above, although ``write()`` may have closed it.
    return project.closed

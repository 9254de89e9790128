"""Predict the rows of a project with one of its runs, and keep the results with that run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from bertdesk.core.errors import ModelError, ProjectError
from bertdesk.core.inference import Predictions, Predictor, load_predictor, predict
from bertdesk.core.progress import CancelToken, ProgressCallback, no_progress

if TYPE_CHECKING:
    from bertdesk.core.project import Project, RunRecord

RowChoice = Literal["all", "unlabelled"]


@dataclass
class ProjectPredictions:
    """The outcome of :func:`predict_project`.

    Attributes:
        run_id: the run whose model predicted (and under which the results were stored).
        row_ids: int64[n], the rows predicted, ascending.
        predictions: per row, in ``row_ids`` order (embeddings included when asked for).
    """

    run_id: int
    row_ids: np.ndarray
    predictions: Predictions


def run_for(project: Project, run_id: int | None) -> RunRecord:
    """Run ``run_id``, or the active run.

    Raises:
        ProjectError: no such run, or no active run when none is named.
    """
    if run_id is None:
        run = project.active_run()
        if run is None:
            raise ProjectError(f"{project.path.name} has no active training run; train a model first.")
        return run
    for run in project.runs():
        if run.id == run_id:
            return run
    raise ProjectError(f"There is no training run {run_id} in {project.path.name}.")


def predict_project(
    project: Project,
    *,
    run_id: int | None = None,
    rows: RowChoice = "all",
    device: str = "auto",
    precision: str = "auto",
    batch_size: int | None = None,
    embeddings: bool = False,
    store: bool = True,
    predictor: Predictor | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> ProjectPredictions:
    """Predict ``rows`` ("all" or "unlabelled") of ``project`` with run ``run_id`` (default: active).

    With ``store``, the results are saved with the run in one transaction at the end, so a
    cancelled job leaves the earlier predictions untouched.

    Raises:
        ProjectError: no such run / no active run.
        ModelError: the run's model folder is missing or has no classification head.
        Cancelled: ``cancel`` was set.
    """
    run = run_for(project, run_id)
    if predictor is None:
        folder = Path(run.model_dir)
        if not folder.is_dir():
            raise ModelError(f"The model of run {run.id} is missing: no folder at {folder}.")
        predictor = load_predictor(str(folder), device=device, precision=precision)
    if rows == "unlabelled":
        labelled = project.labels()
        ids = np.fromiter((r for r in range(project.row_count) if r not in labelled), dtype=np.int64)
        texts = project.texts(ids.tolist())
    elif rows == "all":
        ids = np.arange(project.row_count, dtype=np.int64)
        texts = project.texts()
    else:
        raise ProjectError(f"Unknown row choice {rows!r}; use 'all' or 'unlabelled'.")
    result = predict(predictor, texts, on_progress=on_progress, cancel=cancel, batch_size=batch_size, embeddings=embeddings)
    if cancel is not None:
        cancel.raise_if_cancelled()
    if store and len(ids):
        project.store_predictions(
            run.id, ids, result.predicted_labels, result.confidence, result.probabilities, class_names=result.labels
        )
    return ProjectPredictions(run.id, ids, result)

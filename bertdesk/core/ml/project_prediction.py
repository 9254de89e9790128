"""Predict the rows of a project with one of its runs, and keep the results with that run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from bertdesk.core.errors import ModelError, ProjectError
from bertdesk.core.ml.inference import Predictions, Predictor, load_predictor, predict
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress

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
        project.store_predictions(run.id, ids, result.predicted_labels, result.confidence, result.probabilities, class_names=result.labels)
    return ProjectPredictions(run.id, ids, result)


MAP_ROWS = 20_000  # points on the embedding map: enough to see clusters, cheap to draw and hover


@dataclass
class MapPredictions:
    """:func:`predict_with_map`'s result: the predictions plus 2-D map coordinates of some rows."""

    result: ProjectPredictions
    map_row_ids: np.ndarray
    map_coords: np.ndarray


def predict_with_map(
    project: Project,
    *,
    run_id: int | None = None,
    rows: RowChoice = "all",
    map_rows: int = MAP_ROWS,
    method: str = "auto",
    device: str = "auto",
    precision: str = "auto",
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> MapPredictions:
    """Predict (and store) like :func:`predict_project`, and place up to ``map_rows`` rows on a 2-D map.

    Embeddings of every row of a big table would not fit in memory (a million rows x 384
    floats is 1.5 GB), so above ``map_rows`` an evenly spaced sample gets a second, small pass.
    ``method``: ``pca``, ``umap`` (when installed), or ``auto`` (UMAP when installed, else PCA).

    The map is stored with the run (``project.store_map``), replacing its earlier one, so it
    is drawn again after a restart without predicting again.
    """
    import importlib.util

    from bertdesk.core.project.prediction_analysis import project_2d

    run = run_for(project, run_id)
    folder = Path(run.model_dir)
    if not folder.is_dir():
        raise ModelError(f"The model of run {run.id} is missing: no folder at {folder}.")
    predictor = load_predictor(str(folder), device=device, precision=precision)
    n = project.row_count if rows == "all" else project.row_count - len(project.labels())
    small = n <= map_rows
    result = predict_project(
        project, run_id=run.id, rows=rows, embeddings=small, predictor=predictor, on_progress=on_progress, cancel=cancel
    )
    if small:
        ids = result.row_ids
        embeddings = result.predictions.embeddings
    else:
        ids = result.row_ids[np.linspace(0, len(result.row_ids) - 1, map_rows).astype(np.int64)]
        embeddings = predict(predictor, project.texts(ids.tolist()), embeddings=True, cancel=cancel).embeddings
        result.predictions.embeddings = None
    if method == "auto":
        method = "umap" if importlib.util.find_spec("umap") is not None else "pca"
    on_progress(Progress(0, 0, "Placing the rows on a 2-D map…"))
    coords = project_2d(embeddings if embeddings is not None else np.zeros((0, 2)), method=method)
    if cancel is not None:
        cancel.raise_if_cancelled()
    if len(ids):
        project.store_map(run.id, ids, coords)
    return MapPredictions(result, ids, coords)

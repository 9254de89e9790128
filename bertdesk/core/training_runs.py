"""Training runs in a project: where their models live and how a run's record follows the job.

The GUI records a run before the job starts (status ``running``), and finishes it on the GUI
thread when the job ends; a run left ``running`` by a crash or kill is marked ``interrupted``
the next time the project opens (:func:`mark_interrupted_runs`). Every run's model is kept
until the run is deleted.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertdesk.core.errors import BertdeskError

if TYPE_CHECKING:
    from bertdesk.core.project import Project
    from bertdesk.core.training import TrainResult
    from bertdesk.core.training_config import TrainConfig

RUNNING, FINISHED, CANCELLED, FAILED, INTERRUPTED = "running", "finished", "cancelled", "failed", "interrupted"


def models_folder(project: Project) -> Path:
    """``reviews.bertdesk`` keeps its models in ``reviews.models/`` beside it."""
    return project.path.with_name(project.path.stem + ".models")


def begin_run(project: Project, config: TrainConfig) -> tuple[int, Path]:
    """Record a new run as running and return its id and the folder its model will go to."""
    run_id = project.add_run(status=RUNNING, model_dir="", config=config.to_dict(), metrics={})
    out_dir = models_folder(project) / f"run-{run_id:03d}-{time.strftime('%Y%m%d-%H%M%S')}"
    project.update_run(run_id, model_dir=str(out_dir))
    return run_id, out_dir


def finish_run(project: Project, run_id: int, result: TrainResult, *, activate: bool = True) -> None:
    """Store the metrics; make the run active (the model the app predicts with)."""
    project.update_run(run_id, status=CANCELLED if result.cancelled else FINISHED, metrics=result.metrics, model_dir=str(result.model_dir))
    if activate:
        project.set_active_run(run_id)


def fail_run(project: Project, run_id: int, error: BaseException | None) -> None:
    """A run that produced no model: ``cancelled`` (error is None) or ``failed``."""
    metrics: dict[str, Any] = {}
    if error is not None:
        metrics["error"] = str(error) if isinstance(error, BertdeskError) else f"{type(error).__name__}: {error}"
    project.update_run(run_id, status=CANCELLED if error is None else FAILED, metrics=metrics)


def mark_interrupted_runs(project: Project) -> int:
    """Runs still ``running`` when a project opens were cut off by a crash or kill."""
    stale = [run for run in project.runs() if run.status == RUNNING]
    for run in stale:
        project.update_run(run.id, status=INTERRUPTED)
    return len(stale)


def delete_run(project: Project, run_id: int) -> None:
    """Remove the run, its predictions and its model folder (only a folder inside the project's models folder)."""
    run = next((r for r in project.runs() if r.id == run_id), None)
    project.delete_run(run_id)
    if run and run.model_dir:
        folder = Path(run.model_dir)
        root = models_folder(project).resolve()
        if folder.is_dir() and root in folder.resolve().parents:
            shutil.rmtree(folder, ignore_errors=True)

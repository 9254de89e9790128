"""Training runs in a project: where their models live and how a run's record follows the job.

The GUI and ``bertdesk train`` record a run before the job starts (status ``running``, with the
process id and host), and finish it when the job ends; a run left ``running`` by a process that
is gone is marked ``interrupted`` the next time the project opens (:func:`clean_leftovers`,
which also removes the half-written model folders and scratch folders such a process left).
A run whose process still lives, here or on another host, is never touched. Every run's model
is kept until the run is deleted.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertdesk.core.errors import BertdeskError
from bertdesk.core.leftovers import host_name, remove_dead_partials, remove_dead_trainer_folders, writer_is_gone
from bertdesk.core.project.runs import RunStatus

if TYPE_CHECKING:
    from bertdesk.core.ml.training import TrainResult
    from bertdesk.core.ml.training_config import TrainConfig
    from bertdesk.core.project import Project


def models_folder(project: Project) -> Path:
    """``reviews.bertdesk`` keeps its models in ``reviews.models/`` beside it."""
    return project.path.with_name(project.path.stem + ".models")


def begin_run(project: Project, config: TrainConfig, out_dir: Path | None = None) -> tuple[int, Path]:
    """Record a new run as running by this process and return its id and the folder its model
    will go to (``out_dir``, or a new one in the project's models folder)."""
    run_id = project.add_run(status=RunStatus.RUNNING, model_dir="", config=config.to_dict(), metrics={})
    if out_dir is None:
        out_dir = models_folder(project) / f"run-{run_id:03d}-{time.strftime('%Y%m%d-%H%M%S')}"
    project.update_run(run_id, model_dir=str(out_dir), pid=os.getpid(), host=host_name())
    return run_id, out_dir


def finish_run(project: Project, run_id: int, result: TrainResult, *, activate: bool = True) -> None:
    """Store the metrics; make the run active (the model the app predicts with)."""
    project.update_run(
        run_id,
        status=RunStatus.CANCELLED if result.cancelled else RunStatus.FINISHED,
        metrics=result.metrics,
        model_dir=str(result.model_dir),
    )
    if activate:
        project.set_active_run(run_id)


def fail_run(project: Project, run_id: int, error: BaseException | None) -> None:
    """A run that produced no model: ``cancelled`` (error is None) or ``failed``."""
    metrics: dict[str, Any] = {}
    if error is not None:
        metrics["error"] = str(error) if isinstance(error, BertdeskError) else f"{type(error).__name__}: {error}"
    project.update_run(run_id, status=RunStatus.CANCELLED if error is None else RunStatus.FAILED, metrics=metrics)


def mark_interrupted_runs(project: Project) -> int:
    """Mark ``interrupted`` the runs still ``running`` whose process is gone (cut off by a crash
    or kill); return how many. Runs recorded before processes were (format 1) count as gone:
    the project's lock means no other process has it open."""
    stale = [run for run in project.runs() if run.status == RunStatus.RUNNING and (run.pid is None or writer_is_gone(run.pid, run.host))]
    for run in stale:
        project.update_run(run.id, status=RunStatus.INTERRUPTED)
    return len(stale)


@dataclass
class Cleanup:
    """What :func:`clean_leftovers` found of killed runs."""

    interrupted_runs: int = 0
    removed: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        """One line for a person, or "" when there was nothing to clean."""
        parts = []
        if self.interrupted_runs:
            n = self.interrupted_runs
            parts.append(f"{n} training run{'s were' if n > 1 else ' was'} cut off last time; marked interrupted")
        if self.removed:
            n = len(self.removed)
            parts.append(
                f"removed {n} unfinished folder{'s' if n > 1 else ''} left by {'them' if self.interrupted_runs else 'killed runs'}"
            )
        return ("; ".join(parts) + ".") if parts else ""


def clean_leftovers(project: Project) -> Cleanup:
    """When a project opens: mark runs of dead processes interrupted and remove what such
    processes left (half-written model folders beside the project's models, scratch folders in
    the temp dir). Only folders carrying bertdesk's writer marker of a dead process on this host
    are removed."""
    cleanup = Cleanup(mark_interrupted_runs(project))
    folders = {models_folder(project)} | {Path(run.model_dir).parent for run in project.runs() if run.model_dir}
    for folder in sorted(folders):
        cleanup.removed += remove_dead_partials(folder)
    cleanup.removed += remove_dead_trainer_folders()
    return cleanup


def delete_run(project: Project, run_id: int) -> None:
    """Remove the run, its predictions and its model folder (only a folder inside the project's models folder)."""
    run = next((r for r in project.runs() if r.id == run_id), None)
    project.delete_run(run_id)
    if run and run.model_dir:
        folder = Path(run.model_dir)
        root = models_folder(project).resolve()
        if folder.is_dir() and root in folder.resolve().parents:
            shutil.rmtree(folder, ignore_errors=True)

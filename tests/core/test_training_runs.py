"""Run bookkeeping: a run follows its job, stale runs are marked, deleting a run removes its model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.errors import TrainingError
from bertdesk.core.ml.training import TrainResult
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_runs import begin_run, delete_run, fail_run, finish_run, mark_interrupted_runs, models_folder
from bertdesk.core.project import Project


@pytest.fixture
def project(tmp_path: Path):
    p = Project.create(
        tmp_path / "reviews.bertdesk", pd.DataFrame({"text": ["a", "b"], "label": ["x", "y"]}), text_column="text", label_column="label"
    )
    yield p
    p.close()


def test_a_run_goes_from_running_to_finished_and_active(project: Project) -> None:
    run_id, out_dir = begin_run(project, TrainConfig(epochs=3))
    assert out_dir.parent == models_folder(project) == project.path.with_name("reviews.models")
    (run,) = project.runs()
    assert run.status == "running" and run.config["epochs"] == 3 and run.model_dir == str(out_dir)
    finish_run(project, run_id, TrainResult(out_dir, {"validation": {"macro_f1": 0.9}}))
    (run,) = project.runs()
    assert run.status == "finished" and run.is_active and run.metrics["validation"]["macro_f1"] == 0.9


def test_failed_and_cancelled_runs_keep_the_reason(project: Project) -> None:
    failed, _ = begin_run(project, TrainConfig())
    cancelled, _ = begin_run(project, TrainConfig())
    fail_run(project, failed, TrainingError("The GPU ran out of memory."))
    fail_run(project, cancelled, None)
    runs = {r.id: r for r in project.runs()}
    assert runs[failed].status == "failed" and runs[failed].metrics["error"] == "The GPU ran out of memory."
    assert runs[cancelled].status == "cancelled" and not runs[cancelled].is_active


def test_runs_left_running_by_a_crash_are_marked_interrupted(project: Project) -> None:
    crashed, _ = begin_run(project, TrainConfig())
    project.update_run(crashed, pid=999999999)  # its process is gone
    assert mark_interrupted_runs(project) == 1
    assert [r.status for r in project.runs()] == ["interrupted"]
    assert mark_interrupted_runs(project) == 0


def test_deleting_a_run_removes_its_model_folder_only_inside_the_models_folder(project: Project, tmp_path: Path) -> None:
    run_id, out_dir = begin_run(project, TrainConfig())
    out_dir.mkdir(parents=True)
    (out_dir / "model.safetensors").write_bytes(b"x")
    elsewhere = tmp_path / "my-model"
    elsewhere.mkdir()
    other = project.add_run(status="finished", model_dir=str(elsewhere), config={}, metrics={})
    delete_run(project, run_id)
    delete_run(project, other)
    assert not out_dir.exists() and elsewhere.is_dir()  # a model saved elsewhere (CLI --out) is the user's
    assert project.runs() == []

"""Training inside a project, the one use case the Train panel and ``bertdesk train PROJECT`` share.

Most tests train the tiny random BERT for real; the ones about failures stand in a fake for
``fine_tune`` (the ``train`` seam) so that they can fail in a known way.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.cli import main
from bertdesk.core import usecases
from bertdesk.core.errors import Cancelled, TrainingError
from bertdesk.core.ml.training import PARTIAL_MARK, TrainResult
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_metrics import ValidationPoint, ValidationScores
from bertdesk.core.ml.training_runs import begin_run, finish_run, models_folder
from bertdesk.core.progress import CancelToken, Progress
from bertdesk.core.project import Project
from bertdesk.core.project.runs import RunStatus
from bertdesk.core.usecases import train_in_project
from tests.tiny_model import tiny_texts


@pytest.fixture
def project(tmp_path: Path):
    texts, labels = tiny_texts(40)
    p = Project.create(
        tmp_path / "reviews.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    )
    yield p
    if not p.closed:
        p.close()


@pytest.fixture
def config(tiny_encoder_dir: Path) -> TrainConfig:
    return TrainConfig(
        model=str(tiny_encoder_dir), epochs=2, batch_size=8, max_length=32, patience=0, val_split=0.2, precision="fp32"
    ).validate()


def _ignore(_: Progress) -> None:
    pass


def _stored_statuses(path: Path) -> list[str]:
    """The status column as the file holds it, read without bertdesk."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT status FROM runs ORDER BY id")]
    finally:
        conn.close()


def _partials(folder: Path) -> list[Path]:
    return list(folder.glob(f"*{PARTIAL_MARK}*")) if folder.is_dir() else []


# -- the whole way through ----------------------------------------------------------------------


def test_a_training_finishes_its_run_and_makes_it_active(project: Project, config: TrainConfig) -> None:
    seen: list[int] = []
    outcome = train_in_project(project, config, on_progress=_ignore, cancel=CancelToken(), on_data=lambda data: seen.append(len(data)))

    assert seen == [40] and outcome.rows == 40
    assert outcome.status == RunStatus.FINISHED and not outcome.cancelled and outcome.activated
    (run,) = project.runs()
    assert run.id == outcome.run_id and run.status == RunStatus.FINISHED and run.is_active
    assert Path(run.model_dir) == outcome.result.model_dir and (Path(run.model_dir) / "model.safetensors").is_file()
    assert Path(run.model_dir).parent == models_folder(project)
    assert run.pid is not None and run.host  # begin_run recorded who trains it
    assert ValidationScores.from_dict(run.metrics["validation"]).support == 8


def test_a_project_path_is_opened_trained_and_closed(project: Project, config: TrainConfig, tmp_path: Path) -> None:
    path = project.path
    project.close()
    outcome = train_in_project(path, config, tmp_path / "model", on_progress=_ignore, cancel=CancelToken())
    assert outcome.result.model_dir == tmp_path / "model"
    with Project.open(path) as reopened:  # would fail if the use case had kept it open
        (run,) = reopened.runs()
        assert run.status == "finished" and run.model_dir == str(tmp_path / "model")


def test_a_cancel_after_an_evaluation_keeps_the_best_model(project: Project, config: TrainConfig) -> None:
    token = CancelToken()

    def cancel_at_first_evaluation(report: Progress) -> None:
        if ValidationPoint.from_progress(report.metrics) is not None:
            token.cancel()

    outcome = train_in_project(project, config.replace(epochs=20), on_progress=cancel_at_first_evaluation, cancel=token)
    assert outcome.cancelled and outcome.status == RunStatus.CANCELLED
    (run,) = project.runs()
    assert run.status == "cancelled" and (Path(run.model_dir) / "model.safetensors").is_file()
    assert run.metrics["validation"]["macro_f1"] is not None
    # With no other model, the kept one becomes active (the Train panel's rule, now also the CLI's).
    assert outcome.activated and run.is_active
    assert _partials(models_folder(project)) == []


def test_a_cancelled_run_does_not_replace_the_active_model(project: Project, config: TrainConfig, tmp_path: Path) -> None:
    chosen, chosen_dir = begin_run(project, config, tmp_path / "chosen")
    finish_run(project, chosen, TrainResult(chosen_dir, {}))

    def cancelled_after_an_evaluation(data, config, out_dir, *, on_progress, cancel):
        return TrainResult(Path(out_dir), {"validation": {"accuracy": 0.5, "macro_f1": 0.5}}, cancelled=True)

    outcome = train_in_project(project, config, on_progress=_ignore, cancel=CancelToken(), train=cancelled_after_an_evaluation)
    assert outcome.cancelled and not outcome.activated
    assert project.active_run().id == chosen
    assert project.runs()[-1].status == "cancelled"


def test_a_cancel_before_any_evaluation_records_cancelled_and_keeps_no_model(project: Project, config: TrainConfig) -> None:
    token = CancelToken()

    def cancel_at_first_step(report: Progress) -> None:
        if report.total > 1 and report.done >= 1:
            token.cancel()

    with pytest.raises(Cancelled):
        train_in_project(project, config.replace(batch_size=2), on_progress=cancel_at_first_step, cancel=token)
    (run,) = project.runs()
    assert run.status == RunStatus.CANCELLED and not run.is_active and run.metrics == {}
    assert not Path(run.model_dir).exists() and _partials(models_folder(project)) == []
    assert project.active_run() is None


@pytest.mark.parametrize(
    ("error", "stored"),
    [
        (
            TrainingError("The CUDA ran out of memory even with one row per batch: train on the CPU."),
            "The CUDA ran out of memory even with one row per batch: train on the CPU.",
        ),
        (RuntimeError("the disk went away"), "RuntimeError: the disk went away"),
    ],
)
def test_a_failure_records_failed_with_the_message(project: Project, config: TrainConfig, error: Exception, stored: str) -> None:
    def failing(data, config, out_dir, *, on_progress, cancel):
        raise error

    with pytest.raises(type(error)):
        train_in_project(project, config, on_progress=_ignore, cancel=CancelToken(), train=failing)
    (run,) = project.runs()
    assert run.status == RunStatus.FAILED and run.metrics["error"] == stored and not run.is_active


def test_rows_that_cannot_be_trained_on_raise_and_leave_no_run(tmp_path: Path, config: TrainConfig) -> None:
    texts, _ = tiny_texts(10)
    with Project.create(
        tmp_path / "one.bertdesk", pd.DataFrame({"text": texts, "label": ["pos"] * 10}), text_column="text", label_column="label"
    ) as one:
        with pytest.raises(TrainingError, match="one.bertdesk"):
            train_in_project(one, config, on_progress=_ignore, cancel=CancelToken())
        assert one.runs() == []


def test_a_run_given_by_the_caller_is_the_one_recorded(project: Project, config: TrainConfig) -> None:
    run_id, out_dir = begin_run(project, config)
    calls: list[Path] = []

    def fake(data, config, out_dir, *, on_progress, cancel):
        calls.append(out_dir)
        return TrainResult(Path(out_dir), {"validation": None})

    outcome = train_in_project(project, config, on_progress=_ignore, cancel=CancelToken(), run=(run_id, out_dir), train=fake)
    assert calls == [out_dir] and outcome.run_id == run_id
    (run,) = project.runs()
    assert run.status == "finished" and run.is_active


def test_a_project_closed_during_training_is_left_alone(project: Project, config: TrainConfig) -> None:
    """The GUI closes a project when another opens; the job then ends without an error."""

    def closes_the_project(data, config, out_dir, *, on_progress, cancel):
        project.close()
        return TrainResult(Path(out_dir), {})

    outcome = train_in_project(project, config, on_progress=_ignore, cancel=CancelToken(), train=closes_the_project)
    assert outcome.status == RunStatus.FINISHED and not outcome.activated


# -- run statuses ---------------------------------------------------------------------------------


def test_statuses_are_stored_as_the_same_strings_as_before(project: Project, config: TrainConfig) -> None:
    def failing(data, config, out_dir, *, on_progress, cancel):
        raise TrainingError("no")

    with pytest.raises(TrainingError):
        train_in_project(project, config, on_progress=_ignore, cancel=CancelToken(), train=failing)
    begin_run(project, config)
    path = project.path
    project.close()
    assert _stored_statuses(path) == ["failed", "running"]


def test_an_unknown_stored_status_stays_a_plain_string(project: Project) -> None:
    project.add_run(status="paused by a newer bertdesk", model_dir="", config={}, metrics={})
    project.add_run(status="interrupted", model_dir="", config={}, metrics={})
    unknown, interrupted = project.runs()
    assert unknown.status == "paused by a newer bertdesk" and not isinstance(unknown.status, RunStatus)
    assert interrupted.status is RunStatus.INTERRUPTED


# -- metric records ------------------------------------------------------------------------------


def test_a_validation_point_has_one_stored_and_one_live_spelling() -> None:
    point = ValidationPoint(step=4, epoch=1.0, accuracy=0.75, macro_f1=0.7)
    assert point.to_dict() == {"step": 4, "epoch": 1.0, "accuracy": 0.75, "macro_f1": 0.7}
    assert point.progress_metrics() == {"step": 4.0, "epoch": 1.0, "val_accuracy": 0.75, "val_macro_f1": 0.7}
    assert ValidationPoint.from_progress(point.progress_metrics()) == point
    assert ValidationPoint.from_dict(point.to_dict()) == point
    assert ValidationPoint.from_progress({"step": 3.0, "epoch": 0.5, "loss": 0.6}) is None  # a loss report


def test_validation_scores_round_trip_and_read_old_records() -> None:
    stored = {
        "accuracy": 0.75,
        "macro_f1": 0.7,
        "per_class": {"neg": {"precision": 0.8, "recall": 0.7, "f1": 0.75, "support": 4}},
        "confusion_matrix": [[3, 1], [1, 3]],
        "labels": ["neg", "pos"],
        "support": 8,
    }
    # The majority-class baseline is derived from the matrix, so old records get one too.
    baseline = {"label": "neg", "accuracy": 0.5, "macro_f1": pytest.approx(1 / 3)}
    assert ValidationScores.from_dict(stored).to_dict() == {**stored, "baseline": baseline}
    assert ValidationScores.from_dict(stored).summary() == "accuracy 0.750 (always “neg”: 0.500), macro-F1 0.700"
    assert ValidationScores.from_dict(None).summary() == "no validation rows"
    assert ValidationScores.from_dict({"macro_f1": 0.9}).accuracy is None  # a partial record from an old run


# -- the CLI goes through the use case ---------------------------------------------------------


def test_bertdesk_train_on_a_project_calls_the_use_case(
    project: Project, tiny_encoder_dir: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    calls: list[tuple[Path, Path]] = []
    real = usecases.train_in_project

    def recording(target, config, out_dir=None, **kwargs):
        calls.append((Path(target.path), Path(out_dir)))
        return real(target, config, out_dir, **kwargs)

    monkeypatch.setattr(usecases, "train_in_project", recording)
    path = project.path
    project.close()
    out = tmp_path / "m"
    code = main(
        [
            "train",
            str(path),
            "--quiet",
            "--model",
            str(tiny_encoder_dir),
            "--epochs",
            "1",
            "--max-length",
            "32",
            "--precision",
            "fp32",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert calls == [(path, out.resolve())]
    assert "training on 40 labelled rows (neg: 20, pos: 20)" in capsys.readouterr().err


# -- exporting a project with predictions ------------------------------------------------------


def test_bertdesk_predict_on_a_project_exports_through_the_use_case(tiny_model_dir: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    texts, _ = tiny_texts(8)
    path = tmp_path / "p.bertdesk"
    with Project.create(path, pd.DataFrame({"text": texts, "stars": list(range(8))}), text_column="text") as project:
        run_id = project.add_run(status=RunStatus.FINISHED, model_dir=str(tiny_model_dir), config={}, metrics={})
    calls: list[tuple[int | None, Path]] = []
    real = usecases.export_project_predictions

    def recording(project, predictions, out, **kwargs):
        calls.append((predictions.run_id if predictions is not None else None, Path(out)))
        return real(project, predictions, out, **kwargs)

    monkeypatch.setattr(usecases, "export_project_predictions", recording)
    out = tmp_path / "out.csv"
    assert main(["predict", str(tiny_model_dir), str(path), "--out", str(out), "--quiet"]) == 0
    assert calls == [(run_id, out)]
    exported = pd.read_csv(out)
    assert len(exported) == 8 and list(exported["stars"]) == list(range(8))
    assert exported["predicted_label"].notna().all() and exported["confidence"].between(0, 1).all()
    assert f"wrote 8 rows to {out}" in capsys.readouterr().err


def test_ctrl_c_on_a_project_exits_130_and_records_the_run_cancelled(project: Project, tiny_encoder_dir: Path, tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    path = project.path
    project.close()
    out = tmp_path / "m"
    command = [
        sys.executable,
        "-m",
        "bertdesk",
        "train",
        str(path),
        "--model",
        str(tiny_encoder_dir),
        # Long enough to be still training when the first "Epoch" line comes: off a terminal
        # the progress writes a line every 5 s, and 200 epochs of the tiny model (CPU steps split
        # across the cores) could finish before it, so the Ctrl+C landed after training.
        "--epochs",
        "5000",
        "--max-length",
        "32",
    ]
    proc = subprocess.Popen(
        [*command, "--precision", "fp32", "--val-split", "0", "--out", str(out)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        cwd=root,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until training has really started
        if "Epoch" in line:
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    with Project.open(path) as reopened:
        (run,) = reopened.runs()
        assert run.status == RunStatus.CANCELLED and not run.is_active and reopened.active_run() is None
    assert not out.exists() and not [p for p in tmp_path.iterdir() if ".partial-" in p.name]

"""The training time estimate: its arithmetic, the speed read from earlier runs, the calibration
and its cache, what a run records; and how a run compares with the earlier ones."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bertdesk.core import usecases
from bertdesk.core.ml import speed_calibration
from bertdesk.core.ml.run_comparison import compare_run
from bertdesk.core.ml.speed_calibration import CACHE_KEY, MEASURING, estimate_training_time, length_bucket
from bertdesk.core.ml.time_estimate import (
    DEFAULT_OVERHEAD_SECONDS,
    EVAL_SPEEDUP,
    Speed,
    TimeEstimate,
    Workload,
    estimate,
    padded_tokens,
    record_actual,
    rounded_seconds,
    run_speed,
    speed_from_runs,
    workload,
)
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.progress import CancelToken
from bertdesk.core.project import Project
from tests.tiny_model import tiny_texts

CONFIG = TrainConfig(epochs=3, batch_size=2, max_length=100, val_split=0.25, patience=0, group_by_length=False)


# -- arithmetic ---------------------------------------------------------------------------------


def test_padded_tokens_pad_each_batch_to_its_longest_row() -> None:
    assert padded_tokens([10] * 6, 4, group_by_length=False) == 60  # no padding when all are equal
    lengths = [5, 50] * 8
    random_batches = padded_tokens(lengths, 2, group_by_length=False, seed=1)
    grouped = padded_tokens(lengths, 2, group_by_length=True, seed=1)
    assert grouped == sum(lengths)  # sorted by length, pairs of equals: nothing padded
    assert random_batches > grouped  # random pairs mix 5 and 50


def test_workload_caps_at_max_length_and_splits_off_validation() -> None:
    work = workload([10, 10, 10, 500], 4, CONFIG)  # the long one is cut to 100
    assert (work.train_rows, work.val_rows) == (3, 1)
    assert work.train_tokens + work.val_tokens == pytest.approx(130, abs=90)  # padding may add
    assert work.evaluations == 3
    assert work.tokens_per_row == work.train_tokens / 3
    # A sample of the lengths stands for all the rows: ten times the rows, ten times the tokens.
    assert workload([10] * 4, 40, CONFIG.replace(val_split=0.0)).train_tokens == 400


def test_estimate_is_tokens_over_speed_plus_validation_and_overhead() -> None:
    work = Workload(train_rows=80, val_rows=20, train_tokens=8000, val_tokens=2000, epochs=3, evaluations=3)
    measured = Speed(tokens_per_second=400.0, eval_tokens_per_second=1000.0, overhead_seconds=7.0, source="run", run_id=2)
    result = estimate(work, measured, device_kind="cpu", early_stopping=False)
    assert result.train_seconds == pytest.approx(3 * 8000 / 400)  # 60 s
    assert result.eval_seconds == pytest.approx(3 * 2000 / 1000)  # 6 s
    assert result.seconds == pytest.approx(60 + 6 + 7)
    assert result.describe() == "Estimated time: about 1m 15s on this CPU (measured speed: 400 tokens/s in run 2)"
    # Nothing measured for validation or the overhead: the documented defaults.
    bare = estimate(work, Speed(400.0), device_kind="cuda", early_stopping=True)
    assert bare.eval_seconds == pytest.approx(3 * 2000 / (400 * EVAL_SPEEDUP))
    assert bare.overhead_seconds == DEFAULT_OVERHEAD_SECONDS
    assert bare.describe().startswith("Estimated time: at most about 1m 15s on this GPU, less if early stopping ends it sooner")
    assert "in a short calibration" in bare.describe()
    # Two processes share the training tokens.
    assert estimate(Workload(80, 0, 8000, 0, 3, 0, processes=2), measured, device_kind="cuda", early_stopping=False).train_seconds == 30


def test_rounding_says_no_more_than_an_estimate_knows() -> None:
    assert [rounded_seconds(s) for s in (0.4, 12, 118, 130, 3599)] == [5, 10, 120, 120, 3600]


# -- speed from earlier runs ----------------------------------------------------------------------


@dataclass
class Run:
    id: int
    status: str = "finished"
    config: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    host: str | None = None


def _run(run_id: int, **changes: Any) -> Run:
    metrics = {
        "config": {"model": "default", "max_length": 128},
        "device": "CPU: Test CPU",
        "device_kind": "cpu",
        "precision": "fp32",
        "world_size": 1,
        "tokens_per_second": 500.0 + run_id,
        "evaluation_tokens_per_second": 1500.0,
        "training_seconds": 60.0,
        "wall_seconds": 70.0,
    }
    metrics.update(changes.pop("metrics", {}))
    return Run(run_id, metrics=metrics, host=changes.pop("host", "here"), **changes)


def _speed(runs: list[Run], config: TrainConfig = TrainConfig(max_length=128), **where: Any) -> Speed | None:
    defaults = {"device_kind": "cpu", "device_name": "Test CPU", "precision": "fp32", "host": "here", "tokens_per_row": 40.0}
    return speed_from_runs(runs, config, **{**defaults, **where})


def test_the_newest_similar_finished_run_gives_the_speed() -> None:
    speed = _speed([_run(1), _run(2), _run(3, status="failed")])
    assert speed == Speed(502.0, 1500.0, 10.0, "run", 2)
    assert _speed([_run(1)], TrainConfig(max_length=200)) is not None  # within a factor of two
    for other in (
        _run(1, host="elsewhere"),  # the project was trained on another machine
        _run(1, metrics={"device_kind": "cuda"}),
        _run(1, metrics={"device": "CPU: Other CPU"}),
        _run(1, metrics={"precision": "bf16"}),
        _run(1, metrics={"config": {"model": "other", "max_length": 128}}),
        _run(1, metrics={"config": {"model": "default", "max_length": 512}}),
        _run(1, metrics={"world_size": 2}),
        _run(1, status="cancelled"),
        _run(1, metrics={"tokens_per_second": None, "samples_per_second": None}),
    ):
        assert _speed([other]) is None, other


def test_runs_from_before_tokens_were_counted_give_rows_times_tokens_per_row() -> None:
    speed = run_speed(4, {"samples_per_second": 10.0, "world_size": 2}, tokens_per_row=40.0)
    assert speed is not None and speed.tokens_per_second == 200.0  # 10 rows/s x 40 tokens, per process of two
    assert speed.overhead_seconds is None and speed.eval_tokens_per_second is None


def test_stored_speeds_that_are_damaged_are_measured_again() -> None:
    assert Speed.from_dict({"tokens_per_second": "fast"}) is None
    assert Speed.from_dict({"tokens_per_second": -3}) is None
    assert Speed.from_dict({}) is None
    assert Speed.from_dict(Speed(12.5, None, 3.0).to_dict()) == Speed(12.5, None, 3.0)


def test_calibration_lengths_come_in_a_few_buckets() -> None:
    assert [length_bucket(n, 128) for n in (3, 16, 17, 40, 100, 300)] == [16, 16, 32, 64, 128, 128]
    assert length_bucket(40, 32) == 32


# -- with a real (tiny) model ---------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path):
    texts, labels = tiny_texts(40)
    with Project.create(
        tmp_path / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    ) as proj:
        yield proj


def _config(model: Path) -> TrainConfig:
    return TrainConfig(model=str(model), epochs=1, batch_size=8, max_length=32, patience=0, precision="fp32", device="cpu")


def test_without_history_a_calibration_is_measured_once_and_cached(project: Project, tiny_encoder_dir: Path, monkeypatch) -> None:
    texts, _ = tiny_texts(40)
    said: list[str] = []
    first = estimate_training_time(_config(tiny_encoder_dir), texts, project=project, on_progress=lambda p: said.append(p.message))
    assert first is not None and first.speed.source == "calibration" and first.speed.tokens_per_second > 0
    assert said == [MEASURING] and first.seconds > 0 and not first.at_most
    assert len(json.loads(project.get_setting(CACHE_KEY))) == 1

    def no_second_calibration(*args: Any, **kwargs: Any) -> Speed:
        raise AssertionError("measured twice")

    monkeypatch.setattr(speed_calibration, "calibrate", no_second_calibration)
    again = estimate_training_time(_config(tiny_encoder_dir), texts, project=project)
    assert again is not None and again.speed == first.speed
    # Another batch size is another measurement; without permission to measure, no estimate.
    assert estimate_training_time(_config(tiny_encoder_dir).replace(batch_size=4), texts, project=project, measure=False) is None


def test_a_damaged_cache_is_measured_again(project: Project, tiny_encoder_dir: Path) -> None:
    project.set_setting(CACHE_KEY, "{not json")
    texts, _ = tiny_texts(40)
    result = estimate_training_time(_config(tiny_encoder_dir), texts, project=project)
    assert result is not None and result.speed.source == "calibration"


def test_a_finished_run_records_its_speed_and_the_next_estimate_uses_it(project: Project, tiny_encoder_dir: Path) -> None:
    config = _config(tiny_encoder_dir)
    first = usecases.train_in_project(
        project,
        config,
        on_progress=lambda p: None,
        cancel=CancelToken(),
        estimate=lambda data: estimate_training_time(config, data.texts, project=project),
    )
    metrics = first.result.metrics
    assert metrics["tokens_per_second"] > 0 and metrics["evaluation_tokens_per_second"] > 0
    assert metrics["train_tokens_per_epoch"] >= sum(1 for _ in range(metrics["train_rows"]))  # at least a token a row
    assert metrics["wall_seconds"] >= metrics["training_seconds"] > 0
    record = metrics["time_estimate"]
    assert record["speed"]["source"] == "calibration" and record["actual_seconds"] == round(metrics["wall_seconds"], 1)
    # The stored estimate is rounded to 0.1 s (a tiny model's is under a second): the ratio was
    # taken before rounding, so it lies between the ratios to either end of the rounding step.
    wall, estimated = metrics["wall_seconds"], record["estimated_seconds"]
    assert wall / (estimated + 0.05) - 0.01 <= record["ratio"] <= wall / max(estimated - 0.05, 1e-3) + 0.01
    stored = project.runs()[-1].metrics
    assert stored["time_estimate"] == record  # kept in the run's record too

    second = estimate_training_time(config, tiny_texts(40)[0], project=project)
    assert second is not None and second.speed.source == "run" and second.speed.run_id == first.run_id
    assert second.speed.tokens_per_second == metrics["tokens_per_second"]
    assert second.speed.overhead_seconds == pytest.approx(metrics["wall_seconds"] - metrics["training_seconds"])


def test_record_actual_without_an_estimate_keeps_the_time_only() -> None:
    metrics: dict[str, Any] = {}
    record_actual(metrics, 12.3456, None)
    assert metrics == {"wall_seconds": 12.346}
    record_actual(metrics, 20.0, TimeEstimate(10.0, 8.0, 1.0, 1.0, Speed(100.0), "cpu", False))
    assert metrics["time_estimate"]["ratio"] == 2.0 and metrics["time_estimate"]["actual_seconds"] == 20.0


# -- comparing runs --------------------------------------------------------------------------------


def _scored(run_id: int, macro: float, f1s: dict[str, float], status: str = "finished") -> Run:
    per_class = {label: {"precision": f1, "recall": f1, "f1": f1, "support": 5} for label, f1 in f1s.items()}
    return Run(run_id, status, metrics={"validation": {"accuracy": macro, "macro_f1": macro, "per_class": per_class, "labels": list(f1s)}})


def test_a_run_is_compared_with_the_previous_and_the_best_earlier_run() -> None:
    runs = [
        _scored(1, 0.80, {"billing": 0.9, "refund": 0.45}),
        _scored(2, 0.78, {"billing": 0.9, "refund": 0.51}),
        _scored(3, 0.82, {"billing": 0.95, "refund": 0.61}),
        _scored(4, 0.90, {"billing": 0.9, "refund": 0.2}, status="failed"),  # not a finished run
    ]
    third = compare_run(runs, 3)
    assert third is not None and third.best_so_far and (third.previous_id, third.best_id) == (2, 1)
    assert third.describe() == "Run 3: macro-F1 0.82 (+0.04 vs run 2, best so far) · weakest label: refund 0.61 (+0.10)"
    second = compare_run(runs, 2)
    assert second is not None and not second.best_so_far
    assert second.describe() == "Run 2: macro-F1 0.78 (-0.02 vs run 1; best: 0.80 in run 1) · weakest label: refund 0.51 (+0.06)"
    first = compare_run(runs, 1)
    assert first is not None and first.describe() == "Run 1: macro-F1 0.80 (first finished run) · weakest label: refund 0.45"


def test_runs_without_scores_are_not_compared() -> None:
    runs = [Run(1, metrics={"validation": None}), _scored(2, 0.7, {"a": 0.7, "b": 0.7}), _scored(3, 0.7, {"a": 0.7, "new": 0.6})]
    assert compare_run(runs, 1) is None and compare_run(runs, 9) is None
    tie = compare_run(runs, 3)
    assert tie is not None and not tie.best_so_far  # a tie is not better
    assert tie.weakest_label == "new" and tie.weakest_change is None  # the label is new since run 2


# -- the CLI ------------------------------------------------------------------------------------


def test_cli_train_prints_one_estimate_line_and_records_it(tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    from bertdesk.cli import main

    texts, labels = tiny_texts(40)
    csv = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "sentiment": labels}).to_csv(csv, index=False)
    args = ["--model", str(tiny_encoder_dir), "--epochs", "1", "--max-length", "32", "--precision", "fp32", "--patience", "0"]
    code = main(
        ["train", str(csv), "--text-col", "review", "--label-col", "sentiment", "--json", "--quiet", *args, "--out", str(tmp_path / "m")]
    )
    captured = capsys.readouterr()
    assert code == 0
    lines = [line for line in captured.err.splitlines() if line.startswith("Estimated time: ")]
    assert len(lines) == 1 and lines[0].startswith("Estimated time: about ") and "in a short calibration" in lines[0]
    metrics = json.loads(captured.out)  # stdout stays one JSON object; the estimate is a field of it
    assert metrics["time_estimate"]["actual_seconds"] > 0 and metrics["wall_seconds"] > 0

    # A project: the second run is estimated from the first one's speed.
    with Project.create(tmp_path / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"):
        pass
    for out in ("m1", "m2"):
        assert main(["train", str(tmp_path / "p.bertdesk"), "--quiet", *args, "--out", str(tmp_path / out)]) == 0
    err = capsys.readouterr().err
    assert "in a short calibration)" in err and "tokens/s in run 1)" in err

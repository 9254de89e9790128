"""``bertdesk train``: metrics on stdout, progress on stderr, exit codes, runs recorded in projects."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.cli import main
from bertdesk.core.project import Project
from tests.tiny_model import tiny_texts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    texts, labels = tiny_texts(40)
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "sentiment": labels}).to_csv(path, index=False)
    return path


def _args(model: Path, out: Path) -> list[str]:
    return ["--model", str(model), "--epochs", "1", "--max-length", "32", "--precision", "fp32", "--out", str(out)]


def test_train_prints_metrics_json(labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["train", str(labelled_csv), "--text-col", "review", "--label-col", "sentiment", "--json", *_args(tiny_encoder_dir, tmp_path / "m")]
    )
    captured = capsys.readouterr()
    assert code == 0
    metrics = json.loads(captured.out)
    assert metrics["labels"] == ["neg", "pos"] and metrics["val_rows"] == 8
    assert (tmp_path / "m" / "model.safetensors").is_file()
    assert "training on 40 labelled rows" in captured.err


def test_train_text_report_has_scores(
    labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Columns are suggested when not given.
    assert main(["train", str(labelled_csv), "--quiet", *_args(tiny_encoder_dir, tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "Macro-F1:" in out and "Confusion matrix" in out and f"Model saved to {tmp_path / 'm'}" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--text-col", "nope"], "no text column 'nope'"),
        (["--lr", "0"], "Learning rate"),
        (["--model", "/no/such/model"], "No model folder"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    labelled_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code = main(["train", str(labelled_csv), "--out", str(tmp_path / "m"), *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert message in err[-1] and err[-1].startswith("bertdesk: ")
    assert not (tmp_path / "m").exists()


def test_training_a_project_records_the_run(tmp_path: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts, labels = tiny_texts(40)
    project = Project.create(
        tmp_path / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    )
    project.close()
    assert main(["train", str(tmp_path / "p.bertdesk"), "--quiet", *_args(tiny_encoder_dir, tmp_path / "m")]) == 0
    project = Project.open(tmp_path / "p.bertdesk")
    try:
        (run,) = project.runs()
        assert run.status == "finished" and run.is_active and Path(run.model_dir) == (tmp_path / "m").resolve()
        assert run.metrics["validation"]["macro_f1"] is not None
    finally:
        project.close()


def test_ctrl_c_cancels_with_exit_130_and_no_model(labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bertdesk",
            "train",
            str(labelled_csv),
            *_args(tiny_encoder_dir, out),
            # still training when the first "Epoch" line comes (off a terminal, a line every 5 s)
            "--epochs",
            "5000",
            "--val-split",
            "0",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    for line in proc.stderr:  # wait until training has really started
        if "Epoch" in line or time.monotonic() > deadline:
            break
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    # Within a step, not after the 5000 epochs asked for (a bound, not a speed: 10 s flaked under load).
    assert time.monotonic() - sent < 45
    assert proc.returncode == 130, err
    assert "cancelled" in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_evaluate_on_the_validation_rows_matches_the_training_metrics(
    labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", str(labelled_csv), "--quiet", "--json", *_args(tiny_encoder_dir, tmp_path / "m")]) == 0
    metrics = json.loads(capsys.readouterr().out)
    frame = pd.read_csv(labelled_csv)
    validation = tmp_path / "validation.csv"
    frame.iloc[metrics["validation_row_ids"]].to_csv(validation, index=False)

    assert main(["evaluate", str(tmp_path / "m"), str(validation), "--precision", "fp32", "--quiet", "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["confusion_matrix"] == metrics["validation"]["confusion_matrix"]
    assert scores["macro_f1"] == pytest.approx(metrics["validation"]["macro_f1"])
    # The majority-class baseline rides along in metrics.json and in evaluate's JSON.
    counts = [sum(row) for row in metrics["validation"]["confusion_matrix"]]
    assert metrics["validation"]["baseline"]["accuracy"] == pytest.approx(max(counts) / sum(counts))
    assert scores["baseline"] == metrics["validation"]["baseline"]

    assert main(["evaluate", str(tmp_path / "m"), str(validation), "--precision", "fp32", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Accuracy:" in out and "Confusion matrix" in out and "Baseline:" in out and "by always answering" in out


def test_evaluate_refuses_a_model_without_a_head(labelled_csv: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(tiny_encoder_dir), str(labelled_csv), "--quiet"]) == 2
    assert "no classification head" in capsys.readouterr().err

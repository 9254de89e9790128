"""`bertdesk predict`, run as a user runs it (a subprocess): output, files and exit codes."""

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

from tests.tiny_model import tiny_texts


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "bertdesk", *args], capture_output=True, text=True, timeout=180, env=env)


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts, labels = tiny_texts(30, seed=2)
    texts[0] = "=cmd|' /C calc'!A0 good"
    path = tmp_path_factory.mktemp("cli") / "reviews.csv"
    pd.DataFrame({"id": [f"{i:04d}" for i in range(30)], "review": texts, "label": labels}).to_csv(path, index=False)
    return path


def test_preview(tiny_model_dir: Path, data_csv: Path) -> None:
    result = run("predict", str(tiny_model_dir), str(data_csv), "--text-col", "review", "--precision", "fp32")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["row", "predicted", "confidence", "text"]
    assert "10 more rows" in result.stdout and "Predicted: neg" in result.stdout
    assert "predicting 30 rows" in result.stderr  # progress and notes on stderr


def test_json_lines(tiny_model_dir: Path, data_csv: Path) -> None:
    result = run("predict", str(tiny_model_dir), str(data_csv), "--text-col", "review", "--json", "--batch-size", "4")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 30 and rows[0]["row"] == 0
    assert set(rows[0]) == {"row", "text", "label", "confidence", "probabilities"}
    assert rows[0]["label"] in ("neg", "pos") and set(rows[0]["probabilities"]) == {"neg", "pos"}
    assert abs(sum(rows[0]["probabilities"].values()) - 1) < 1e-4


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_out_file(tiny_model_dir: Path, data_csv: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"predicted{suffix}"
    result = run("predict", str(tiny_model_dir), str(data_csv), "--text-col", "review", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    if suffix == ".csv":
        back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        back = pd.read_excel(out, dtype=str, keep_default_na=False, engine="openpyxl")
    else:
        back = pd.read_parquet(out)
    assert list(back.columns) == ["id", "review", "label", "predicted_label", "confidence", "p_neg", "p_pos"]
    assert back["id"].tolist()[:2] == ["0000", "0001"]
    # Only CSV needs the apostrophe: .xlsx holds it as a typed string cell, never evaluated.
    assert back["review"][0] == ("'=cmd|' /C calc'!A0 good" if suffix == ".csv" else "=cmd|' /C calc'!A0 good")


def test_project_stores_with_matching_run(tiny_model_dir: Path, tmp_path: Path) -> None:
    from bertdesk.core.project import Project

    texts, _ = tiny_texts(8)
    path = tmp_path / "p.bertdesk"
    with Project.create(path, pd.DataFrame({"text": texts}), text_column="text") as project:
        run_id = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": ["neg", "pos"]})
    result = run("predict", str(tiny_model_dir), str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 8
    with Project.open(path) as project:
        assert project.prediction_count(run_id) == 8


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--text-col", "nope"], "has no column 'nope'"),
        (["--out", "x.txt"], ".csv, .xlsx or .parquet"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
    ],
)
def test_bad_input(tiny_model_dir: Path, data_csv: Path, extra: list[str], message: str) -> None:
    result = run("predict", str(tiny_model_dir), str(data_csv), *extra)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_model_and_data(tiny_encoder_dir: Path, tiny_model_dir: Path, data_csv: Path, tmp_path: Path) -> None:
    no_head = run("predict", str(tiny_encoder_dir), str(data_csv), "--text-col", "review")
    assert no_head.returncode == 2 and "no classification head; train one first" in no_head.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = run("predict", str(tiny_model_dir), str(empty))
    assert result.returncode == 2 and "empty" in result.stderr
    missing = run("predict", str(tmp_path / "no-model"), str(data_csv))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_exits_130(tiny_model_dir: Path, tmp_path: Path) -> None:
    texts, _ = tiny_texts(400)
    data = tmp_path / "many.csv"
    pd.DataFrame({"text": texts * 100}).to_csv(data, index=False)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bertdesk",
            "predict",
            str(tiny_model_dir),
            str(data),
            "--batch-size",
            "1",
            "--out",
            str(tmp_path / "o.csv"),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until prediction has started
        line = child.stderr.readline()
        if "predicting" in line or not line:
            break
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert "cancelled" in err
    assert not (tmp_path / "o.csv").exists()

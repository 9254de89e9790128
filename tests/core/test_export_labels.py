"""Exports carry the analyst's work: each row's current label and who set it, beside the original columns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bertdesk.core.project import Project
from bertdesk.core.project.export_contents import project_export_frame
from bertdesk.core.tables.writing import LABEL_COLUMN, LABEL_SOURCE_COLUMN, export_frame, with_labels

CLASSES = ["neg", "pos"]
TEXTS = ["good", "bad", "great", "awful", "fine", "meh"]
ORIGINAL_LABELS = ["pos", "", "", "", "neg", ""]  # rows 0 and 4 imported


def read_back(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    back = pd.read_parquet(path)
    return back.apply(lambda c: c if c.dtype.kind == "f" else c.fillna(""))


@pytest.fixture
def project(tmp_path: Path):
    frame = pd.DataFrame({"text": TEXTS, "label": ORIGINAL_LABELS})
    p = Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label")
    run = p.add_run(status="finished", model_dir=str(tmp_path / "model"), config={}, metrics={"labels": CLASSES})
    conf = np.array([0.9, 0.8, 0.7, 0.6, 0.55, 0.95], dtype=np.float32)
    predicted = ["pos", "neg", "pos", "neg", "neg", "pos"]
    probs = np.array([[1 - c, c] if name == "pos" else [c, 1 - c] for c, name in zip(conf, predicted)], dtype=np.float32)
    p.set_active_run(run)
    p.store_predictions(run, list(range(len(TEXTS))), predicted, conf, probs)
    p.set_label(1, "neg")  # by hand, where the original label cell is blank
    p.accept_predictions({2: "pos"})  # an accepted prediction
    p.set_label(4, "pos")  # a human correction of an imported label
    yield p
    p.close()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_export_has_current_label_and_source(project: Project, tmp_path: Path, suffix: str) -> None:
    out = export_frame(project_export_frame(project, project.predictions()), tmp_path / f"out{suffix}")
    back = read_back(out)
    assert list(back.columns) == ["text", "label", LABEL_COLUMN, LABEL_SOURCE_COLUMN, "predicted_label", "confidence", "p_neg", "p_pos"]
    assert back["label"].tolist() == ORIGINAL_LABELS  # the original column, as it was
    assert back[LABEL_COLUMN].tolist() == ["pos", "neg", "pos", "", "pos", ""]
    assert back[LABEL_SOURCE_COLUMN].tolist() == ["imported", "human", "model", "", "human", ""]
    assert back["predicted_label"].tolist() == ["pos", "neg", "pos", "neg", "neg", "pos"]


def test_export_without_predictions_still_has_labels(project: Project, tmp_path: Path) -> None:
    back = read_back(export_frame(project_export_frame(project, None), tmp_path / "out.csv"))
    assert back[LABEL_COLUMN].tolist()[:3] == ["pos", "neg", "pos"]
    assert back["predicted_label"].tolist() == [""] * len(TEXTS)


def test_label_columns_never_overwrite_original_columns() -> None:
    frame = pd.DataFrame({LABEL_COLUMN: ["mine"], LABEL_SOURCE_COLUMN: ["also mine"]})
    out = with_labels(frame, {0: "pos"}, {0: "human"})
    assert list(out.columns) == [LABEL_COLUMN, LABEL_SOURCE_COLUMN, LABEL_COLUMN + " (bertdesk)", LABEL_SOURCE_COLUMN + " (bertdesk)"]
    assert out.iloc[0].tolist() == ["mine", "also mine", "pos", "human"]


def test_cli_predict_out_carries_labels(tiny_model_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.bertdesk"
    with Project.create(path, pd.DataFrame({"text": TEXTS, "label": ORIGINAL_LABELS}), text_column="text", label_column="label") as p:
        p.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": CLASSES})
        p.set_label(1, "neg")
        p.accept_predictions({2: "pos"})
    out = tmp_path / "out.xlsx"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "bertdesk", "predict", str(tiny_model_dir), str(path), "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    back = read_back(out)
    assert back[LABEL_COLUMN].tolist() == ["pos", "neg", "pos", "", "neg", ""]
    assert back[LABEL_SOURCE_COLUMN].tolist() == ["imported", "human", "model", "", "imported", ""]
    assert set(back["predicted_label"]) <= set(CLASSES) and "stored the predictions" in result.stderr

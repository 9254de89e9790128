"""`bertdesk predict --engine ray`: a local Ray writes the file the local engine writes; without
Ray installed, one line and exit 2."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.cli import main
from tests.tiny_model import tiny_texts


def test_without_ray_one_line_and_exit_2(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "rows.csv"
    pd.DataFrame({"text": ["good", "bad"]}).to_csv(data, index=False)
    monkeypatch.setitem(sys.modules, "ray", None)  # "import ray" now fails as if it were not installed
    monkeypatch.setitem(sys.modules, "ray.data", None)
    assert main(["predict", str(tiny_model_dir), str(data), "--engine", "ray", "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'bertdesk[cluster]'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.csv").exists()


def test_ray_local_writes_what_the_local_engine_writes(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ray")
    texts, _ = tiny_texts(90, seed=7)
    texts[0] = "=SUM(A1) good"
    texts[1] = "two\nlines"
    frame = pd.DataFrame({"id": [f"{i:03d}" for i in range(90)], "review": texts})
    whole = tmp_path / "all.csv"
    frame.to_csv(whole, index=False)
    parts = tmp_path / "parts"
    parts.mkdir()
    for k, start in enumerate(range(0, 90, 40)):  # three part files, as a cluster job would read them
        frame.iloc[start : start + 40].to_csv(parts / f"part-{k}.csv", index=False)
    common = ["--text-col", "review", "--precision", "fp32", "--batch-size", "1", "--quiet"]
    local_csv, ray_csv = tmp_path / "local.csv", tmp_path / "ray.csv"
    assert main(["predict", str(tiny_model_dir), str(whole), *common, "--out", str(local_csv)]) == 0
    code = main(
        [
            "predict",
            str(tiny_model_dir),
            str(parts),
            *common,
            "--out",
            str(ray_csv),
            "--engine",
            "ray",
            "--actors",
            "1",
            "--chunk-rows",
            "16",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert ray_csv.read_bytes() == local_csv.read_bytes()  # the same rows, in order, the same columns and cells
    assert "a local Ray" in capsys.readouterr().err

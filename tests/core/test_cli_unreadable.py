"""``bertdesk train`` and ``bertdesk predict`` warn, before the work, when the model cannot read the text.

The tiny test model's vocabulary holds English words and letters only: Chinese becomes [UNK]s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bertdesk.cli import main
from tests.tiny_model import tiny_texts

CHINESE = ["这本书太好了，我一口气买了五本", "质量很差，送货也慢，不推荐", "非常满意，物流很快", "内容空洞，浪费时间"] * 5


@pytest.fixture
def chinese_csv(tmp_path: Path) -> Path:
    path = tmp_path / "评论.csv"
    pd.DataFrame({"review": CHINESE, "sentiment": ["pos", "neg", "pos", "neg"] * 5}).to_csv(path, index=False)
    return path


def _train(data: Path, model: Path, out: Path) -> list[str]:
    return [
        "train",
        str(data),
        "--text-col",
        "review",
        "--label-col",
        "sentiment",
        "--model",
        str(model),
        "--epochs",
        "1",
        "--max-length",
        "32",
        "--precision",
        "fp32",
        "--quiet",
        "--out",
        str(out),
    ]


def test_train_warns_before_training_and_still_trains(
    chinese_csv: Path, tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bertdesk.core.ml import training

    seen_before: list[str] = []
    real = training.fine_tune

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen_before.append(capsys.readouterr().err)  # what stderr said before training started
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "fine_tune", spy)
    assert main(_train(chinese_csv, tiny_encoder_dir, tmp_path / "m")) == 0
    assert (tmp_path / "m" / "model.safetensors").is_file()
    lines = [line for line in seen_before[0].splitlines() if line.startswith("Warning: ")]
    assert lines == [
        "Warning: The model cannot read 100% of the words in this column (review); 100% of the texts are mostly unreadable "
        "(they become [UNK] tokens); it is probably in a language its vocabulary does not cover. "
        "Use a model folder for that language (Train panel: Model > Model folder…, or --model DIR)."
    ]


def test_train_on_readable_text_does_not_warn(tiny_encoder_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts, labels = tiny_texts(20)
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "sentiment": labels}).to_csv(path, index=False)
    assert main(_train(path, tiny_encoder_dir, tmp_path / "m")) == 0
    assert "Warning: The model cannot read" not in capsys.readouterr().err


def test_predict_warns_before_predicting(chinese_csv: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", str(tiny_model_dir), str(chinese_csv), "--text-col", "review", "--precision", "fp32", "--quiet"]) == 0
    err = capsys.readouterr().err
    warning = err.index("Warning: The model cannot read 100% of the words in this column (review)")
    assert warning < err.index("bertdesk: predicting")
    assert "Use a model trained from a model folder for that language" in err


def test_predict_in_chunks_warns_from_the_first_rows(
    chinese_csv: Path, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    args = ["predict", str(tiny_model_dir), str(chinese_csv), "--text-col", "review", "--chunk-rows", "7", "--out", str(out), "--quiet"]
    assert main([*args, "--precision", "fp32"]) == 0
    err = capsys.readouterr().err
    warning = err.index("Warning: The model cannot read 100% of the words in this column (review)")
    assert "(measured on the first 20 rows)" in err
    assert warning < err.index("bertdesk: predicting")
    assert len(pd.read_csv(out)) == 20  # and it still predicts every row


def test_predict_in_chunks_on_readable_text_does_not_warn(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts, labels = tiny_texts(20)
    data = tmp_path / "en.csv"
    pd.DataFrame({"review": texts, "label": labels}).to_csv(data, index=False)
    assert (
        main(["predict", str(tiny_model_dir), str(data), "--text-col", "review", "--chunk-rows", "7", "--quiet", "--precision", "fp32"])
        == 0
    )
    assert "Warning: The model cannot read" not in capsys.readouterr().err

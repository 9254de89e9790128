"""`bertdesk attention`, run as a user runs it (a subprocess): JSON, PNG, text, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bertdesk.core.ml.attention import explain_text

TEXT = "the parcel was late and the app crashes"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bertdesk", "attention", *args], capture_output=True, text=True, timeout=120)


def test_json_matches_core_arrays(tiny_model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps.json"
    result = run(str(tiny_model_dir), TEXT, "--json", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"tokens", "attentions", "rollout", "saliency", "predicted_label", "probabilities"} <= set(data)
    maps = explain_text(tiny_model_dir, TEXT)
    assert data["tokens"] == maps.tokens
    np.testing.assert_allclose(np.array(data["attentions"]), maps.attentions, atol=1e-6)
    np.testing.assert_allclose(np.array(data["rollout"]), maps.rollout()[-1], atol=1e-6)
    np.testing.assert_allclose(np.array(data["saliency"]), maps.saliency, atol=1e-5)
    np.testing.assert_allclose(np.array(data["cls_attention"]), maps.attentions[:, :, 0, :], atol=1e-6)
    assert data["predicted_label"] == maps.predicted_label
    assert list(data["probabilities"]) == ["neg", "pos"]
    assert np.array(data["attentions"]).shape == (2, 2, len(maps.tokens), len(maps.tokens))


def test_json_to_stdout_and_png(tiny_model_dir: Path, tmp_path: Path) -> None:
    png = tmp_path / "head.png"
    result = run(str(tiny_model_dir), TEXT, "--json", "-", "--layer", "1", "--head", "2", "--png", str(png))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tokens"][0] == "[CLS]"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_text_output_lists_prediction_and_top_tokens(tiny_model_dir: Path) -> None:
    result = run(str(tiny_model_dir), TEXT, "--layer", "2", "--head", "1", "--top", "2")
    assert result.returncode == 0, result.stderr
    assert "Prediction: " in result.stdout and ("neg" in result.stdout and "pos" in result.stdout)
    assert "Top attended tokens, layer 2, head 1:" in result.stdout
    assert "parcel" in result.stdout


def test_headless_model_says_no_classifier(tiny_encoder_dir: Path) -> None:
    result = run(str(tiny_encoder_dir), TEXT)
    assert result.returncode == 0, result.stderr
    assert "no classifier yet" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}", TEXT], "No model folder"),
        (["{model}", "  "], "no text to explain"),
        (["{model}", TEXT, "--layer", "9"], "--layer 9 does not exist"),
        (["{model}", TEXT, "--head", "0"], "--head 0 does not exist"),
    ],
)
def test_bad_input_is_one_line(tiny_model_dir: Path, tmp_path: Path, args: list[str], message: str) -> None:
    filled = [a.format(missing=tmp_path / "nope", model=tiny_model_dir) for a in args]
    result = run(*filled)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("bertdesk:")]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_truncation_is_reported(tiny_model_dir: Path) -> None:
    result = run(str(tiny_model_dir), " ".join(["good"] * 200 + ["refund"]))
    assert result.returncode == 0, result.stderr
    assert "warning: The text is 203 tokens long" in result.stderr

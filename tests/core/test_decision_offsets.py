"""Per-class decision offsets: tuned on validation for macro-F1, built into the saved model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bertdesk.core.ml.decision_offsets import apply_offsets, macro_f1, tune_offsets
from bertdesk.core.ml.training import build_in_decision_offsets, fine_tune
from bertdesk.core.ml.training_config import PRESETS, TrainConfig
from bertdesk.core.ml.training_data import TrainingData, stratified_split
from tests.tiny_model import tiny_texts


def _shy_of_the_rare_class() -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of a model that ranks the rare class right but never puts it first."""
    true = np.array([0] * 18 + [1] * 6)
    rare_p = np.where(true == 1, 0.40, 0.10)  # rare rows: 0.40 for the rare class, still below 0.60
    probabilities = np.stack([1 - rare_p, rare_p], axis=1)
    return probabilities, true


def test_offsets_find_the_rare_class_a_plain_argmax_never_predicts() -> None:
    probabilities, true = _shy_of_the_rare_class()
    assert macro_f1(true, probabilities.argmax(axis=1), 2) < 0.5
    offsets = tune_offsets(probabilities, true)
    assert macro_f1(true, apply_offsets(probabilities, offsets), 2) == 1.0
    assert offsets[1] - offsets[0] > 0  # the rare class was favoured


def test_no_evidence_no_shift() -> None:
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    assert tune_offsets(probabilities, [0, 1, 0]) == [0.0, 0.0]  # already perfect: nothing to gain
    assert tune_offsets(np.zeros((0, 2)), []) == [0.0, 0.0]
    assert apply_offsets(probabilities, None).tolist() == [0, 1, 0]


def test_offsets_are_built_into_the_output_bias(tiny_model_dir: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir)
    before = model.classifier.bias.detach().clone()
    probabilities, true = _shy_of_the_rare_class()
    built = build_in_decision_offsets(model, np.log(probabilities), true.tolist())
    assert built is not None
    offsets, predicted = built
    assert torch.allclose(model.classifier.bias.detach() - before, torch.tensor(offsets, dtype=before.dtype))
    assert predicted == true.tolist()


def _imbalanced(n: int = 60) -> TrainingData:
    # Labels a and c share their cue words (tiny_texts alternates two cues), so a model confuses
    # them and the offsets have something to trade.
    texts, labels = tiny_texts(n, ["a", "b", "c", "a", "b", "a"])
    return TrainingData(texts, labels, list(range(n)), ["a", "b", "c"])


def test_a_run_with_offsets_records_them_and_every_reader_predicts_with_them(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    from bertdesk.core.ml.inference import predict

    config = TrainConfig(
        model=str(tiny_encoder_dir),
        epochs=2,
        batch_size=8,
        max_length=32,
        learning_rate=1e-3,
        patience=0,
        precision="fp32",
        decision_offsets=True,
    )
    data = _imbalanced()
    result = fine_tune(data, config, tmp_path / "model")
    metrics = json.loads((tmp_path / "model" / "metrics.json").read_text(encoding="utf-8"))
    assert len(metrics["decision_offsets"]) == 3 and metrics["validation_macro_f1_without_offsets"] is not None
    assert metrics["validation"]["macro_f1"] >= metrics["validation_macro_f1_without_offsets"]
    _, val = stratified_split(data, config.val_split, config.seed)
    # The saved model itself predicts with the offsets: bertdesk predict gives what validation scored.
    assert predict(tmp_path / "model", val.texts, device="cpu", precision="fp32").predicted_labels == metrics["validation_predictions"]
    assert result.metrics["decision_offsets"] == metrics["decision_offsets"]


def test_a_run_without_offsets_says_so(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    config = TrainConfig(
        model=str(tiny_encoder_dir),
        epochs=1,
        batch_size=8,
        max_length=32,
        learning_rate=1e-3,
        patience=0,
        precision="fp32",
        decision_offsets=False,
    )
    metrics = fine_tune(_imbalanced(), config, tmp_path / "model").metrics
    assert metrics["decision_offsets"] is None


def test_the_presets_name_a_setting_for_offsets() -> None:
    assert all(isinstance(p.decision_offsets, bool) for p in PRESETS.values())
    assert TrainConfig.from_dict({"decision_offsets": True}).decision_offsets is True
    assert TrainConfig.from_dict({}).decision_offsets is TrainConfig().decision_offsets  # old runs' settings still load

"""Fine-tuning: data checks, the split, progress, cancel, out-of-memory recovery, the saved folder."""

from __future__ import annotations

import json
import math
import socket
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.errors import Cancelled, TrainingError
from bertdesk.core.ml.training import fine_tune, preflight
from bertdesk.core.ml.training_config import PRESETS, TrainConfig
from bertdesk.core.ml.training_data import TrainingData, class_weights, data_from_frame, stratified_split
from bertdesk.core.progress import CancelToken, Progress
from tests.tiny_model import tiny_texts

FAST = TrainConfig(epochs=2, batch_size=8, max_length=32, learning_rate=1e-3, patience=0, precision="fp32")


def _data(n: int = 48, labels: list[str] | None = None) -> TrainingData:
    texts, out = tiny_texts(n, labels)
    return TrainingData(texts, out, list(range(100, 100 + n)), sorted(set(out), key=out.index))


def _partials(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".partial-" in p.name]


# -- data checks ----------------------------------------------------------------------------


def test_one_label_is_refused_with_what_to_do() -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c"], "label": ["x", "x", None]})
    with pytest.raises(TrainingError, match="at least two"):
        data_from_frame(frame, "text", "label")


def test_empty_text_column_is_refused() -> None:
    frame = pd.DataFrame({"text": ["", "  ", None], "label": ["x", "y", "x"]})
    with pytest.raises(TrainingError, match="text column .* is empty"):
        data_from_frame(frame, "text", "label")


def test_missing_column_names_the_column() -> None:
    frame = pd.DataFrame({"text": ["a"], "label": ["x"]})
    with pytest.raises(TrainingError, match="no label column 'category'"):
        data_from_frame(frame, "text", "category")


def test_frame_labels_are_trimmed_and_blanks_skipped() -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c", "d"], "label": [" x", "y ", "", float("nan")]})
    data = data_from_frame(frame, "text", "label")
    assert data.labels == ["x", "y"] and data.row_ids == [0, 1]


def test_split_is_stratified_and_reproducible() -> None:
    labels = ["a"] * 50 + ["b"] * 30 + ["c"] * 10 + ["d"]
    data = TrainingData([f"t{i}" for i in range(len(labels))], labels, list(range(len(labels))), ["a", "b", "c", "d"])
    train, val = stratified_split(data, 0.2, seed=7)
    again_train, again_val = stratified_split(data, 0.2, seed=7)
    assert val.row_ids == again_val.row_ids and train.row_ids == again_train.row_ids
    assert val.counts() == {"a": 10, "b": 6, "c": 2, "d": 0}  # the single "d" row stays in training
    assert sorted(train.row_ids + val.row_ids) == data.row_ids
    _, other_val = stratified_split(data, 0.2, seed=8)
    assert other_val.row_ids != val.row_ids


def test_class_weights_only_when_imbalanced_in_auto_mode() -> None:
    balanced = TrainingData(["x"] * 4, ["a", "b", "a", "b"], [0, 1, 2, 3], ["a", "b"])
    assert class_weights(balanced, "auto") is None
    skewed = TrainingData(["x"] * 10, ["a"] * 9 + ["b"], list(range(10)), ["a", "b"])
    weights = class_weights(skewed, "auto")
    assert weights is not None and weights[1] > weights[0]
    assert weights == pytest.approx([10 / (2 * 9), 10 / 2])
    assert class_weights(skewed, "none") is None


def test_config_validation_names_the_setting() -> None:
    with pytest.raises(TrainingError, match="Learning rate"):
        TrainConfig(learning_rate=0).validate()
    assert set(PRESETS) == {"Fast", "Balanced", "Thorough"}


def test_preflight_warns_about_small_classes_and_truncation(tiny_encoder_dir: Path) -> None:
    texts, labels = tiny_texts(30)
    texts[0] = " ".join(["good"] * 100)
    labels[-3:] = ["rare"] * 3
    data = TrainingData(texts, labels, list(range(30)), ["neg", "pos", "rare"])
    report = preflight(data, FAST.replace(model=str(tiny_encoder_dir)))
    assert any("'rare'" in w and "3 labelled rows" in w for w in report.warnings)
    assert report.truncated == 1 and any("longer than 32 tokens" in w for w in report.warnings)
    assert report.val_rows + report.train_rows == 30


# -- training -------------------------------------------------------------------------------


def test_fine_tune_reports_progress_and_saves_a_pipeline_loadable_model(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    reports: list[Progress] = []
    out = tmp_path / "model"
    result = fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir)), out, on_progress=reports.append)

    losses = [r.metrics["loss"] for r in reports if r.metrics and "loss" in r.metrics]
    evals = [r.metrics for r in reports if r.metrics and "val_macro_f1" in r.metrics]
    assert losses and all(math.isfinite(v) for v in losses)
    assert len(evals) == 2  # one per epoch
    steps = [(r.done, r.total) for r in reports if r.total > 1]
    assert [d for d, _ in steps] == sorted(d for d, _ in steps)
    assert steps[-1] == (10, 10)  # 38 training rows / batch 8 = 5 steps an epoch, 2 epochs

    assert sorted(p.name for p in out.iterdir()) == [
        ".bertdesk-model",
        "config.json",
        "metrics.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
    ]
    assert _partials(tmp_path) == []
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for key in ("validation", "labels", "training_seconds", "device", "samples_per_second", "config", "validation_row_ids"):
        assert key in metrics
    assert set(metrics["validation"]) >= {"accuracy", "macro_f1", "per_class", "confusion_matrix"}
    assert metrics["labels"] == ["neg", "pos"] and metrics["config"]["epochs"] == 2
    assert len(metrics["validation_row_ids"]) == 10 and min(metrics["validation_row_ids"]) >= 100
    assert result.metrics == metrics

    from transformers import pipeline

    classify = pipeline("text-classification", model=str(out))
    assert classify("good great love")[0]["label"] in {"neg", "pos"}
    config = json.loads((out / "config.json").read_text())
    assert config["id2label"] == {"0": "neg", "1": "pos"} and config["label2id"] == {"neg": 0, "pos": 1}


def test_training_is_reproducible_with_the_same_seed(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    config = FAST.replace(model=str(tiny_encoder_dir), epochs=1)
    a = fine_tune(_data(), config, tmp_path / "a").metrics
    b = fine_tune(_data(), config, tmp_path / "b").metrics
    assert [p["loss"] for p in a["history"]["loss"]] == pytest.approx([p["loss"] for p in b["history"]["loss"]], rel=1e-4)


def test_cancel_before_any_evaluation_saves_nothing(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    token = CancelToken()

    def on_progress(report: Progress) -> None:
        if report.metrics and "loss" in report.metrics:
            token.cancel()

    out = tmp_path / "model"
    with pytest.raises(Cancelled):
        fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir), epochs=5), out, on_progress=on_progress, cancel=token)
    assert not out.exists()
    assert _partials(tmp_path) == []


def test_cancel_after_an_evaluation_keeps_the_best_model(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    token = CancelToken()
    seen: list[Progress] = []

    def on_progress(report: Progress) -> None:
        seen.append(report)
        if report.metrics and "val_macro_f1" in report.metrics:
            token.cancel()

    out = tmp_path / "model"
    result = fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir), epochs=20), out, on_progress=on_progress, cancel=token)
    assert result.cancelled and result.metrics["cancelled"]
    assert result.metrics["steps"] < 20 * 5  # stopped long before 20 epochs of 5 steps
    assert (out / "model.safetensors").is_file()
    assert _partials(tmp_path) == []


def test_refuses_a_non_empty_output_folder(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(TrainingError, match="not empty"):
        fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir)), out)
    assert (out / "notes.txt").read_text() == "mine"


def test_stale_partial_folders_of_dead_processes_are_removed(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    stale = tmp_path / ".model.partial-999999999-deadbeef"
    stale.mkdir()
    (stale / "model.safetensors").write_bytes(b"half")
    # bertdesk's writer marker: a process that is gone, on this host.
    (stale / ".bertdesk-writer").write_text(json.dumps({"pid": 999999999, "host": socket.gethostname()}))
    fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir), epochs=1), tmp_path / "model")
    assert not stale.exists()


def test_out_of_memory_halves_the_batch_and_keeps_the_effective_batch(
    tiny_encoder_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    from transformers import Trainer

    real_step = Trainer.training_step

    def step(self, model, inputs, *args, **kwargs):  # type: ignore[no-untyped-def]
        if inputs["input_ids"].shape[0] > 2:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_step(self, model, inputs, *args, **kwargs)

    monkeypatch.setattr(Trainer, "training_step", step)
    messages: list[str] = []
    result = fine_tune(
        _data(),
        # Out of memory is a GPU's; CPU steps split across cores (split_step) do not go through
        # Trainer.training_step, so the split is off here for the patched step to be used.
        FAST.replace(model=str(tiny_encoder_dir), epochs=1, batch_size=8, split_cpu_steps=False),
        tmp_path / "model",
        on_progress=lambda p: messages.append(p.message),
    )
    assert result.metrics["batch_size_used"] == 2 and result.metrics["gradient_accumulation"] == 4
    assert any("Out of memory: retrying with batch 4 x 2" in m for m in messages)
    assert any("batch 2 x 4" in m for m in messages)
    assert result.metrics["steps"] == 5  # 38 training rows / effective batch 8, as without the retry


def test_out_of_memory_at_batch_one_says_to_use_the_cpu(tiny_encoder_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch
    from transformers import Trainer

    def step(self, model, inputs, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise torch.OutOfMemoryError("CUDA out of memory.")

    monkeypatch.setattr(Trainer, "training_step", step)
    with pytest.raises(TrainingError, match="even with one row per batch: train on the CPU"):
        fine_tune(_data(), FAST.replace(model=str(tiny_encoder_dir), epochs=1, batch_size=4, split_cpu_steps=False), tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_class_weighted_training_runs_on_imbalanced_labels(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    texts, labels = tiny_texts(40)
    labels = ["neg" if i % 8 else "pos" for i in range(40)]
    data = TrainingData(texts, labels, list(range(40)), ["neg", "pos"])
    result = fine_tune(data, FAST.replace(model=str(tiny_encoder_dir), epochs=1), tmp_path / "model")
    assert result.metrics["class_weights"] is not None and result.metrics["class_weights"][1] > result.metrics["class_weights"][0]


@pytest.mark.slow
def test_bundled_model_learns_the_sample_data(tmp_path: Path) -> None:
    from bertdesk.core.resources import resource_path
    from bertdesk.core.tables.reading import read_table

    frame = read_table(resource_path("sample", "customer_feedback.csv")).frame
    data = data_from_frame(frame, "feedback", "category")
    result = fine_tune(data, PRESETS["Fast"].replace(precision="auto"), tmp_path / "model")
    # Four classes: chance macro-F1 is about 0.25.
    assert result.metrics["validation"]["macro_f1"] > 0.6


@pytest.mark.parametrize("freeze", [True, False])
def test_frozen_word_embeddings_are_saved_as_loaded_and_the_rest_learns(tiny_encoder_dir: Path, tmp_path: Path, freeze: bool) -> None:
    from safetensors.torch import load_file

    before = load_file(str(tiny_encoder_dir / "model.safetensors"))
    config = FAST.replace(model=str(tiny_encoder_dir), freeze_word_embeddings=freeze)
    fine_tune(_data(), config, tmp_path / "out")
    after = load_file(str(tmp_path / "out" / "model.safetensors"))

    def weight(state: dict, suffix: str) -> object:
        return next(v for k, v in state.items() if k.endswith(suffix))

    words_same = bool((weight(before, "word_embeddings.weight") == weight(after, "word_embeddings.weight")).all())
    assert words_same is freeze
    # Positions and every layer still learn.
    assert not (weight(before, "position_embeddings.weight") == weight(after, "position_embeddings.weight")).all()
    assert not (weight(before, "layer.0.attention.self.query.weight") == weight(after, "layer.0.attention.self.query.weight")).all()
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["config"]["freeze_word_embeddings"] is freeze

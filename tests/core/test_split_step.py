"""CPU steps split by rows across threads (split_step): the whole batch's gradients, a seed still
fixes the run, torch's own dropout and thread count are left as they were, and fine_tune uses it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bertdesk.core.ml import split_step
from bertdesk.core.ml.split_step import StepSplitter, part_dropout, split_rows
from bertdesk.core.ml.training import _trainer_class, fine_tune
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import TrainingData
from tests.tiny_model import tiny_texts

TEXTS = [
    "the parcel was late",
    "great app, works fast and the login never crashes",
    "refund",
    "my card was charged twice for one order",
    "love it",
    "the screen cracked in a week and support never answered",
    "billing error",
    "thanks for the fast delivery",
]
TARGETS = [0, 1, 0, 0, 1, 0, 0, 1]


def _model(folder: Path, dropout: float) -> Any:
    from transformers import AutoModelForSequenceClassification

    # eager attention, as fine_tune trains on a CPU: its attention dropout is F.dropout's
    model = AutoModelForSequenceClassification.from_pretrained(
        str(folder), hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout, attn_implementation="eager"
    )
    model.train()
    return model


def _inputs(folder: Path) -> dict[str, Any]:
    import torch
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    return {**tokenizer(TEXTS, padding=True, return_tensors="pt"), "labels": torch.tensor(TARGETS)}


def _trainer(model: Any, tmp_path: Path, weights: list[float] | None, splitter: StepSplitter | None) -> Any:
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir=str(tmp_path / "scratch"), use_cpu=True, report_to="none", disable_tqdm=True)
    trainer = _trainer_class(weights, splitter)(model=model, args=args)
    trainer.current_gradient_accumulation_steps = 1  # set by Trainer.train() for each step
    return trainer


def _gradients(model: Any) -> dict[str, Any]:
    return {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("weights", [None, [0.3, 2.5]])
def test_a_split_step_gives_the_whole_batch_loss_and_gradients(tiny_model_dir: Path, tmp_path: Path, weights: list[float] | None) -> None:
    import torch

    inputs = _inputs(tiny_model_dir)
    whole_model = _model(tiny_model_dir, dropout=0.0)  # no dropout: the two must be one computation
    whole_loss = _trainer(whole_model, tmp_path, weights, None).training_step(whole_model, dict(inputs))
    split_model = _model(tiny_model_dir, dropout=0.0)
    with StepSplitter(parts=2) as splitter:
        split_loss = _trainer(split_model, tmp_path, weights, splitter).training_step(split_model, dict(inputs))
    assert float(split_loss) == pytest.approx(float(whole_loss), rel=1e-5)
    whole, split = _gradients(whole_model), _gradients(split_model)
    assert whole.keys() == split.keys() and len(whole) > 10
    for name in whole:
        assert torch.allclose(split[name], whole[name], atol=1e-6, rtol=1e-4), name


def _split_gradients_after_seed(folder: Path, tmp_path: Path, seed: int) -> dict[str, Any]:
    import torch

    model = _model(folder, dropout=0.3)
    with StepSplitter(parts=2) as splitter:
        trainer = _trainer(model, tmp_path, None, splitter)
        torch.manual_seed(seed)  # after the Trainer, which seeds torch itself
        trainer.training_step(model, _inputs(folder))
    return _gradients(model)


def test_a_seed_fixes_the_dropout_of_every_part(tiny_model_dir: Path, tmp_path: Path) -> None:
    import torch

    first = _split_gradients_after_seed(tiny_model_dir, tmp_path, seed=1)
    again = _split_gradients_after_seed(tiny_model_dir, tmp_path, seed=1)
    other = _split_gradients_after_seed(tiny_model_dir, tmp_path, seed=2)
    assert all(torch.equal(first[name], again[name]) for name in first)
    # dropout is on in the parts: another seed drops other activations
    assert not all(torch.equal(first[name], other[name]) for name in first)


def test_dropout_outside_a_part_is_torchs_own_and_is_restored_after() -> None:
    import torch
    import torch.nn.functional as F

    original = F.dropout
    x = torch.ones(64, 64)
    torch.manual_seed(7)
    expected = F.dropout(x, p=0.4)
    with part_dropout():
        assert F.dropout is not original
        torch.manual_seed(7)
        assert torch.equal(F.dropout(x, p=0.4), expected)  # this thread runs no part
        assert torch.equal(F.dropout(x, p=0.4, training=False), x)
    assert F.dropout is original


def test_part_dropout_keeps_the_expected_share_and_scale() -> None:
    import torch
    import torch.nn.functional as F

    with StepSplitter(parts=2) as splitter:
        seen: list[Any] = []

        def loss(part: dict[str, Any]) -> Any:
            dropped = F.dropout(part["x"], p=0.25)
            seen.append(dropped.detach())
            return dropped.sum() * 0.0 + part["x"].sum() * 0.0

        splitter.backward({"x": torch.ones(4, 10_000, requires_grad=True)}, loss)
    values = torch.cat(seen)
    assert values.unique().tolist() == pytest.approx([0.0, 1 / 0.75])
    assert float((values == 0).float().mean()) == pytest.approx(0.25, abs=0.01)


def test_the_thread_count_is_restored_and_parts_get_their_share() -> None:
    import torch

    before = torch.get_num_threads()
    seen: list[int] = []
    with StepSplitter(parts=2) as splitter:

        def loss(part: dict[str, Any]) -> Any:
            seen.append(torch.get_num_threads())
            return part["x"].sum()

        splitter.backward({"x": torch.ones(4, 3, requires_grad=True)}, loss)
        assert torch.get_num_threads() == before  # the calling thread keeps all of them
    assert seen == [max(1, before // 2)] * 2
    after_in_new_thread: list[int] = []
    thread = threading.Thread(target=lambda: after_in_new_thread.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    assert after_in_new_thread == [before]


def test_rows_are_split_in_near_equal_parts_and_small_batches_stay_whole() -> None:
    import torch

    inputs = {"input_ids": torch.arange(15).reshape(5, 3), "labels": torch.arange(5), "note": "same for all"}
    parts = split_rows(inputs, 2)
    assert [len(p["labels"]) for p in parts] == [2, 3] or [len(p["labels"]) for p in parts] == [3, 2]
    assert torch.equal(torch.cat([p["input_ids"] for p in parts]), inputs["input_ids"])
    assert all(p["note"] == "same for all" for p in parts)
    assert len(split_rows({"labels": torch.arange(3)}, 2)) == 1  # 1.5 rows a part is too few
    assert len(split_rows({"labels": torch.arange(1)}, 2)) == 1


def test_an_error_in_a_part_is_raised_to_the_caller() -> None:
    import torch

    def loss(part: dict[str, Any]) -> Any:
        if int(part["labels"][0]) >= 2:
            raise ValueError("a part failed")
        return part["x"].sum()

    with StepSplitter(parts=2) as splitter, pytest.raises(ValueError, match="a part failed"):
        splitter.backward({"x": torch.ones(4, 2, requires_grad=True), "labels": torch.arange(4)}, loss)
    assert split_step._patch_users == 0


def test_fine_tune_splits_cpu_steps_and_a_seed_still_fixes_the_model(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    import torch

    texts, labels = tiny_texts(48)
    data = TrainingData(texts, labels, list(range(len(texts))), sorted(set(labels)))
    # a random tiny model: nothing pretrained to keep frozen
    config = TrainConfig(model=str(tiny_encoder_dir), epochs=2, batch_size=8, max_length=32, device="cpu", freeze_word_embeddings=False)
    first = fine_tune(data, config, tmp_path / "a")
    second = fine_tune(data, config, tmp_path / "b")
    assert first.metrics["step_parts"] == (2 if torch.get_num_threads() >= 2 else 1)
    assert first.metrics["history"]["loss"] == second.metrics["history"]["loss"]
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (tmp_path / "b" / "model.safetensors").read_bytes()
    whole = fine_tune(data, config.replace(split_cpu_steps=False), tmp_path / "c")
    assert whole.metrics["step_parts"] == 1

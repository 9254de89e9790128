"""Training computes only the [CLS] position of the last layer: the same loss and gradients,
the same parameter names (best-state copies and saving), and fine_tune really uses it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from bertdesk.core.ml import training
from bertdesk.core.ml.inference_shortcuts import first_token_last_layer
from bertdesk.core.ml.training import fine_tune
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import TrainingData
from tests.tiny_model import tiny_texts


def _classifier(folder: Path) -> Any:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    return AutoModelForSequenceClassification.from_pretrained(str(folder)), AutoTokenizer.from_pretrained(str(folder))


def _loss_and_gradients(model: Any, inputs: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    model.zero_grad(set_to_none=True)
    loss = model(**inputs).loss
    loss.backward()
    return float(loss), {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}


def test_first_token_last_layer_gives_the_same_loss_and_gradients(tiny_model_dir: Path) -> None:
    import torch

    model, tokenizer = _classifier(tiny_model_dir)
    model.eval()  # no dropout: the two passes must be the same computation
    texts = ["the parcel was late", "great app, works fast and the login never crashes", "refund"]
    inputs = dict(tokenizer(texts, padding=True, return_tensors="pt"), labels=torch.tensor([0, 1, 0]))
    plain_loss, plain = _loss_and_gradients(model, inputs)
    with first_token_last_layer(model):
        short_loss, short = _loss_and_gradients(model, inputs)
        # the last layer really computed one position
        assert model.bert(**{k: v for k, v in inputs.items() if k != "labels"}).last_hidden_state.shape[1] == 1
    assert short_loss == pytest.approx(plain_loss, abs=1e-6)
    assert short.keys() == plain.keys()
    for name in plain:
        assert torch.allclose(short[name], plain[name], atol=1e-6), name


def test_parameter_names_stay_the_same_while_active(tiny_model_dir: Path) -> None:
    model, _ = _classifier(tiny_model_dir)
    names = list(model.state_dict())
    with first_token_last_layer(model):
        assert list(model.state_dict()) == names  # the best-state copy is loaded back into the plain model
        model.load_state_dict(model.state_dict())
    assert list(model.state_dict()) == names
    assert "forward" not in vars(model.bert.encoder.layer[-1])  # fully undone


def test_fine_tune_trains_with_the_first_token_last_layer(tiny_encoder_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    active: list[bool] = []
    real = training.first_token_last_layer

    @contextlib.contextmanager
    def spy(model: Any) -> Any:
        with real(model):
            active.append("forward" in vars(model.base_model.encoder.layer[-1]))
            yield

    monkeypatch.setattr(training, "first_token_last_layer", spy)
    texts, labels = tiny_texts(40)
    data = TrainingData(texts, labels, list(range(40)), sorted(set(labels), key=labels.index))
    config = TrainConfig(
        epochs=1, batch_size=8, max_length=32, learning_rate=1e-3, patience=0, precision="fp32", model=str(tiny_encoder_dir)
    )
    result = fine_tune(data, config, tmp_path / "model")
    assert active == [True]
    assert result.metrics["steps"] > 0


@pytest.mark.parametrize("boolean_mask", [True, False])
def test_first_position_attention_with_dropout_is_the_fused_attention_with_dropped_weights(
    boolean_mask: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Training drops attention weights through F.dropout (a generator per split part), not
    inside the fused kernel: with dropout made the identity, the two are the same attention."""
    import torch
    import torch.nn.functional as F

    from bertdesk.core.ml.inference_shortcuts import _first_position_attention

    torch.manual_seed(0)
    query, key, value = torch.randn(3, 2, 1, 8), torch.randn(3, 2, 5, 8), torch.randn(3, 2, 5, 8)
    keep = torch.tensor([[True] * 5, [True] * 3 + [False] * 2, [True] * 4 + [False]])[:, None, None, :]
    mask = keep if boolean_mask else torch.zeros(keep.shape).masked_fill(~keep, torch.finfo(torch.float32).min)
    fused = F.scaled_dot_product_attention(query, key, value, attn_mask=mask, scale=0.3)
    calls: list[float] = []

    def no_drop(x: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
        calls.append(p)
        return x

    monkeypatch.setattr(F, "dropout", no_drop)
    dropped = _first_position_attention(query, key, value, mask, 0.25, 0.3)
    assert calls == [0.25]
    assert torch.allclose(dropped, fused, atol=1e-6)

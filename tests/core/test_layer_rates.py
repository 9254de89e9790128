"""Layer-wise learning-rate decay: every parameter once, at its depth's rate, group settings kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bertdesk.core.ml.layer_rates import layer_depth, with_layer_rates


def test_depths_of_bert_and_distilbert_names() -> None:
    assert layer_depth("bert.embeddings.word_embeddings.weight", 6) == 0
    assert layer_depth("bert.encoder.layer.0.attention.self.query.weight", 6) == 1
    assert layer_depth("bert.encoder.layer.5.output.dense.bias", 6) == 6
    assert layer_depth("distilbert.transformer.layer.2.ffn.lin1.weight", 6) == 3
    assert layer_depth("bert.pooler.dense.weight", 6) == 7
    assert layer_depth("classifier.weight", 6) == 7


def test_each_parameter_gets_its_layers_rate_once(tiny_model_dir: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(str(tiny_model_dir))  # 2 layers
    decayed = [p for n, p in model.named_parameters() if not n.endswith("bias")]
    plain = [p for n, p in model.named_parameters() if n.endswith("bias")]
    optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": 0.01}, {"params": plain, "weight_decay": 0.0}], lr=1e-3)
    out = with_layer_rates(optimizer, model, 0.5)
    seen = [id(p) for group in out.param_groups for p in group["params"]]
    assert sorted(seen) == sorted(id(p) for p in model.parameters())  # each once
    rate = {id(p): group["lr"] for group in out.param_groups for p in group["params"]}
    decay = {id(p): group["weight_decay"] for group in out.param_groups for p in group["params"]}
    named = dict(model.named_parameters())
    assert rate[id(named["classifier.weight"])] == pytest.approx(1e-3)
    assert rate[id(named["bert.encoder.layer.1.output.dense.weight"])] == pytest.approx(0.5e-3)
    assert rate[id(named["bert.encoder.layer.0.output.dense.weight"])] == pytest.approx(0.25e-3)
    assert rate[id(named["bert.embeddings.word_embeddings.weight"])] == pytest.approx(0.125e-3)
    assert decay[id(named["bert.encoder.layer.0.output.dense.weight"])] == 0.01
    assert decay[id(named["bert.encoder.layer.0.output.dense.bias"])] == 0.0
    assert with_layer_rates(optimizer, model, 1.0) is optimizer

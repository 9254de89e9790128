"""Layer-wise learning-rate decay: lower layers of the encoder learn more slowly than upper ones.

With ``decay`` < 1, a parameter ``k`` layers below the classifier head trains at ``decay ** k``
times the learning rate (the embeddings are the bottom, then encoder layer 1 .. N, then the
pooler and head at the full rate): the pretrained lower layers hold general features that a few
hundred rows should not overwrite (Sun et al. 2019; ELECTRA, DeBERTa fine-tuning recipes).
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from typing import Any

_LAYER = re.compile(r"\.layers?\.(\d+)\.")  # BERT/RoBERTa/ELECTRA "encoder.layer.N.", DistilBERT "transformer.layer.N."


def layer_depth(name: str, layers: int) -> int:
    """0 for embeddings, 1..``layers`` for encoder layers, ``layers + 1`` for what sits above them."""
    match = _LAYER.search(name)
    if match:
        return min(int(match.group(1)) + 1, layers)
    if "embeddings" in name:
        return 0
    return layers + 1


def encoder_layers(model: Any) -> int:
    config = getattr(model, "config", None)
    for attribute in ("num_hidden_layers", "n_layers", "num_layers"):
        value = getattr(config, attribute, None)
        if isinstance(value, int) and value > 0:
            return value
    return 0


def with_layer_rates(optimizer: Any, model: Any, decay: float) -> Any:
    """A new optimizer of ``optimizer``'s class over the same parameters, each of its groups split
    by layer depth and given ``decay ** (layers + 1 - depth)`` times the group's learning rate."""
    layers = encoder_layers(model)
    if decay == 1.0 or layers == 0:
        return optimizer
    names = {id(parameter): name for name, parameter in model.named_parameters()}
    groups: list[dict[str, Any]] = []
    for group in optimizer.param_groups:
        by_depth: dict[int, list[Any]] = defaultdict(list)
        for parameter in group["params"]:
            by_depth[layer_depth(names.get(id(parameter), ""), layers)].append(parameter)
        settings = {key: value for key, value in group.items() if key != "params"}
        for depth, parameters in sorted(by_depth.items()):
            groups.append({**settings, "params": parameters, "lr": group["lr"] * decay ** (layers + 1 - depth)})
    # defaults may hold settings the constructor does not take (AdamW's decoupled_weight_decay)
    accepted = inspect.signature(type(optimizer).__init__).parameters
    return type(optimizer)(groups, **{key: value for key, value in optimizer.defaults.items() if key in accepted})

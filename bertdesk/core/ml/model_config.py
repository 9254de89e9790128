"""``config.json`` checked before any model is built from it.

transformers builds whatever a config describes: ``num_hidden_layers: 100000`` builds for
minutes, ``"abc"`` or an ``id2label`` list fails deep inside with an error that names neither
field nor file. :func:`read_config` reads the file once and refuses, in one line naming the field
and the file, values no real encoder has. The limits are generous (the largest BERT-style
encoders are far below them); a config within them that still does not fit its weights is
caught by the weight checks in :mod:`bertdesk.core.ml.model_weights`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bertdesk.core.errors import ModelError

CONFIG_FILE = "config.json"
MAX_LAYERS = 128
MAX_HEADS = 128
MAX_HIDDEN = 16_384
MAX_INTERMEDIATE = 4 * MAX_HIDDEN
MAX_VOCAB = 1_000_000
MAX_POSITIONS = 65_536
MAX_LABELS = 10_000

# field -> (upper limit, the names other model types use for it). The BERT names must be whole
# numbers when present; the other names are checked only when they hold a value (GPT-2's n_inner
# may be null, meaning "4 x hidden").
SIZE_FIELDS: dict[str, tuple[int, tuple[str, ...]]] = {
    "num_hidden_layers": (MAX_LAYERS, ("n_layers", "n_layer", "num_layers")),
    "num_attention_heads": (MAX_HEADS, ("n_heads", "n_head")),
    "hidden_size": (MAX_HIDDEN, ("dim", "n_embd", "d_model")),
    "intermediate_size": (MAX_INTERMEDIATE, ("hidden_dim", "n_inner", "ffn_dim")),
    "vocab_size": (MAX_VOCAB, ()),
    "max_position_embeddings": (MAX_POSITIONS, ("n_positions",)),
}


def read_config(folder: Path) -> dict[str, Any]:
    """``folder/config.json`` as a dict, refused (:class:`ModelError`) when it is not one a
    model can safely be built from."""
    path = Path(folder) / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ModelError(f"{folder} is not a model folder: it has no {CONFIG_FILE}.") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ModelError(f"Cannot read {path}: {err}") from err
    try:
        config = json.loads(text)
    except ValueError as err:
        where = f" at line {err.lineno}, column {err.colno}" if isinstance(err, json.JSONDecodeError) else ""
        reason = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
        raise ModelError(f"{path} is not valid JSON: {reason}{where}.") from err
    check_config(config, path)
    checked: dict[str, Any] = config  # check_config refuses anything but a JSON object
    return checked


def check_config(config: Any, path: Path) -> None:
    """Raise :class:`ModelError` naming the first field of ``config`` (read from ``path``) that is
    of the wrong type or beyond the limits."""
    if not isinstance(config, dict):
        raise ModelError(f"{path} must hold a JSON object, not {_kind(config)}.")

    def bad(message: str) -> ModelError:
        return ModelError(f"{path}: {message}")

    sizes: dict[str, int] = {}
    for name, (limit, aliases) in SIZE_FIELDS.items():
        present = [(name, config[name])] if name in config else []
        present += [(alias, config[alias]) for alias in aliases if config.get(alias) is not None]
        for field, value in present:
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad(f"{field} must be a whole number, not {_shown(value)}.")
            if value < 1:
                raise bad(f"{field} is {value}; it must be at least 1.")
            if value > limit:
                raise bad(f"{field} is {value}; bertdesk loads models with at most {limit}.")
            sizes.setdefault(name, value)
    hidden, heads = sizes.get("hidden_size"), sizes.get("num_attention_heads")
    if hidden and heads and config.get("head_dim") is None and hidden % heads:
        raise bad(f"hidden_size {hidden} is not divisible by num_attention_heads {heads}.")
    architectures = config.get("architectures")
    if architectures is not None and not (isinstance(architectures, list) and all(isinstance(a, str) for a in architectures)):
        raise bad(f"architectures must be a list of class names, not {_shown(architectures)}.")
    model_type = config.get("model_type")
    if model_type is not None and not isinstance(model_type, str):
        raise bad(f"model_type must be a text, not {_shown(model_type)}.")
    _check_labels(config, bad)


def _check_labels(config: dict[str, Any], bad: Any) -> None:
    id2label = config.get("id2label")
    label2id = config.get("label2id")
    if label2id is not None and not isinstance(label2id, dict):
        raise bad(f"label2id must be an object mapping label names to numbers, not {_kind(label2id)}.")
    if id2label is None:
        return
    if not isinstance(id2label, dict):
        raise bad(f'id2label must be an object like {{"0": "negative", "1": "positive"}}, not {_kind(id2label)}.')
    if len(id2label) > MAX_LABELS:
        raise bad(f"id2label has {len(id2label)} labels; at most {MAX_LABELS} are supported.")
    ids: dict[int, str] = {}
    for key, name in id2label.items():
        if not (isinstance(key, str) and key.isdigit() and str(int(key)) == key):
            raise bad(f"id2label key {key!r} is not a number (0, 1, 2, ...).")
        if not isinstance(name, str):
            raise bad(f"id2label[{key}] must be a text (the label's name), not {_shown(name)}.")
        ids[int(key)] = name
    if sorted(ids) != list(range(len(ids))):
        found = ", ".join(str(i) for i in sorted(ids)[:6]) + (", ..." if len(ids) > 6 else "")
        raise bad(f"id2label keys must be 0 to {len(ids) - 1}; found {found}.")
    seen: set[str] = set()
    for i in range(len(ids)):
        if ids[i] in seen:
            raise bad(f"label {ids[i]!r} appears twice in id2label.")
        seen.add(ids[i])
    if label2id is not None and label2id != {name: i for i, name in ids.items()}:
        raise bad("label2id does not match id2label (each label must map back to its own number).")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    if value is None:
        return "null"
    return "an object"


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) or value is None else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."

"""Strict weight loading: a model is used only when its weights cover it.

transformers fills every weight a checkpoint lacks with random numbers and logs a report
(which bertdesk mutes): a folder whose classifier weights were deleted predicts at chance, with
no word. :func:`load_checked` loads with ``output_loading_info=True`` and refuses, in one line,
weights that are missing, left over or of another shape, except the gaps a job expects:

* training from a base model creates a new classification head (and a pooler, which
  sentence-transformers checkpoints such as the bundled MiniLM may lack);
* a bare encoder, loaded for attention, never uses a pooler or the heads a checkpoint was
  pretrained or fine-tuned with.

Before building anything it compares the parameter count ``config.json`` describes (counted on
torch's ``meta`` device, which allocates nothing) with what the weights file holds: a config
that would build billions of random parameters around a small checkpoint is refused at once
instead of exhausting memory. transformers' own allowances (``position_ids`` buffers, weights
tied to the embeddings) are already out of its report.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from bertdesk.core.errors import ModelError

log = logging.getLogger(__name__)

WEIGHTS_FILE = "model.safetensors"
WEIGHTS_INDEX = "model.safetensors.index.json"
NAMES_SHOWN = 3
# A config may describe a little more than its checkpoint holds (a new head and pooler: at most
# a few million parameters); beyond twice the checkpoint plus this, building it is refused.
SIZE_SLACK = 10_000_000
_POOLER = re.compile(r"(^|\.)pooler\.")
_HEADER_LIMIT = 100_000_000  # bytes of a safetensors header we are willing to parse


def load_checked(
    auto_class: Any, folder: Path, name: str, kwargs: dict[str, Any], *, new_head: bool = False, encoder: bool = False
) -> tuple[Any, list[str]]:
    """``auto_class.from_pretrained(folder, **kwargs)``, refused unless the weights cover the model.

    Args:
        new_head: training: the classification head may be missing or of another shape (it is
            created), so may a pooler, and the checkpoint may hold weights the classifier does
            not use (a pretraining head).
        encoder: a bare encoder for attention: a missing pooler and unused checkpoint weights are fine.

    Returns:
        the model, and the names of the head weights created fresh (a new head), sorted; a
        pooler created fresh is not among them.

    Raises:
        ModelError: one line naming the weights file, what does not fit (count and first names).
    """
    config_keys = ("num_labels", "id2label", "label2id")
    _check_size(auto_class, folder, name, {k: v for k, v in kwargs.items() if k in config_keys})
    try:
        model, info = auto_class.from_pretrained(str(folder), output_loading_info=True, ignore_mismatched_sizes=True, **kwargs)
    except Exception as err:  # noqa: BLE001 - many failure types; the user needs one line
        raise ModelError(f"Cannot load {name}: {_first_line(err)}") from err
    missing = _untied(model, set(info.get("missing_keys") or ()))
    unexpected = set(info.get("unexpected_keys") or ())
    mismatched = {key: (tuple(old), tuple(new)) for key, old, new in info.get("mismatched_keys") or ()}
    errors = [str(e) for e in info.get("error_msgs") or ()]
    created: set[str] = set()
    if new_head or encoder:
        head = _head_keys(model) if new_head else set()
        created = {k for k in missing | set(mismatched) if k in head or _POOLER.search(k)}
        missing -= created
        mismatched = {k: v for k, v in mismatched.items() if k not in created}
        unexpected = set()
    problems = _describe(missing, unexpected, mismatched, errors)
    if problems:
        where = WEIGHTS_FILE if (folder / WEIGHTS_FILE).is_file() else WEIGHTS_INDEX
        raise ModelError(
            f"{name} does not fit its weights: {where} {problems}. bertdesk does not run a model with missing "
            f"or random weights: re-train it, or restore the folder {folder}."
        )
    if created:
        log.info("%s: created %d new weights (%s)", name, len(created), _names(created))
    return model, sorted(k for k in created if not _POOLER.search(k))


def _untied(model: Any, missing: set[str]) -> set[str]:
    """``missing`` without weights tied to one that was loaded (they are the same tensor)."""
    tied = getattr(model, "all_tied_weights_keys", None) or {}
    return {k for k in missing if not (k in tied and tied[k] not in missing)}


def _head_keys(model: Any) -> set[str]:
    """Names of the weights outside the base model (the task head) of a head model."""
    prefix = getattr(model, "base_model_prefix", "") or ""
    if not prefix or not hasattr(model, prefix):
        return set()
    return {k for k in model.state_dict() if not k.startswith(prefix + ".")}


def _describe(
    missing: set[str], unexpected: set[str], mismatched: dict[str, tuple[tuple[int, ...], tuple[int, ...]]], errors: list[str]
) -> str:
    parts = []
    if missing:
        parts.append(f"lacks {_count(missing)} the model needs ({_names(missing)})")
    if unexpected:
        parts.append(f"holds {_count(unexpected)} the model does not have ({_names(unexpected)})")
    if mismatched:
        shown = [
            f"{k}: {_shape(mismatched[k][0])} in the file, {_shape(mismatched[k][1])} in config.json"
            for k in sorted(mismatched)[:NAMES_SHOWN]
        ]
        more = ", ..." if len(mismatched) > NAMES_SHOWN else ""
        parts.append(f"has {_count(mismatched)} of another shape ({'; '.join(shown)}{more})")
    if errors:
        parts.append(f"could not be read ({_first_line(errors[0])})")
    return "; ".join(parts)


def _count(keys: Any) -> str:
    return f"{len(keys)} weight{'s' if len(keys) != 1 else ''}"


def _names(keys: set[str]) -> str:
    ordered = sorted(keys)
    return ", ".join(ordered[:NAMES_SHOWN]) + (", ..." if len(ordered) > NAMES_SHOWN else "")


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(int(n)) for n in shape) or "scalar"


def _first_line(err: Any) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


# -- the size of what config.json describes vs the size of the weights ------------------------


def _check_size(auto_class: Any, folder: Path, name: str, config_kwargs: dict[str, Any]) -> None:
    held = checkpoint_parameters(folder)
    if held is None:
        return  # unreadable: from_pretrained says why
    described = _described_parameters(auto_class, folder, config_kwargs)
    if described is None or described <= 2 * held + SIZE_SLACK:
        return
    raise ModelError(
        f"{folder / 'config.json'} describes a model of {_amount(described)} parameters but "
        f"{WEIGHTS_FILE if (folder / WEIGHTS_FILE).is_file() else WEIGHTS_INDEX} holds {_amount(held)}: "
        f"config.json does not fit the weights of {name}; restore the config.json saved with them."
    )


def checkpoint_parameters(folder: Path) -> int | None:
    """How many numbers the safetensors weights of ``folder`` hold, read from the file headers
    only; None when they cannot be read."""
    files = [folder / WEIGHTS_FILE]
    if not files[0].is_file():
        try:
            index = json.loads((folder / WEIGHTS_INDEX).read_text(encoding="utf-8"))
            files = [folder / shard for shard in sorted(set(index["weight_map"].values()))]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
    total = 0
    for path in files:
        try:
            with path.open("rb") as stream:
                size = int.from_bytes(stream.read(8), "little")
                if not 0 < size <= _HEADER_LIMIT:
                    return None
                header = json.loads(stream.read(size))
            for key, entry in header.items():
                if key != "__metadata__":
                    count = 1
                    for n in entry["shape"]:
                        count *= int(n)
                    total += count
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
    return total


def _described_parameters(auto_class: Any, folder: Path, config_kwargs: dict[str, Any]) -> int | None:
    """Parameters of the model ``config.json`` describes, built on the meta device (no memory)."""
    import torch
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(str(folder), trust_remote_code=False, **config_kwargs)
        with torch.device("meta"):
            model = auto_class.from_config(config, trust_remote_code=False)
        return int(sum(p.numel() for p in model.parameters()))
    except Exception as err:  # noqa: BLE001 - no estimate: from_pretrained will say what is wrong
        log.debug("cannot count the parameters of %s: %s", folder, err)
        return None


def _amount(n: int) -> str:
    for size, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if n >= size:
            return f"{n / size:.1f} {word}"
    return str(n)

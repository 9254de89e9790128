"""Run a fine-tuned classifier over many texts, fast on a laptop CPU and on a GPU.

Speed comes from doing less and batching well, not from a special runtime:

* texts are tokenised once per *chunk* (a few thousand rows) with the fast tokenizer, with no
  padding; a million rows never hold all their tensors at once;
* within a chunk, rows are sorted by length and cut into batches bounded by a *token budget*
  (rows x padded length), so a batch of tweets holds many rows and a batch of long reviews a
  few. Padding is to the longest row of the batch only (dynamic padding). A fixed row count
  is a poor fit on a CPU: 64 texts of ~275 tokens ran slower than batches of one, because the
  attention and activation tensors fall out of the cache;
* ``torch.inference_mode`` and bf16 on hardware that has it (see :mod:`bertdesk.core.ml.devices`).

torch and transformers are imported inside the functions (importing this module stays cheap).
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bertdesk.core.errors import ModelError
from bertdesk.core.ml.devices import DeviceInfo, choose_device, choose_precision
from bertdesk.core.ml.inference_shortcuts import first_token_last_layer, use_padding_mask_attention
from bertdesk.core.ml.models import ModelSource, input_token_limit, load_classifier, load_tokenizer, read_model_info, resolve_model_source
from bertdesk.core.ml.truncation import encode_cut
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress

if TYPE_CHECKING:
    import pandas as pd
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

# Tokens per batch (rows x padded length). Measured on a 2-core AVX512-BF16 CPU with the
# bundled MiniLM in bf16 (best of 3 interleaved runs, texts/s short | long): 512 -> 333 | 36,
# 1024 -> 546 | 38, 2048 -> 473 | 34, 4096 -> 427 | 33. So ~1,000 tokens: ~40 tweets or 4
# reviews of 256 tokens a batch. GPUs want far bigger batches.
CPU_TOKEN_BUDGET = 1024
GPU_TOKEN_BUDGET = 65_536
# Rows tokenised and sorted together. Larger chunks sort better (less padding) but hold more
# token lists in memory; 8,192 rows of 512 tokens are ~32 MB of ids.
CHUNK_ROWS = 8192
PROBABILITY_PREFIX = "p_"
# bf16 on the CPU: cast the weights to bf16 (True) or keep fp32 weights under autocast (False).
# Measured twice, interleaved in one process, labels 100 % the same either way: on one 2-core
# AVX512-BF16 CPU autocast was as fast or faster (short texts 546 vs 480 texts/s, long 38 vs
# 36); on a later one (AMD EPYC, AVX512-BF16, bf16 matmul 924 GFLOP/s) bf16 weights won clearly
# (short 1,143 vs 906 texts/s, long 71.3 vs 60.2 and 82.4 vs 75.3): autocast re-casts every
# weight and the activations between ops on every batch, which a faster matmul no longer hides.
CPU_BF16_WEIGHTS = True


@dataclass
class Predictor:
    """A classifier loaded and placed on a device, ready for :func:`predict`.

    Load once with :func:`load_predictor` and reuse it for many calls. A bare encoder (no head,
    ``labels`` empty) serves :mod:`~bertdesk.core.ml.embeddings` the same way.

    Attributes:
        model: the sequence-classification model (eval mode, on ``device``).
        tokenizer: its fast tokenizer.
        labels: class names in the model's output order (``id2label``).
        device: where the model runs.
        precision: ``fp32``, ``bf16`` or ``fp16``.
        max_length: the longest input in tokens; longer texts are truncated (for a bertdesk
            run, the max length it was trained and validated with).
        name: what to show a person.
    """

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    labels: list[str]
    device: DeviceInfo
    precision: str
    max_length: int
    name: str = ""
    truncation: str = "head"  # where long texts are cut: as the run that trained the model cut them

    def describe(self) -> str:
        """One line, e.g. ``model on CPU: AMD EPYC, 2 cores (bf16), computing in bf16``."""
        return f"{self.name} on {self.device.describe()}, computing in {self.precision}"


@dataclass
class Predictions:
    """What :func:`predict` returns: one entry per input text, in input order.

    Attributes:
        labels: class names; column ``j`` of ``probabilities`` is ``labels[j]``.
        predicted: class id of the most probable class, int64[n].
        confidence: probability of the predicted class, float32[n].
        probabilities: softmax over classes, float32[n, k].
        embeddings: mean-pooled last hidden state, float32[n, hidden] (only on request).
        precision: the number format that produced them.
        device: the device kind (``cpu``, ``cuda``, ``mps``).
        seconds: wall time of the prediction (not counting model loading).
    """

    labels: list[str]
    predicted: np.ndarray
    confidence: np.ndarray
    probabilities: np.ndarray
    embeddings: np.ndarray | None = None
    precision: str = "fp32"
    device: str = "cpu"
    seconds: float = 0.0

    def __len__(self) -> int:
        return int(self.predicted.shape[0])

    @property
    def predicted_labels(self) -> list[str]:
        """The predicted class name of each row."""
        names = self.labels
        return [names[i] for i in self.predicted.tolist()]

    def to_frame(self) -> pd.DataFrame:
        """``predicted_label``, ``confidence`` and one ``p_<label>`` column per class."""
        import pandas as pd

        data: dict[str, Any] = {"predicted_label": pd.Series(self.predicted_labels, dtype="str"), "confidence": self.confidence}
        for j, name in enumerate(self.labels):
            data[f"{PROBABILITY_PREFIX}{name}"] = self.probabilities[:, j]
        return pd.DataFrame(data)


def load_predictor(model: str | os.PathLike[str] | ModelSource | None, *, device: str = "auto", precision: str = "auto") -> Predictor:
    """Load a classifier folder for prediction on ``device`` in ``precision``.

    Raises:
        ModelError: missing folder, a config.json beyond bertdesk's limits, weights that do not
            cover the model, or a model with no classification head.
        DeviceError: the device or precision is not available.
    """
    # The folder and its config.json first: a bad one is refused before torch is even imported.
    source = model if isinstance(model, ModelSource) else resolve_model_source(model)
    info = read_model_info(source.path)
    if not info.is_classifier:
        raise ModelError(f"{source.name} has no classification head; train one first.")
    target = choose_device(device)
    chosen = choose_precision(target, precision)
    tokenizer = load_tokenizer(source)
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(f"{source.name} has no fast tokenizer (tokenizer.json); it cannot be used for prediction.")
    net = place_model(load_classifier(source), target, chosen)
    # The run's own max length: texts are cut where training and validation cut them.
    return Predictor(net, tokenizer, info.labels, target, chosen, input_token_limit(info, tokenizer), source.name, info.trained_truncation)


def place_model(model: PreTrainedModel, target: DeviceInfo, chosen: str) -> PreTrainedModel:
    """Ready a loaded model for inference: fp32 weights (or bf16 where that pays), eval mode, on
    ``target``, with the compact padding mask (:mod:`~bertdesk.core.ml.inference_shortcuts`)."""
    import torch

    # transformers 5 loads weights in the checkpoint's dtype; compute starts from fp32 and
    # bf16/fp16 are applied by :func:`precision_context`, so a bf16 checkpoint still predicts in
    # fp32 when asked.
    net: PreTrainedModel = model.float()
    if chosen == "bf16" and target.kind == "cpu" and CPU_BF16_WEIGHTS:
        # No re-cast of every weight on every batch (see CPU_BF16_WEIGHTS); autocast stays on
        # for the ops that need fp32.
        net = net.to(torch.bfloat16)  # type: ignore[arg-type]  # nn.Module.to takes a dtype too
    net.eval().to(target.torch_device)
    use_padding_mask_attention(net)
    return net


def predict(
    model: Predictor | str | os.PathLike[str] | ModelSource | None,
    texts: Sequence[str],
    *,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    embeddings: bool = False,
    batch_size: int | None = None,
    token_budget: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    device: str = "auto",
    precision: str = "auto",
) -> Predictions:
    """Classify ``texts`` with ``model``.

    Args:
        model: a :class:`Predictor` (reused as is) or a model folder / source to load.
        texts: the texts, in the order results are wanted. Non-strings are turned into text;
            None becomes "".
        on_progress: called after each batch with rows done so far.
        cancel: checked before every batch; when set, :class:`Cancelled` is raised.
        embeddings: also return the mean-pooled last hidden state of every row.
        batch_size: at most this many rows per batch, on top of the token budget.
        token_budget: at most this many tokens (rows x padded length) per batch; default
            :data:`CPU_TOKEN_BUDGET` or :data:`GPU_TOKEN_BUDGET`.
        chunk_rows: rows tokenised and sorted together.
        device, precision: used only when ``model`` is not already a :class:`Predictor`.

    Raises:
        Cancelled: ``cancel`` was set; nothing is returned.
        ModelError: the model cannot be loaded or is not a classifier.
    """
    import torch

    predictor = model if isinstance(model, Predictor) else load_predictor(model, device=device, precision=precision)
    started = time.perf_counter()
    n = len(texts)
    k = len(predictor.labels)
    probabilities = np.zeros((n, k), dtype=np.float32)
    pooled: np.ndarray | None = None
    done = 0
    on_progress(Progress(0, n, f"Predicting {n:,} rows"))
    # Classification reads only the first token's final state, so (without embeddings) the
    # last layer computes just that position: ~15-20% faster on BERT-style models.
    shortcut = contextlib.nullcontext() if embeddings else first_token_last_layer(predictor.model)
    with torch.inference_mode(), precision_context(predictor), shortcut:
        for rows, inputs in sorted_batches(
            predictor, texts, batch_size=batch_size, token_budget=token_budget, chunk_rows=chunk_rows, cancel=cancel
        ):
            probs, hidden = _forward(predictor, inputs, embeddings)
            probabilities[rows] = probs
            if hidden is not None:
                if pooled is None:
                    pooled = np.zeros((n, hidden.shape[1]), dtype=np.float32)
                pooled[rows] = hidden
            done += len(rows)
            on_progress(Progress(done, n, f"Predicted {done:,} of {n:,} rows"))
    if embeddings and pooled is None:
        pooled = np.zeros((0, int(getattr(predictor.model.config, "hidden_size", 0))), dtype=np.float32)
    predicted = probabilities.argmax(axis=1).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    confidence = probabilities[np.arange(n), predicted] if n else np.zeros(0, dtype=np.float32)
    return Predictions(
        labels=list(predictor.labels),
        predicted=predicted,
        confidence=confidence.astype(np.float32),
        probabilities=probabilities,
        embeddings=pooled,
        precision=predictor.precision,
        device=predictor.device.kind,
        seconds=time.perf_counter() - started,
    )


def sorted_batches(
    predictor: Predictor,
    texts: Sequence[str],
    *,
    batch_size: int | None = None,
    token_budget: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    cancel: CancelToken | None = None,
) -> Iterator[tuple[np.ndarray, dict[str, torch.Tensor]]]:
    """The model inputs for ``texts``, batch by batch: ``(positions in texts, padded tensors on
    the device)``.

    Texts are tokenised a chunk at a time (cut at ``predictor.max_length``), sorted by length
    within the chunk and cut into batches of at most ``token_budget`` tokens (default
    :data:`CPU_TOKEN_BUDGET` or :data:`GPU_TOKEN_BUDGET`) and ``batch_size`` rows, padded to
    the batch's longest row. ``cancel`` is checked before every batch (:class:`Cancelled`).
    """
    if not isinstance(texts, list):
        texts = list(texts)  # positional slicing for any sequence (a pandas Series included)
    budget = token_budget or (CPU_TOKEN_BUDGET if predictor.device.kind == "cpu" else GPU_TOKEN_BUDGET)
    max_rows = max(1, int(batch_size)) if batch_size else None
    for start in range(0, len(texts), max(1, int(chunk_rows))):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = [_as_text(t) for t in texts[start : start + chunk_rows]]
        encoded = encode_cut(predictor.tokenizer, chunk, predictor.max_length, predictor.truncation, padding=False)
        ids: list[list[int]] = encoded["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for batch in length_batches(order, [len(x) for x in ids], budget, max_rows):
            if cancel is not None:
                cancel.raise_if_cancelled()
            yield np.asarray(batch, dtype=np.int64) + start, _pad(predictor, encoded, batch)


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def length_batches(order: list[int], lengths: list[int], budget: int, max_rows: int | None) -> Iterator[list[int]]:
    """Cut ``order`` (rows sorted by length, shortest first) into batches within ``budget`` tokens.

    Rows are sorted ascending, so the newest row is the longest of its batch and the padded
    size is ``rows x its length``. A single row longer than the budget still gets a batch.
    """
    batch: list[int] = []
    for i in order:
        if batch and ((len(batch) + 1) * lengths[i] > budget or (max_rows is not None and len(batch) >= max_rows)):
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch


def _pad(predictor: Predictor, encoded: Any, batch: list[int]) -> dict[str, torch.Tensor]:
    """Right- (or left-) pad the rows of ``batch`` to the longest of them, as tensors on the device."""
    import torch

    tokenizer = predictor.tokenizer
    width = max(len(encoded["input_ids"][i]) for i in batch)
    left = getattr(tokenizer, "padding_side", "right") == "left"
    pad_values = {
        "input_ids": tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0,
        "token_type_ids": getattr(tokenizer, "pad_token_type_id", 0) or 0,
        "attention_mask": 0,
    }
    out: dict[str, torch.Tensor] = {}
    for key, pad in pad_values.items():
        if key not in encoded:
            continue
        column = encoded[key]
        array = np.full((len(batch), width), pad, dtype=np.int64)
        for r, i in enumerate(batch):
            row = column[i]
            if left:
                array[r, width - len(row) :] = row
            else:
                array[r, : len(row)] = row
        out[key] = torch.from_numpy(array).to(predictor.device.torch_device)
    if "attention_mask" not in out:
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, i in enumerate(batch):
            length = len(encoded["input_ids"][i])
            if left:
                mask[r, width - length :] = 1
            else:
                mask[r, :length] = 1
        out["attention_mask"] = torch.from_numpy(mask).to(predictor.device.torch_device)
    return out


def _forward(predictor: Predictor, inputs: dict[str, torch.Tensor], embeddings: bool) -> tuple[np.ndarray, np.ndarray | None]:
    import torch

    output = predictor.model(**inputs, output_hidden_states=embeddings)
    # Softmax in fp32 whatever the compute precision: probabilities are stored and compared.
    probs = torch.softmax(output.logits.float(), dim=-1).cpu().numpy()
    if not embeddings:
        return probs, None
    return probs, mean_pool(output.hidden_states[-1], inputs["attention_mask"]).cpu().numpy()


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of each row's token states over its real tokens (padding left out), in fp32:
    ``[batch, seq, hidden]`` -> ``[batch, hidden]``, the sentence-transformers pooling."""
    hidden = hidden.float()
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


def precision_context(predictor: Predictor) -> contextlib.AbstractContextManager[Any]:
    import torch

    kind = predictor.device.kind
    if predictor.precision == "bf16":
        return torch.autocast(device_type="cpu" if kind == "cpu" else kind, dtype=torch.bfloat16)
    if predictor.precision == "fp16":
        return torch.autocast(device_type=kind, dtype=torch.float16)
    return contextlib.nullcontext()

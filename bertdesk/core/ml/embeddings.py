"""Sentence embeddings from a model's encoder: one vector per text, for similar rows and label review.

A vector is the mean of the last layer's token states over the text's real tokens (padding left
out), the pooling all-MiniLM-L6-v2 was trained with, so cosine similarity between two vectors
says how alike two texts are. The encoder is loaded with ``AutoModel`` (no task head), so a base
model folder and a fine-tuned run folder both work; the batching (length-sorted, token-budget
batches, dynamic padding), the device and the number format are prediction's
(:mod:`bertdesk.core.ml.inference`). Vectors come back as float16: half the memory and disk,
and cosine similarities unchanged to ~3 decimals.

torch and transformers are imported inside the functions (importing this module stays cheap).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bertdesk.core.ml.devices import choose_device, choose_precision
from bertdesk.core.ml.inference import Predictor, mean_pool, place_model, precision_context, sorted_batches
from bertdesk.core.ml.model_weights import WEIGHTS_FILE, WEIGHTS_INDEX
from bertdesk.core.ml.models import input_token_limit, load_encoder, load_tokenizer, read_model_info, resolve_model_source
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, format_duration, no_progress

# Tokens kept per text. Similarity is about what a text is about, which its first 128 tokens
# say for nearly every spreadsheet cell; longer inputs cost quadratically in attention.
EMBEDDING_MAX_LENGTH = 128


def load_embedder(model_dir: Path, *, max_length: int = EMBEDDING_MAX_LENGTH, device: str = "auto", precision: str = "auto") -> Predictor:
    """The encoder of ``model_dir`` loaded for :func:`sentence_embeddings` (load once, embed many times).

    ``auto`` computes in bf16 only on hardware that has it (see
    :func:`~bertdesk.core.ml.devices.choose_precision`).

    Raises:
        ModelError: the folder is not a model, or its weights do not cover the encoder.
        DeviceError: the device or precision is not available.
    """
    source = resolve_model_source(model_dir)
    info = read_model_info(source.path)
    target = choose_device(device)
    chosen = choose_precision(target, precision)
    tokenizer = load_tokenizer(source)
    encoder = place_model(load_encoder(source), target, chosen)
    limit = max(2, min(int(max_length), input_token_limit(info, tokenizer)))
    return Predictor(encoder, tokenizer, [], target, chosen, limit, source.name, info.trained_truncation)


def sentence_embeddings(
    model_dir: Path | Predictor,
    texts: Sequence[str],
    *,
    max_length: int = EMBEDDING_MAX_LENGTH,
    batch_size: int = 64,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    device: str = "auto",
    precision: str = "auto",
) -> np.ndarray:
    """The mean-pooled last hidden state of every text, float16 ``[len(texts), hidden]``, in
    input order, not normalised.

    Args:
        model_dir: a model folder (a base model or a fine-tuned run; its head is not used), or
            an encoder from :func:`load_embedder` (then ``max_length``, ``device`` and
            ``precision`` are the ones it was loaded with).
        texts: the texts; None and NaN count as "" (an empty text still gets a vector).
        max_length: tokens kept per text (never more than the model reads).
        batch_size: at most this many rows per batch, on top of prediction's token budget.
        on_progress: rows done so far, with the time left.
        cancel: checked before every batch.
        device, precision: as for :func:`load_embedder`.

    Raises:
        Cancelled: ``cancel`` was set; nothing is returned.
        ModelError: the folder is not a model, or its weights do not cover the encoder.
        DeviceError: the device or precision is not available.
    """
    import torch

    if isinstance(model_dir, Predictor):
        embedder = model_dir
    else:
        embedder = load_embedder(model_dir, max_length=max_length, device=device, precision=precision)
    n = len(texts)
    vectors = np.zeros((n, int(embedder.model.config.hidden_size)), dtype=np.float16)
    # One report a batch, as prediction does (a few per second); the GUI's worker throttles.
    on_progress(Progress(0, n, f"Embedding {n:,} rows with {embedder.name}"))
    started = time.monotonic()
    done = 0
    with torch.inference_mode(), precision_context(embedder):
        for rows, inputs in sorted_batches(embedder, texts, batch_size=batch_size, cancel=cancel):
            hidden = embedder.model(**inputs).last_hidden_state
            vectors[rows] = mean_pool(hidden, inputs["attention_mask"]).cpu().numpy()
            done += len(rows)
            on_progress(Progress(done, n, _progress_message(done, n, time.monotonic() - started)))
    return vectors


def _progress_message(done: int, total: int, elapsed: float) -> str:
    # Rows are sorted by length within each chunk, shortest first, so an estimate from the
    # first batches of a chunk runs low; it corrects itself as the chunk goes on.
    left = elapsed / done * (total - done) if done else None
    tail = f", {format_duration(left)} left" if left is not None and done < total else ""
    return f"Embedded {done:,} of {total:,} rows{tail}"


def embedding_key(model_dir: Path, *, max_length: int = EMBEDDING_MAX_LENGTH) -> str:
    """A stable identity for the vectors ``model_dir`` gives: its resolved path, the size and
    modification time of its weights file(s) and the tokens kept per text. A retrained or
    replaced model (same folder, new weights) gets a new key, so stored vectors are not reused
    for it.

    Raises:
        ModelError: the folder is not a model.
    """
    path = resolve_model_source(model_dir).path.resolve()
    stamps = [_stamp(path / name) for name in _weights_files(path)]
    return f"{path}|{';'.join(stamps)}|mean{int(max_length)}"


def _weights_files(path: Path) -> list[str]:
    if (path / WEIGHTS_FILE).is_file():
        return [WEIGHTS_FILE]
    import json

    try:
        index = json.loads((path / WEIGHTS_INDEX).read_text(encoding="utf-8"))
        shards = sorted({str(name) for name in index["weight_map"].values()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        shards = []
    return [WEIGHTS_INDEX, *shards]


def _stamp(file: Path) -> str:
    try:
        stat = file.stat()
    except OSError:
        return f"{file.name}:missing"
    return f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}"

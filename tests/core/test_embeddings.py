"""core.ml.embeddings: the same vectors as a plain AutoModel + mean pooling, in input order, however batched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from bertdesk.core.errors import Cancelled, ModelError
from bertdesk.core.ml.embeddings import embedding_key, sentence_embeddings
from bertdesk.core.progress import CancelToken, Progress
from tests.tiny_model import tiny_texts

TEXTS, _ = tiny_texts(40, seed=4)
# Lengths vary a lot so that sorting, padding and batching all matter.
MIXED = TEXTS[:16] + [" ".join(TEXTS[i : i + 5]) for i in range(0, 30, 3)] + ["", "!", "a " * 200]


def reference(folder: Path, texts: list[str], max_length: int = 128) -> np.ndarray:
    """Mean-pooled last hidden states from a direct transformers forward pass, one text at a time, fp32."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder, dtype=torch.float32).eval()
    out = []
    with torch.inference_mode():
        for text in texts:
            enc = tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt")
            out.append(model(**enc).last_hidden_state[0].mean(dim=0).numpy())
    return np.stack(out)


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a.astype(np.float32), b.astype(np.float32)
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_vectors_match_plain_mean_pooling_in_input_order(tiny_encoder_dir: Path) -> None:
    # Small batches, so the length sort spreads rows over many padded batches.
    vectors = sentence_embeddings(tiny_encoder_dir, MIXED, batch_size=4, precision="fp32")
    assert vectors.dtype == np.float16
    assert vectors.shape == (len(MIXED), 32)
    np.testing.assert_allclose(vectors.astype(np.float32), reference(tiny_encoder_dir, MIXED), atol=2e-3, rtol=2e-3)


def test_a_fine_tuned_folder_gives_its_encoder_vectors(tiny_model_dir: Path) -> None:
    """A classifier folder (a run) works too: its head is left out, its encoder is used."""
    vectors = sentence_embeddings(tiny_model_dir, TEXTS[:12], precision="fp32")
    np.testing.assert_allclose(vectors.astype(np.float32), reference(tiny_model_dir, TEXTS[:12]), atol=2e-3, rtol=2e-3)


def test_max_length_cuts_texts(tiny_encoder_dir: Path) -> None:
    long = ["good great love fast works thanks " * 10]
    vectors = sentence_embeddings(tiny_encoder_dir, long, max_length=8, precision="fp32")
    np.testing.assert_allclose(vectors.astype(np.float32), reference(tiny_encoder_dir, long, max_length=8), atol=2e-3, rtol=2e-3)


def test_missing_values_and_no_rows(tiny_encoder_dir: Path) -> None:
    vectors = sentence_embeddings(tiny_encoder_dir, [None, float("nan"), ""], precision="fp32")  # type: ignore[list-item]
    assert vectors.shape == (3, 32)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    np.testing.assert_array_equal(vectors[1], vectors[2])
    assert sentence_embeddings(tiny_encoder_dir, [], precision="fp32").shape == (0, 32)


def test_bf16_keeps_the_direction_of_every_vector(tiny_encoder_dir: Path) -> None:
    full = sentence_embeddings(tiny_encoder_dir, MIXED, precision="fp32")
    half = sentence_embeddings(tiny_encoder_dir, MIXED, precision="bf16")
    assert cosine_rows(full, half).min() >= 0.99


def test_progress_counts_every_row_and_says_the_time_left(tiny_encoder_dir: Path) -> None:
    reports: list[Progress] = []
    sentence_embeddings(tiny_encoder_dir, MIXED, batch_size=2, on_progress=reports.append)
    assert reports[0].done == 0 and reports[0].total == len(MIXED)
    assert reports[-1].done == reports[-1].total == len(MIXED)
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    assert "left" not in reports[-1].message


def test_time_left_is_in_the_message(tiny_encoder_dir: Path) -> None:
    reports: list[Progress] = []
    sentence_embeddings(tiny_encoder_dir, MIXED, batch_size=2, on_progress=reports.append)
    middle = [r for r in reports if 0 < r.done < r.total]
    assert middle and all(r.message.endswith(" left") for r in middle)


def test_cancel_before_and_during(tiny_encoder_dir: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        sentence_embeddings(tiny_encoder_dir, MIXED, cancel=token)

    token = CancelToken()
    seen: list[int] = []

    def cancel_after_first_batch(progress: Progress) -> None:
        seen.append(progress.done)
        if progress.done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        sentence_embeddings(tiny_encoder_dir, MIXED, batch_size=2, cancel=token, on_progress=cancel_after_first_batch)
    assert max(seen) < len(MIXED)


def test_not_a_model_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        sentence_embeddings(tmp_path, ["hello"])
    assert "config.json" in str(caught.value) and "\n" not in str(caught.value)


def test_embedding_key_is_stable_and_follows_the_weights(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(tiny_encoder_dir, tmp_path / "copy"))
    key = embedding_key(copy)
    assert embedding_key(copy) == key
    assert embedding_key(tmp_path / "." / "copy") == key  # the same folder however it is named
    assert embedding_key(tiny_encoder_dir) != key  # another folder
    assert embedding_key(copy, max_length=64) != key  # other vectors
    weights = copy / "model.safetensors"
    stat = weights.stat()
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # retrained in place
    assert embedding_key(copy) != key


@pytest.mark.slow
def test_real_model_puts_similar_texts_closer_than_unrelated_ones() -> None:
    from bertdesk.core.ml.models import bundled_model_path

    texts = [
        "My parcel has not arrived and the tracking has not changed for a week.",
        "The delivery is late, the package still shows as in transit.",
        "I was charged twice for the same order, please refund me.",
        "Why is there a second payment on my card for one purchase?",
        "The app crashes every time I open the settings screen.",
    ]
    unit = sentence_embeddings(bundled_model_path(), texts).astype(np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    cos = unit @ unit.T
    assert cos[0, 1] > max(cos[0, 2], cos[0, 3], cos[0, 4]) + 0.1
    assert cos[2, 3] > max(cos[2, 0], cos[2, 1], cos[2, 4]) + 0.1

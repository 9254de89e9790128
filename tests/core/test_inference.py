"""core.inference: same answers as a plain transformers forward pass, however the rows are batched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bertdesk.core.errors import Cancelled, ModelError
from bertdesk.core.ml.inference import Predictions, length_batches, load_predictor, predict
from bertdesk.core.progress import CancelToken, Progress
from tests.tiny_model import make_tiny_model, tiny_texts

TEXTS, _ = tiny_texts(60, seed=3)
# Lengths vary a lot so that sorting, padding and the token budget all matter.
MIXED = TEXTS[:20] + [" ".join(TEXTS[i : i + 6]) for i in range(0, 36, 3)] + ["", "!", "a " * 200]


@pytest.fixture(scope="module")
def sharp_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model briefly trained on the easy texts: confident, varied predictions.

    The random head of ``tiny_model_dir`` gives every row ~50/50, where the label is decided by
    noise in the 4th decimal; a trained model's labels are not that fragile.
    """
    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    folder = make_tiny_model(tmp_path_factory.mktemp("sharp") / "model", labels=["neg", "pos"], seed=5)
    model = BertForSequenceClassification.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    texts, labels = tiny_texts(256, seed=9)
    targets = torch.tensor([["neg", "pos"].index(x) for x in labels])
    torch.manual_seed(0)
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _epoch in range(4):
        for start in range(0, len(texts), 32):
            enc = tokenizer(texts[start : start + 32], padding=True, return_tensors="pt")
            loss = model(**enc, labels=targets[start : start + 32]).loss
            loss.backward()
            optimiser.step()
            optimiser.zero_grad()
    model.eval().save_pretrained(folder)
    return folder


def reference(folder: Path, texts: list[str]) -> np.ndarray:
    """Probabilities from a direct transformers forward pass, one text at a time, fp32."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder, dtype=torch.float32).eval()
    out = []
    with torch.inference_mode():
        for text in texts:
            enc = tokenizer(text, truncation=True, max_length=128, return_tensors="pt")
            out.append(torch.softmax(model(**enc).logits, dim=-1)[0].numpy())
    return np.stack(out)


def test_fp32_matches_transformers(tiny_model_dir: Path) -> None:
    result = predict(str(tiny_model_dir), MIXED, precision="fp32", device="cpu")
    expected = reference(tiny_model_dir, MIXED)
    assert isinstance(result, Predictions)
    assert result.labels == ["neg", "pos"]
    assert result.probabilities.dtype == np.float32 and result.probabilities.shape == (len(MIXED), 2)
    np.testing.assert_allclose(result.probabilities, expected, atol=1e-5)
    assert result.predicted.tolist() == expected.argmax(axis=1).tolist()
    np.testing.assert_allclose(result.confidence, expected.max(axis=1), atol=1e-5)
    assert result.predicted_labels == [result.labels[i] for i in expected.argmax(axis=1)]


def test_bf16_agrees_with_fp32(sharp_model_dir: Path) -> None:
    texts, labels = tiny_texts(300, seed=11)
    fp32 = predict(str(sharp_model_dir), texts, precision="fp32", device="cpu")
    bf16 = predict(str(sharp_model_dir), texts, precision="bf16", device="cpu")
    assert np.mean([a == b for a, b in zip(fp32.predicted_labels, labels)]) > 0.9  # the model learnt the easy texts
    assert bf16.precision == "bf16"
    agreement = float((fp32.predicted == bf16.predicted).mean())
    assert agreement >= 0.99, agreement
    assert np.abs(fp32.probabilities - bf16.probabilities).max() < 0.05


def test_chunking_gives_the_same_results(sharp_model_dir: Path) -> None:
    predictor = load_predictor(str(sharp_model_dir), device="cpu", precision="fp32")
    whole = predict(predictor, MIXED)
    chunked = predict(predictor, MIXED, chunk_rows=7)
    np.testing.assert_allclose(chunked.probabilities, whole.probabilities, atol=1e-6)
    assert chunked.predicted.tolist() == whole.predicted.tolist()


def test_token_budget_matches_batch_size_one(sharp_model_dir: Path) -> None:
    predictor = load_predictor(str(sharp_model_dir), device="cpu", precision="fp32")
    one = predict(predictor, MIXED, batch_size=1)
    budget = predict(predictor, MIXED, token_budget=256)
    big = predict(predictor, MIXED, token_budget=100_000)
    for other in (budget, big):
        np.testing.assert_allclose(other.probabilities, one.probabilities, atol=1e-5)
        assert other.predicted.tolist() == one.predicted.tolist()


def test_batches_respect_the_budget_and_row_cap() -> None:
    lengths = [3, 5, 5, 8, 10, 40, 40, 200]
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches = list(length_batches(order, lengths, budget=40, max_rows=None))
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 40
    assert [len(b) for b in length_batches(order, lengths, budget=10_000, max_rows=3)] == [3, 3, 2]


def test_cancel_stops_within_one_batch(sharp_model_dir: Path) -> None:
    predictor = load_predictor(str(sharp_model_dir), device="cpu", precision="fp32")
    token = CancelToken()
    reports: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        reports.append(progress)
        if progress.done >= 2:
            token.cancel()

    with pytest.raises(Cancelled):
        predict(predictor, TEXTS, on_progress=on_progress, cancel=token, batch_size=2)
    # Reports: the start, then one per batch; the batch after the cancel never ran.
    assert [r.done for r in reports] == [0, 2]


def test_embeddings_are_mean_pooled_last_hidden_state(sharp_model_dir: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = MIXED[:5] + MIXED[25:28]
    result = predict(str(sharp_model_dir), texts, precision="fp32", device="cpu", embeddings=True, token_budget=300)
    assert result.embeddings is not None and result.embeddings.shape == (len(texts), 32)
    tokenizer = AutoTokenizer.from_pretrained(sharp_model_dir)
    encoder = AutoModel.from_pretrained(sharp_model_dir).eval()
    with torch.inference_mode():
        for i, text in enumerate(texts):
            hidden = encoder(**tokenizer(text, return_tensors="pt")).last_hidden_state[0]
            np.testing.assert_allclose(result.embeddings[i], hidden.mean(dim=0).numpy(), atol=1e-5)


def test_odd_inputs(sharp_model_dir: Path) -> None:
    predictor = load_predictor(str(sharp_model_dir), device="cpu", precision="fp32")
    empty = predict(predictor, [])
    assert len(empty) == 0 and empty.probabilities.shape == (0, 2)
    odd = predict(predictor, [None, float("nan"), 12, "", "good"])  # type: ignore[list-item]
    assert len(odd) == 5
    np.testing.assert_allclose(odd.probabilities[0], odd.probabilities[3], atol=1e-6)  # None reads as ""
    frame = odd.to_frame()
    assert list(frame.columns) == ["predicted_label", "confidence", "p_neg", "p_pos"]


def test_refuses_a_model_without_head(tiny_encoder_dir: Path) -> None:
    with pytest.raises(ModelError, match="no classification head; train one first"):
        predict(str(tiny_encoder_dir), ["hello"])


def test_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        predict(str(tmp_path / "nothing"), ["hello"])


@pytest.mark.slow
def test_bundled_model_bf16_agrees_with_fp32(tmp_path: Path) -> None:
    """bf16 on the real MiniLM (with a confident seeded head) picks the fp32 label >= 99.5% of the time."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import random

    import predict_throughput as bench

    folder = bench.make_model_folder(tmp_path / "model")
    rng = random.Random(7)
    texts = [bench.short_text(rng) for _ in range(200)]
    fp32 = predict(str(folder), texts, precision="fp32", device="cpu")
    bf16 = predict(str(folder), texts, precision="bf16", device="cpu")
    assert float((fp32.predicted == bf16.predicted).mean()) >= 0.995

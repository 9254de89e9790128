"""Any BERT-family model folder trains, predicts and explains: BERT, DistilBERT, ELECTRA, RoBERTa,
XLM-RoBERTa, DeBERTa-v2 (tiny random ones built in tmp_path, see tests/tiny_families.py), and a
BERT with a character-level Chinese vocabulary on Chinese text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bertdesk.cli import main
from bertdesk.core.ml.attention import explain_text
from bertdesk.core.ml.inference import load_predictor, predict
from bertdesk.core.ml.models import read_model_info
from bertdesk.core.ml.training import fine_tune
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import TrainingData
from tests.tiny_families import CHINESE_CHARS, FAMILIES, make_family_model, tiny_chinese_texts
from tests.tiny_model import tiny_texts

FAST = TrainConfig(epochs=1, batch_size=8, max_length=32, learning_rate=1e-3, patience=0, precision="fp32")
TEXT = "the parcel was late and the app crashes"


@pytest.fixture(scope="module", params=FAMILIES)
def encoder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A bare encoder of the family (no classification head), as a downloaded one would be."""
    family = str(request.param)
    return family, make_family_model(tmp_path_factory.mktemp(family) / "encoder", family, labels=None)


def _data(texts: list[str], labels: list[str]) -> TrainingData:
    return TrainingData(texts, labels, list(range(len(texts))), sorted(set(labels)))


def _plain_probabilities(folder: Path, texts: list[str]) -> np.ndarray:
    """The trained model run the plain transformers way: no bertdesk shortcut, eager attention."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder, attn_implementation="eager").eval()
    with torch.no_grad():
        rows = [model(**tokenizer(t, truncation=True, max_length=32, return_tensors="pt")).logits.softmax(-1)[0] for t in texts]
    return torch.stack(rows).numpy()


def _check_explained(folder: Path, text: str, layers: int = 2, heads: int = 2) -> list[str]:
    from transformers import AutoTokenizer

    maps = explain_text(folder, text)
    n = len(maps.tokens)
    # The text is cut where training cut it (--max-length 32): the character-level RoBERTa cuts this one.
    assert maps.tokens == AutoTokenizer.from_pretrained(folder)(text, truncation=True, max_length=32).tokens()
    assert maps.attentions.shape == (layers, heads, n, n)
    np.testing.assert_allclose(maps.attentions.sum(axis=-1), 1.0, atol=1e-4)  # each row a distribution
    rollout = maps.rollout()
    assert rollout.shape == (layers, n, n) and np.isfinite(rollout).all()
    assert maps.saliency is not None and maps.saliency.shape == (n,)
    assert maps.saliency.sum() == pytest.approx(1.0, abs=1e-4) and (maps.saliency > 0).any()
    assert maps.predicted_label in ("neg", "pos")
    return maps.tokens


def test_family_trains_predicts_and_explains(encoder: tuple[str, Path], tmp_path: Path) -> None:
    family, folder = encoder
    texts, labels = tiny_texts(32)
    result = fine_tune(_data(texts, labels), FAST.replace(model=str(folder)), tmp_path / "trained")
    assert result.metrics["labels"] == ["neg", "pos"]
    trained = tmp_path / "trained"
    assert json.loads((trained / "config.json").read_text())["model_type"] == family
    info = read_model_info(trained)  # DistilBERT names these n_layers, n_heads, dim
    assert (info.model_type, info.layers, info.heads, info.hidden_size, info.labels) == (family, 2, 2, 32, ["neg", "pos"])

    sample = texts[:6] + ["", TEXT]
    predictions = predict(load_predictor(trained, device="cpu", precision="fp32"), sample)
    # bertdesk's inference shortcuts (first-token last layer, compact padding mask) change nothing.
    np.testing.assert_allclose(predictions.probabilities, _plain_probabilities(trained, sample), atol=1e-5)

    tokens = _check_explained(trained, TEXT)
    assert tokens[0] in ("[CLS]", "<s>")


def test_family_through_the_cli(encoder: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    family, folder = encoder
    texts, labels = tiny_texts(24, seed=3)
    csv = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "sentiment": labels}).to_csv(csv, index=False)
    model = tmp_path / "m"
    train = ["train", str(csv), "--text-col", "review", "--label-col", "sentiment", "--model", str(folder)]
    assert main([*train, "--epochs", "1", "--max-length", "32", "--precision", "fp32", "--out", str(model), "--quiet"]) == 0
    out = tmp_path / "predicted.csv"
    assert main(["predict", str(model), str(csv), "--text-col", "review", "--precision", "fp32", "--quiet", "--out", str(out)]) == 0
    predicted = pd.read_csv(out)
    assert len(predicted) == 24 and set(predicted["predicted_label"]) <= {"neg", "pos"}
    maps = tmp_path / "maps.json"
    capsys.readouterr()
    assert main(["attention", str(model), TEXT, "--json", str(maps)]) == 0, capsys.readouterr().err
    data = json.loads(maps.read_text(encoding="utf-8"))
    n = len(data["tokens"])
    assert np.array(data["attentions"]).shape == (2, 2, n, n)
    assert len(data["saliency"]) == n and np.array(data["rollout"]).shape == (n, n)


def test_chinese_character_vocabulary_reads_chinese_text(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    folder = make_family_model(tmp_path / "zh", "bert", labels=None, words=CHINESE_CHARS)
    texts, labels = tiny_chinese_texts(32)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    for text in texts:  # every character is its own token, none unknown
        assert tokenizer(text, add_special_tokens=False).tokens() == list(text)
    fine_tune(_data(texts, labels), FAST.replace(model=str(folder)), tmp_path / "trained")
    predictions = predict(load_predictor(tmp_path / "trained", device="cpu", precision="fp32"), texts[:4])
    assert predictions.probabilities.shape == (4, 2)
    tokens = _check_explained(tmp_path / "trained", texts[0])
    assert tokens[1:-1] == list(texts[0]) and "[UNK]" not in tokens
    assert explain_text(tmp_path / "trained", texts[0]).words()[1:-1] == list(texts[0])


@pytest.mark.parametrize("family", FAMILIES)
def test_text_longer_than_the_positions_is_cut_where_the_model_can_read_it(family: str, tmp_path: Path) -> None:
    """RoBERTa and XLM-R number positions from pad_token_id + 1, so a folder with 18 position slots
    reads 16 tokens, not 18; a tokenizer without model_max_length (many downloaded ones) must not
    let a long text index past the position table."""
    folder = make_family_model(tmp_path / family, family, max_positions=16)
    settings = folder / "tokenizer_config.json"
    tokenizer_config = json.loads(settings.read_text(encoding="utf-8"))
    tokenizer_config.pop("model_max_length", None)
    settings.write_text(json.dumps(tokenizer_config), encoding="utf-8")
    long = " ".join(["the parcel was late"] * 20)
    predictions = predict(load_predictor(folder, device="cpu", precision="fp32"), [long, "good"])
    assert predictions.probabilities.shape == (2, 2)
    maps = explain_text(folder, long)
    assert len(maps.tokens) == 16 and maps.truncation is not None


@pytest.mark.parametrize("family", ["bert", "roberta"])
def test_training_longer_than_the_model_reads_is_cut_to_what_it_reads(family: str, tmp_path: Path) -> None:
    folder = make_family_model(tmp_path / family, family, labels=None, max_positions=16)
    texts, labels = tiny_texts(24)
    texts = [f"{t} {t} {t} {t}" for t in texts]  # longer than 16 tokens
    messages: list[str] = []
    result = fine_tune(
        _data(texts, labels), FAST.replace(model=str(folder)), tmp_path / "m", on_progress=lambda p: messages.append(p.message)
    )
    assert result.metrics["labels"] == ["neg", "pos"]
    assert any("reads at most 16 tokens" in m for m in messages), messages
    assert predict(load_predictor(tmp_path / "m", device="cpu", precision="fp32"), texts[:2]).probabilities.shape == (2, 2)

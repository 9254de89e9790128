"""Head-and-tail truncation (Sun et al. 2019): a model trained reading the start and the end of
long texts is read the same way by prediction, evaluate and attention, so one model gives one
answer on every panel."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bertdesk.core.errors import TrainingError
from bertdesk.core.ml.training import fine_tune
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import TrainingData, stratified_split
from bertdesk.core.ml.truncation import encode_cut, kept_positions

MAX_LENGTH = 12
CUES = {"neg": "bad terrible broken hate slow late".split(), "pos": "good great love fast works thanks".split()}
FILLER = "the my it was is this order app parcel product".split()


def test_kept_positions_keep_a_quarter_from_the_start_and_the_rest_from_the_end() -> None:
    # 20 tokens ([CLS] + 18 + [SEP]) into 10: budget 8, head 2, tail 6, both specials kept.
    assert kept_positions(20, 10, "head_tail") == [0, 1, 2, 13, 14, 15, 16, 17, 18, 19]
    assert kept_positions(20, 10, "head") == [0, 1, 2, 3, 4, 5, 6, 7, 8, 19]
    assert kept_positions(10, 10, "head_tail") is None  # fits whole: nothing cut
    # Sun et al.'s best split of 512: 128 from the head, 382 from the tail.
    kept = kept_positions(1000, 512, "head_tail")
    assert kept is not None and len(kept) == 512 and kept[:129] == list(range(129)) and kept[129] == 1000 - 383


def test_head_cut_is_the_tokenizers_own(tiny_encoder_dir: Path) -> None:
    from bertdesk.core.ml.models import load_tokenizer, resolve_model_source

    tokenizer = load_tokenizer(resolve_model_source(str(tiny_encoder_dir)))
    text = " ".join(FILLER * 3)
    head = encode_cut(tokenizer, [text], MAX_LENGTH, "head")["input_ids"][0]
    assert head == tokenizer([text], truncation=True, max_length=MAX_LENGTH)["input_ids"][0]
    both = encode_cut(tokenizer, [text], MAX_LENGTH, "head_tail", return_attention_mask=True)
    full = tokenizer([text])["input_ids"][0]
    assert len(both["input_ids"][0]) == MAX_LENGTH == len(both["attention_mask"][0])
    assert both["input_ids"][0][:3] == full[:3] and both["input_ids"][0][-8:] == full[-8:]


def test_an_unknown_truncation_is_refused_by_name() -> None:
    with pytest.raises(TrainingError, match="Truncation must be one of head, head_tail"):
        TrainConfig(truncation="middle").validate()


def _texts(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Long texts whose label only their last words give away: a head-only reader sees filler."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = "neg" if i % 2 else "pos"
        words = [rng.choice(FILLER) for _ in range(20)] + rng.sample(CUES[label], 4)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def trained(tiny_encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TrainingData, TrainConfig]:
    texts, labels = _texts(80)
    data = TrainingData(texts, labels, list(range(len(texts))), ["neg", "pos"])
    config = TrainConfig(
        model=str(tiny_encoder_dir),
        epochs=6,
        batch_size=8,
        max_length=MAX_LENGTH,
        learning_rate=2e-3,
        patience=0,
        precision="fp32",
        device="cpu",
        val_split=0.3,
        seed=3,
        truncation="head_tail",
        freeze_word_embeddings=False,  # a tiny random model has no pretrained word embeddings to keep
    )
    out = tmp_path_factory.mktemp("head-tail") / "model"
    fine_tune(data, config, out)
    return out, data, config


def test_prediction_and_evaluate_read_the_head_and_tail_as_training_did(trained: tuple[Path, TrainingData, TrainConfig]) -> None:
    from bertdesk.core.ml.evaluation import evaluate
    from bertdesk.core.ml.inference import load_predictor, predict

    folder, data, config = trained
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["config"]["truncation"] == "head_tail"
    # The tail carries the label: a model reading it learns the task (a head-only one cannot).
    assert metrics["validation"]["macro_f1"] >= 0.9
    predictor = load_predictor(folder, device="cpu", precision="fp32")
    assert predictor.truncation == "head_tail"
    _, val = stratified_split(data, config.val_split, config.seed)
    assert predict(predictor, val.texts).predicted_labels == metrics["validation_predictions"]
    scores = evaluate(folder, val, device="cpu", precision="fp32")
    assert scores["confusion_matrix"] == metrics["validation"]["confusion_matrix"]


def test_attention_reads_the_head_and_tail_and_says_what_was_cut(trained: tuple[Path, TrainingData, TrainConfig]) -> None:
    from bertdesk.core.ml.attention import explain_text
    from bertdesk.core.ml.inference import predict

    folder, data, _ = trained
    text = data.texts[1]
    maps = explain_text(folder, text, saliency=False)
    assert len(maps.tokens) == MAX_LENGTH
    last_words = text.split()[-4:]
    assert [t for t in maps.tokens if t in last_words] == last_words  # the tail the label is in
    assert maps.truncation is not None and maps.truncation.resume_at is not None
    assert "were cut" in maps.truncation.message
    assert text[maps.truncation.resume_at :].strip().split()[-1] == last_words[-1]
    probabilities = predict(folder, [text], device="cpu", precision="fp32").probabilities[0]
    assert maps.probabilities is not None
    assert maps.probabilities.tolist() == pytest.approx(probabilities.tolist(), abs=1e-4)

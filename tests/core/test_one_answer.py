"""One model gives one answer: the Predict panel's path, `bertdesk predict`/`evaluate`, attention
and transformers' own pipeline read a text exactly as training and validation did (the run's max
length), so a validation row is predicted the same everywhere."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.ml.project_prediction import predict_project
from bertdesk.core.ml.training import fine_tune
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import data_from_project
from bertdesk.core.ml.training_runs import begin_run, finish_run
from bertdesk.core.project import Project

MAX_LENGTH = 12
CUES = {"neg": "bad terrible broken hate slow late".split(), "pos": "good great love fast works thanks".split()}
FILLER = "the my it was is this order app parcel product".split()


def _texts(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Texts whose first words give the label away, and, in every other row, a long tail of the
    other label's words that only a reader of more than MAX_LENGTH tokens sees."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label, other = ("neg", "pos") if i % 2 else ("pos", "neg")
        words = rng.sample(CUES[label], 3) + rng.sample(FILLER, 3)
        if i % 4 >= 2:
            words += [rng.choice(CUES[other]) for _ in range(40)]
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def trained(tiny_encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A project with a finished run trained at MAX_LENGTH tokens (the project stays closed)."""
    texts, labels = _texts(120)
    frame = pd.DataFrame({"text": texts, "label": labels})
    path = tmp_path_factory.mktemp("one-answer") / "p.bertdesk"
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
    )
    with Project.create(path, frame, text_column="text", label_column="label") as project:
        run_id, out_dir = begin_run(project, config)
        result = fine_tune(data_from_project(project), config, out_dir)
        finish_run(project, run_id, result)
    return path, run_id


def _validation(project: Project, run_id: int) -> dict[int, str]:
    run = next(r for r in project.runs() if r.id == run_id)
    return dict(zip(run.metrics["validation_row_ids"], run.metrics["validation_predictions"]))


def test_the_predict_panel_path_agrees_with_validation_on_long_texts(trained: tuple[Path, int]) -> None:
    path, run_id = trained
    with Project.open(path) as project:
        validation = _validation(project, run_id)
        long_rows = [r for r in validation if len(project.texts([r])[0].split()) > MAX_LENGTH]
        assert len(long_rows) >= 8  # the comparison covers texts the max length cuts
        predict_project(project, run_id=run_id, device="cpu", precision="fp32")
        table = project.predictions(run_id)
        assert table is not None
        stored = dict(zip(table.row_ids.tolist(), table.labels.tolist()))
    assert {r: stored[r] for r in validation} == validation


def test_the_saved_folder_records_the_max_length_for_other_readers(trained: tuple[Path, int]) -> None:
    from transformers import pipeline

    path, run_id = trained
    with Project.open(path) as project:
        run = next(r for r in project.runs() if r.id == run_id)
        validation = _validation(project, run_id)
        texts = project.texts(list(validation))
    folder = Path(run.model_dir)
    assert json.loads((folder / "tokenizer_config.json").read_text())["model_max_length"] == MAX_LENGTH
    classify = pipeline("text-classification", model=str(folder), device="cpu")
    assert [out["label"] for out in classify(texts, truncation=True)] == list(validation.values())


def test_evaluate_scores_what_validation_scored(trained: tuple[Path, int]) -> None:
    from bertdesk.core.ml.evaluation import evaluate
    from bertdesk.core.ml.training_data import TrainingData

    path, run_id = trained
    with Project.open(path) as project:
        run = next(r for r in project.runs() if r.id == run_id)
        ids = run.metrics["validation_row_ids"]
        labels = project.labels()
        data = TrainingData(project.texts(ids), [labels[r] for r in ids], ids, ["pos", "neg"])
    scores = evaluate(run.model_dir, data, device="cpu", precision="fp32")
    assert scores["accuracy"] == pytest.approx(run.metrics["validation"]["accuracy"])
    assert scores["confusion_matrix"] == run.metrics["validation"]["confusion_matrix"]


def test_attention_reads_as_many_tokens_as_training(trained: tuple[Path, int]) -> None:
    from bertdesk.core.ml.attention import explain_text

    path, run_id = trained
    with Project.open(path) as project:
        run = next(r for r in project.runs() if r.id == run_id)
        text = project.texts([2])[0]  # row 2 has the long tail
    maps = explain_text(run.model_dir, text, saliency=False)
    assert len(maps.tokens) == MAX_LENGTH and maps.truncation is not None and maps.truncation.max_tokens == MAX_LENGTH


def test_a_model_folder_without_a_record_keeps_its_own_limit(tiny_model_dir: Path) -> None:
    from bertdesk.core.ml.inference import load_predictor

    assert load_predictor(str(tiny_model_dir), device="cpu", precision="fp32").max_length == 128

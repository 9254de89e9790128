"""core.review.label_review: embeddings kept in the project, the label review end to end, similar rows."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bertdesk.core.errors import BertdeskError, Cancelled, TrainingError
from bertdesk.core.ml.embeddings import sentence_embeddings
from bertdesk.core.ml.models import bundled_model_path
from bertdesk.core.ml.training_config import PROJECT_SETTINGS_KEY
from bertdesk.core.progress import CancelToken, Progress
from bertdesk.core.project import Project
from bertdesk.core.review import label_review
from bertdesk.core.review.label_review import (
    chosen_model,
    ensure_embeddings,
    project_embedding_key,
    review_labels,
    similar_rows,
    suspects_to_show,
)

CUES = {
    "billing": "refund charge charged invoice price bill billing money card".split(),
    "delivery": "parcel package delivery courier tracking late week day order".split(),
}
FLIPPED = [4, 11, 26]


def topic_rows(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` texts of four words from one topic's vocabulary, alternating topics; the labels of
    :data:`FLIPPED` rows are the other topic. Even the tiny random model's mean-pooled vectors
    separate the two vocabularies."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        topic = ["billing", "delivery"][i % 2]
        texts.append(" ".join(rng.sample(CUES[topic], 4)))
        labels.append(topic)
    for i in FLIPPED:
        labels[i] = "delivery" if labels[i] == "billing" else "billing"
    return texts, labels


@pytest.fixture
def project(tmp_path: Path):
    texts, labels = topic_rows(40)
    frame = pd.DataFrame({"text": texts, "label": labels, "note": [f"n{i}" for i in range(40)]})
    p = Project.create(tmp_path / "tickets.bertdesk", frame, text_column="text", label_column="label")
    yield p
    if not p.closed:
        p.close()


def totals(reports: list[Progress]) -> set[int]:
    return {r.total for r in reports if r.total}


def test_embeddings_are_computed_once_and_stored(project: Project, tiny_encoder_dir: Path) -> None:
    reports: list[Progress] = []
    ids, vectors = ensure_embeddings(project, tiny_encoder_dir, on_progress=reports.append)
    assert ids.tolist() == list(range(40)) and vectors.dtype == np.float16 and vectors.shape == (40, 32)
    np.testing.assert_array_equal(vectors, sentence_embeddings(tiny_encoder_dir, project.texts()))
    assert totals(reports) == {40}
    key = project_embedding_key(project, tiny_encoder_dir)
    stored = project.embeddings(key)
    assert stored is not None and np.array_equal(stored[1], vectors)

    again: list[Progress] = []
    _, same = ensure_embeddings(project, tiny_encoder_dir, on_progress=again.append)
    assert again == [] and np.array_equal(same, vectors)  # nothing computed

    project.forget_embeddings(key)
    project.store_embeddings(key, ids[::2], vectors[::2])  # half of them kept
    partial: list[Progress] = []
    _, rebuilt = ensure_embeddings(project, tiny_encoder_dir, on_progress=partial.append)
    assert totals(partial) == {20} and np.array_equal(rebuilt, vectors)


def test_another_text_column_gets_its_own_embeddings(project: Project, tiny_encoder_dir: Path) -> None:
    _, by_text = ensure_embeddings(project, tiny_encoder_dir)
    project.set_text_column("note")
    reports: list[Progress] = []
    _, by_note = ensure_embeddings(project, tiny_encoder_dir, on_progress=reports.append)
    assert totals(reports) == {40} and not np.array_equal(by_text, by_note)


def test_a_cancel_keeps_the_rows_embedded_so_far(project: Project, tiny_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(label_review, "STORE_EVERY_ROWS", 8)
    token = CancelToken()

    def cancel_past_the_first_part(progress: Progress) -> None:
        if progress.done >= 8:
            token.cancel()

    with pytest.raises(Cancelled):
        ensure_embeddings(project, tiny_encoder_dir, on_progress=cancel_past_the_first_part, cancel=token)
    stored = project.embeddings(project_embedding_key(project, tiny_encoder_dir))
    assert stored is not None and 8 <= len(stored[0]) < 40
    reports: list[Progress] = []
    ensure_embeddings(project, tiny_encoder_dir, on_progress=reports.append)
    assert totals(reports) == {40 - len(stored[0])}


def test_review_finds_the_flipped_labels_first_and_is_stored(project: Project, tiny_encoder_dir: Path) -> None:
    reports: list[Progress] = []
    review = review_labels(project, model_dir=tiny_encoder_dir, on_progress=reports.append)
    assert sorted(s.row_id for s in review.suspects[:3]) == FLIPPED
    first = review.suspects[0]
    assert first.suggested != first.label and first.suggested_probability > first.given_probability
    assert review.mode == "fast" and review.labelled_rows == 40
    assert set(review.noise_by_label) == {"billing", "delivery"} and 0 < review.estimated_noise < 0.5
    assert project.label_review() == review
    messages = [r.message for r in reports]
    assert any(m.startswith("Step 1 of 2") for m in messages) and any(m.startswith("Step 2 of 2") for m in messages)
    # The embeddings were stored on the way: similar rows need no model run for them.
    assert project.embeddings(project_embedding_key(project, tiny_encoder_dir)) is not None


def test_a_label_with_no_rows_is_left_out_of_the_review(project: Project, tiny_encoder_dir: Path) -> None:
    project.add_label("returns")
    review = review_labels(project, model_dir=tiny_encoder_dir)
    assert set(review.noise_by_label) == {"billing", "delivery"}
    assert {s.suggested for s in review.suspects} <= {"billing", "delivery"}


def test_suspects_to_show_leaves_out_rows_kept_or_relabelled(project: Project, tiny_encoder_dir: Path) -> None:
    review = review_labels(project, model_dir=tiny_encoder_dir)
    first, second = review.suspects[0], review.suspects[1]
    project.mark_reviewed([first.row_id])
    project.set_label(second.row_id, second.suggested)
    shown = [s.row_id for s in suspects_to_show(project, review)]
    assert first.row_id not in shown and second.row_id not in shown
    assert shown == [s.row_id for s in review.suspects[2:]]


def test_review_refuses_what_it_cannot_check(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c", "d"], "label": ["x", "x", "x", "y"]})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as p:
        with pytest.raises(BertdeskError, match="'y' has only 1 row"):
            review_labels(p, model_dir=tiny_encoder_dir)
        p.set_label(3, "x")
        with pytest.raises(TrainingError, match="Only one label"):
            review_labels(p, model_dir=tiny_encoder_dir)
        with pytest.raises(BertdeskError, match="Unknown review mode 'slow'"):
            review_labels(p, mode="slow", model_dir=tiny_encoder_dir)  # type: ignore[arg-type]
        assert p.label_review() is None


def test_similar_rows_of_a_row_and_of_a_text(project: Project, tiny_encoder_dir: Path) -> None:
    found = similar_rows(project, row_id=0, top=5, model_dir=tiny_encoder_dir)
    assert len(found) == 5 and 0 not in [r.row_id for r in found]
    assert [r.similarity for r in found] == sorted((r.similarity for r in found), reverse=True)
    texts, labels = project.texts(), project.labels()
    assert all(r.text == texts[r.row_id] and r.label == labels.get(r.row_id) for r in found)
    # The tiny model's vectors still tell the two vocabularies apart.
    assert sum(texts[r.row_id].split()[0] in CUES["billing"] for r in found) >= 4

    exact = similar_rows(project, text=texts[7], top=1, model_dir=tiny_encoder_dir)
    assert exact[0].row_id == 7 and exact[0].similarity == pytest.approx(1.0, abs=2e-3)


def test_similar_rows_reads_the_stored_vectors_once_per_model_and_text_column(
    project: Project, tiny_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = similar_rows(project, row_id=3, top=5, model_dir=tiny_encoder_dir)
    reads: list[str] = []
    read = project.embeddings
    monkeypatch.setattr(project, "embeddings", lambda key: (reads.append(key), read(key))[1])
    assert similar_rows(project, row_id=3, top=5, model_dir=tiny_encoder_dir) == first
    assert similar_rows(project, row_id=8, top=5, model_dir=tiny_encoder_dir)
    assert reads == []
    project.set_text_column("note")  # other texts: other vectors, read (and computed) again
    by_note = similar_rows(project, row_id=3, top=5, model_dir=tiny_encoder_dir)
    assert reads and by_note != first


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "either a row or a text"),
        ({"row_id": 1, "text": "x"}, "either a row or a text"),
        ({"row_id": 40}, "There is no row 41"),
        ({"text": "  "}, "empty"),
    ],
)
def test_similar_rows_bad_questions(project: Project, tiny_encoder_dir: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(BertdeskError, match=message):
        similar_rows(project, model_dir=tiny_encoder_dir, **kwargs)  # type: ignore[arg-type]


def test_the_chosen_model_is_the_train_panels(project: Project, tiny_encoder_dir: Path) -> None:
    assert chosen_model(project) == bundled_model_path().resolve() or chosen_model(project) == bundled_model_path()
    project.set_setting(PROJECT_SETTINGS_KEY, json.dumps({"model": str(tiny_encoder_dir), "epochs": 3}))
    assert chosen_model(project) == Path(tiny_encoder_dir).resolve()
    project.set_setting(PROJECT_SETTINGS_KEY, "{not json")
    assert chosen_model(project) in (bundled_model_path(), bundled_model_path().resolve())


def test_a_review_embeds_the_labelled_rows_only(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    # A big table with few labels: the review must not embed every row first (hours on a million).
    texts, labels = topic_rows(40)
    unlabelled = [f"unlabelled text {i}" for i in range(60)]
    frame = pd.DataFrame({"text": unlabelled[:30] + texts + unlabelled[30:], "label": [""] * 30 + labels + [""] * 30})
    with Project.create(tmp_path / "big.bertdesk", frame, text_column="text", label_column="label") as big:
        review = review_labels(big, model_dir=tiny_encoder_dir)
        ids, _vectors = big.embeddings(project_embedding_key(big, tiny_encoder_dir))  # type: ignore[misc]
        assert ids.tolist() == list(range(30, 70))  # the 40 labelled rows, no others
        assert sorted(s.row_id for s in review.suspects[:3]) == [30 + r for r in FLIPPED]
        some, vectors = ensure_embeddings(big, tiny_encoder_dir, rows=[65, 31])
        assert some.tolist() == [31, 65] and vectors.shape == (2, 32)
        np.testing.assert_array_equal(vectors, sentence_embeddings(tiny_encoder_dir, big.texts([31, 65])))

"""What the label review keeps in the project: embeddings, the latest review, maps, reviewed rows.

``fixtures/format3.bertdesk`` was written by bertdesk's format-3 code (commit dcacf64), before
the label source "reviewed" and the review tables existed.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bertdesk.core.errors import ProjectError
from bertdesk.core.project import Project
from bertdesk.core.project.events import LabelReviewChanged
from bertdesk.core.project.label_review_record import LabelReview, Suspect

FORMAT_3_PROJECT = Path(__file__).parent / "fixtures" / "format3.bertdesk"


@pytest.fixture
def project(tmp_path: Path):
    frame = pd.DataFrame({"text": [f"text {i}" for i in range(10)], "label": ["a", "b"] * 5})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as p:
        yield p


def _review(*suspects: Suspect) -> LabelReview:
    return LabelReview("fast", "model@1", 1_700_000_000.0, 10, 0.2, {"a": 0.1, "b": 0.3}, suspects)


def test_embeddings_are_kept_as_float16_by_model_and_survive_a_reopen(project: Project) -> None:
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    project.store_embeddings("m1", np.array([5, 1, 8]), vectors)
    project.store_embeddings("m2", np.array([0]), np.ones((1, 2)))
    path = project.path
    project.close()
    with Project.open(path) as again:
        ids, stored = again.embeddings("m1")  # type: ignore[misc]
        assert ids.tolist() == [1, 5, 8]  # ascending row ids, each with its own vector
        assert stored.dtype == np.float16
        np.testing.assert_allclose(stored, vectors[[1, 0, 2]], rtol=1e-3)
        assert again.embedding_keys() == ["m1", "m2"]
        assert again.embeddings("none") is None


def test_storing_a_row_again_replaces_its_vector_and_others_stay(project: Project) -> None:
    project.store_embeddings("m", np.array([0, 1]), np.zeros((2, 3)))
    project.store_embeddings("m", np.array([1, 2]), np.ones((2, 3)))
    ids, stored = project.embeddings("m")  # type: ignore[misc]
    assert ids.tolist() == [0, 1, 2]
    assert stored.sum(axis=1).tolist() == [0, 3, 3]


@pytest.mark.parametrize(
    ("ids", "vectors", "words"),
    [
        ([0, 1], np.zeros((3, 4)), "2 row ids"),
        ([10], np.zeros((1, 4)), "out of range"),
        ([-1], np.zeros((1, 4)), "out of range"),
        ([0], np.full((1, 4), np.nan), "not a finite number"),
        ([0], np.full((1, 4), 1e6), "not a finite number"),  # overflows float16
        ([0], np.zeros((1, 5)), "5 numbers a row, but 4"),
    ],
)
def test_bad_embeddings_are_refused_in_one_line_and_nothing_is_written(project: Project, ids, vectors, words) -> None:
    project.store_embeddings("m", np.array([3]), np.zeros((1, 4)))
    with pytest.raises(ProjectError, match=words) as caught:
        project.store_embeddings("m", np.array(ids), vectors)
    assert "\n" not in str(caught.value)
    assert project.embeddings("m")[0].tolist() == [3]  # type: ignore[index]


def test_forgetting_a_models_embeddings_keeps_the_others(project: Project) -> None:
    project.store_embeddings("m1", np.array([0]), np.ones((1, 2)))
    project.store_embeddings("m2", np.array([0]), np.ones((1, 2)))
    project.forget_embeddings("m1")
    assert project.embedding_keys() == ["m2"]


def test_the_latest_label_review_is_kept_and_announced(project: Project) -> None:
    heard: list[object] = []
    project.events.subscribe(heard.append, LabelReviewChanged)
    assert project.label_review() is None
    first = _review(Suspect(3, "b", "a", 0.05, 0.1, 0.9))
    project.store_label_review(first)
    second = _review(Suspect(7, "b", "a", 0.2, 0.3, 0.7), Suspect(2, "a", "b", 0.4, 0.4, 0.6))
    project.store_label_review(second)
    assert project.label_review() == second  # the newest replaces the one before
    assert len(heard) == 2
    path = project.path
    project.close()
    with Project.open(path) as again:
        assert again.label_review() == second


def test_a_review_naming_a_row_out_of_range_is_refused(project: Project) -> None:
    with pytest.raises(ProjectError, match="out of range"):
        project.store_label_review(_review(Suspect(10, "a", "b", 0.1, 0.1, 0.9)))
    assert project.label_review() is None


@pytest.mark.parametrize("stored", ["not json", '{"mode": "fast"}', '{"mode": 1}'])
def test_a_damaged_stored_review_is_one_line(project: Project, stored: str) -> None:
    project.store_label_review(_review())
    path = project.path
    project.close()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE label_reviews SET review = ?", (stored,))
    with Project.open(path) as again, pytest.raises(ProjectError, match="label review is damaged") as caught:
        again.label_review()
    assert "\n" not in str(caught.value)


def test_a_runs_map_is_kept_and_goes_with_the_run(project: Project, tmp_path: Path) -> None:
    run = project.add_run(model_dir=str(tmp_path / "model"), config={}, metrics={}, status="done")
    coords = np.array([[0.5, -1.0], [2.0, 3.0]], dtype=np.float32)
    project.store_map(run, np.array([4, 9]), coords)
    ids, stored = project.map(run)  # type: ignore[misc]
    assert ids.tolist() == [4, 9] and stored.tolist() == coords.tolist()
    assert project.map(run + 1) is None
    with pytest.raises(ProjectError, match="coordinates of shape"):
        project.store_map(run, np.array([1]), coords)
    project.delete_run(run)
    assert project.map(run) is None


def test_marking_rows_reviewed_keeps_their_labels_in_one_undo_step(project: Project) -> None:
    project.set_label(2, None)  # unlabelled rows are skipped
    assert project.mark_reviewed([0, 1, 2, 3])
    assert project.reviewed_rows() == {0, 1, 3}
    assert project.labels()[1] == "b" and project.label_sources()[1] == "reviewed"
    assert project.undo_text == "Keep the label of 3 rows (reviewed)"
    assert not project.mark_reviewed([0, 1])  # nothing new: no empty undo step
    assert project.undo()
    assert project.reviewed_rows() == set()
    assert project.label_sources()[0] == "imported"
    assert project.redo()
    assert project.reviewed_rows() == {0, 1, 3}


def test_a_reviewed_row_relabelled_is_no_longer_reviewed(project: Project) -> None:
    project.mark_reviewed([0, 1])
    project.set_label(0, "b")
    assert project.reviewed_rows() == {1}


def test_a_format_3_project_is_upgraded_with_its_labels_and_sources_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.bertdesk"
    shutil.copy(FORMAT_3_PROJECT, path)
    with Project.open(path) as project:
        assert project.labels() == {0: "billing", 1: "praise", 2: "billing", 3: "praise", 4: "bug"}
        assert project.label_sources() == {0: "imported", 1: "imported", 2: "imported", 3: "human", 4: "model"}
        assert project.get_setting("ui.place") == "x"
        assert project.mark_reviewed([0])  # the new source is accepted by the rebuilt table
        project.store_embeddings("m", np.array([0]), np.ones((1, 2)))
        assert project.label_review() is None
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

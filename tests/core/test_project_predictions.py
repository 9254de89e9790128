"""Predictions stored in a project with the run that made them; accepting them as labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bertdesk.core.errors import Cancelled, LabelError, ModelError, ProjectError
from bertdesk.core.ml.project_prediction import predict_project
from bertdesk.core.progress import CancelToken
from bertdesk.core.project import Project
from bertdesk.core.project.uncertainty import rows_above
from tests.tiny_model import tiny_texts


@pytest.fixture
def project(tmp_path: Path):
    texts, labels = tiny_texts(12, seed=1)
    labels = [label if i % 3 == 0 else "" for i, label in enumerate(labels)]  # rows 0, 3, 6, 9 labelled
    frame = pd.DataFrame({"id": [str(i) for i in range(12)], "text": texts, "label": labels})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as p:
        yield p


def probs(n: int, k: int = 2, seed: int = 0) -> np.ndarray:
    raw = np.random.default_rng(seed).random((n, k)).astype(np.float32)
    return raw / raw.sum(axis=1, keepdims=True)


def test_round_trip(project: Project) -> None:
    run = project.add_run(status="finished", model_dir="/m", config={}, metrics={"labels": ["neg", "pos"]})
    p = probs(5)
    ids = [4, 0, 2, 7, 11]
    labels = [["neg", "pos"][int(i)] for i in p.argmax(axis=1)]
    assert project.store_predictions(run, ids, labels, p.max(axis=1), p) == 5
    table = project.predictions(run)
    assert table is not None and table.run_id == run
    assert table.class_names == ["neg", "pos"]
    order = np.argsort(ids)
    assert table.row_ids.tolist() == sorted(ids)
    assert table.labels.tolist() == [labels[i] for i in order]
    np.testing.assert_array_equal(table.probabilities, p[order])  # float32 bytes: exact
    np.testing.assert_allclose(table.confidence, p.max(axis=1)[order])
    frame = table.to_frame()
    assert list(frame.columns) == ["predicted_label", "confidence", "p_neg", "p_pos"]
    assert frame.index.tolist() == sorted(ids)
    assert project.prediction_count(run) == 5


def test_survives_reopening_and_replaces_rows(project: Project, tmp_path: Path) -> None:
    run = project.add_run(status="finished", model_dir="/m", config={}, metrics={"labels": ["neg", "pos"]})
    project.store_predictions(run, [1, 2], ["neg", "neg"], [0.9, 0.8], [[0.9, 0.1], [0.8, 0.2]])
    project.store_predictions(run, [2], ["pos"], [0.7], [[0.3, 0.7]])
    path = project.path
    project.close()
    with Project.open(path) as again:
        table = again.predictions(run)
        assert table is not None
        assert table.row_ids.tolist() == [1, 2] and table.labels.tolist() == ["neg", "pos"]
        np.testing.assert_allclose(table.probabilities[1], [0.3, 0.7], rtol=1e-6)


def test_active_run_default_and_clear_and_delete(project: Project) -> None:
    assert project.predictions() is None  # no active run
    first = project.add_run(status="finished", model_dir="/a", config={}, metrics={"labels": ["neg", "pos"]})
    second = project.add_run(status="finished", model_dir="/b", config={}, metrics={"labels": ["neg", "pos"]})
    project.store_predictions(first, [0], ["neg"], [0.6], [[0.6, 0.4]])
    project.store_predictions(second, [0, 1], ["pos", "pos"], [0.6, 0.7], [[0.4, 0.6], [0.3, 0.7]])
    project.set_active_run(second)
    assert len(project.predictions()) == 2  # type: ignore[arg-type]
    assert project.clear_predictions(second) == 2
    assert len(project.predictions(second)) == 0  # type: ignore[arg-type]
    project.delete_run(first)  # predictions go with their run
    with pytest.raises(ProjectError):
        project.predictions(first)


def test_class_order_other_than_the_runs(project: Project) -> None:
    run = project.add_run(status="finished", model_dir="/m", config={}, metrics={})  # no labels recorded
    project.store_predictions(run, [3], ["pos"], [0.8], [[0.2, 0.8]], class_names=["neg", "pos"])
    assert project.predictions(run).class_names == ["neg", "pos"]  # type: ignore[union-attr]


def test_bad_input(project: Project) -> None:
    run = project.add_run(status="finished", model_dir="/m", config={}, metrics={"labels": ["neg", "pos"]})
    with pytest.raises(ProjectError, match="out of range"):
        project.store_predictions(run, [99], ["neg"], [0.5], [[0.5, 0.5]])
    with pytest.raises(ProjectError, match="do not line up"):
        project.store_predictions(run, [1, 2], ["neg"], [0.5], [[0.5, 0.5]])
    with pytest.raises(ProjectError, match="class"):
        project.store_predictions(run, [1], ["neg"], [0.5], [[0.2, 0.3, 0.5]])
    with pytest.raises(ProjectError, match="no training run"):
        project.store_predictions(run + 10, [1], ["neg"], [0.5], [[0.5, 0.5]])
    assert project.prediction_count(run) == 0  # nothing half-written


def test_accept_above_threshold_is_one_undo_step(project: Project) -> None:
    before = project.labels()
    ids = np.arange(12)
    conf = np.linspace(0.5, 1.0, 12)
    labels = np.array(["neg", "pos"] * 6, dtype=object)
    chosen = rows_above(ids, labels, conf, 0.8, labelled=before)
    assert chosen and all(conf[r] >= 0.8 and r not in before for r in chosen)
    assert project.accept_predictions(chosen)
    after = project.labels()
    assert all(after[r] == label for r, label in chosen.items())
    assert all(project.label_sources()[r] == "model" for r in chosen)
    assert {r: after[r] for r in before} == before  # people's labels untouched
    assert project.undo()
    assert project.labels() == before
    assert project.redo() and project.labels() == after
    assert not project.accept_predictions(chosen)  # nothing to change: no new undo step


def test_accept_one_row_and_unknown_label(project: Project) -> None:
    assert project.accept_predictions({1: "pos"})
    assert project.label_of(1) == "pos"
    assert project.can_undo and "Accept" in project.undo_text
    with pytest.raises(LabelError, match="not in the label set"):
        project.accept_predictions({2: "spam"})


def test_predict_project_stores_with_the_run(project: Project, tiny_model_dir: Path) -> None:
    run = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": ["neg", "pos"]})
    project.set_active_run(run)
    result = predict_project(project, rows="unlabelled", precision="fp32", device="cpu", embeddings=True)
    unlabelled = [r for r in range(12) if r not in project.labels()]
    assert result.run_id == run and result.row_ids.tolist() == unlabelled
    assert result.predictions.embeddings is not None and result.predictions.embeddings.shape[0] == len(unlabelled)
    table = project.predictions()
    assert table is not None and table.row_ids.tolist() == unlabelled
    np.testing.assert_allclose(table.probabilities, result.predictions.probabilities, atol=1e-7)
    everything = predict_project(project, rows="all", precision="fp32", device="cpu")
    assert len(everything.row_ids) == 12 and project.prediction_count(run) == 12


def test_predict_project_errors(project: Project, tiny_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no active training run"):
        predict_project(project)
    run = project.add_run(status="finished", model_dir=str(tmp_path / "gone"), config={}, metrics={})
    with pytest.raises(ModelError, match="missing"):
        predict_project(project, run_id=run)
    good = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={})
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        predict_project(project, run_id=good, cancel=token)
    assert project.prediction_count(good) == 0


def test_predict_with_map_samples_big_tables(project: Project, tiny_model_dir: Path) -> None:
    from bertdesk.core.ml.project_prediction import predict_with_map

    run = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": ["neg", "pos"]})
    small = predict_with_map(project, run_id=run, method="pca", precision="fp32", device="cpu")
    assert small.map_row_ids.tolist() == list(range(12)) and small.map_coords.shape == (12, 2)
    sampled = predict_with_map(project, run_id=run, map_rows=5, method="pca", precision="fp32", device="cpu")
    assert len(sampled.result.row_ids) == 12 and project.prediction_count(run) == 12
    assert sampled.map_row_ids.tolist() == [0, 2, 5, 8, 11] and sampled.map_coords.shape == (5, 2)
    assert sampled.result.predictions.embeddings is None


def test_predict_with_map_stores_the_map_with_the_run(project: Project, tiny_model_dir: Path) -> None:
    """Issue 14: the map was kept in the panel's memory only, and lost on closing the project."""
    from bertdesk.core.ml.project_prediction import predict_with_map

    run = project.add_run(status="finished", model_dir=str(tiny_model_dir), config={}, metrics={"labels": ["neg", "pos"]})
    assert project.map(run) is None
    out = predict_with_map(project, run_id=run, map_rows=5, method="pca", precision="fp32", device="cpu")
    stored = project.map(run)
    assert stored is not None
    np.testing.assert_array_equal(stored[0], out.map_row_ids)
    np.testing.assert_allclose(stored[1], out.map_coords, rtol=1e-6)
    # Predicting the unlabelled rows again draws (and keeps) their map instead.
    again = predict_with_map(project, run_id=run, rows="unlabelled", method="pca", precision="fp32", device="cpu")
    stored = project.map(run)
    assert stored is not None and stored[0].tolist() == again.map_row_ids.tolist() == [1, 2, 4, 5, 7, 8, 10, 11]

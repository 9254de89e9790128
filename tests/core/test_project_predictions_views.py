"""core.prediction_views: the Predict panel's table, filters, metrics and map, without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from bertdesk.core.project.prediction_analysis import (
    UNLABELLED,
    RowFilter,
    confidence_histogram,
    filter_mask,
    prediction_frame,
    project_2d,
    validation_report,
)
from bertdesk.core.project.predictions import PredictionTable

CLASSES = ["billing", "bug", "praise"]
#            row: 0      1      2        3         4        5
PREDICTED = ["bug", "bug", "billing", "praise", "praise", "bug"]
HUMAN = {0: "bug", 1: "billing", 2: "billing", 4: "bug"}  # rows 3 and 5 unlabelled
CONF = [0.95, 0.55, 0.80, 0.99, 0.40, 0.70]


def table() -> PredictionTable:
    probs = np.full((6, 3), 0.0, dtype=np.float32)
    for i, (name, c) in enumerate(zip(PREDICTED, CONF)):
        probs[i] = (1 - c) / 2
        probs[i, CLASSES.index(name)] = c
    return PredictionTable(1, CLASSES, np.arange(6), np.array(PREDICTED, dtype=object), np.array(CONF, np.float32), probs)


def frame():
    return prediction_frame([f"text {i}" for i in range(6)], HUMAN, table())


def ids(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask).tolist()


def test_frame() -> None:
    f = frame()
    assert list(f.columns) == ["text", "label", "predicted", "confidence", "agrees", "p_billing", "p_bug", "p_praise"]
    assert f.index.name == "row_id" and f.index.tolist() == list(range(6))
    assert f["agrees"].tolist() == [True, False, True, None, False, None]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RowFilter(), [0, 1, 2, 3, 4, 5]),
        (RowFilter(label="billing"), [1, 2]),
        (RowFilter(label=UNLABELLED), [3, 5]),
        (RowFilter(predicted="bug"), [0, 1, 5]),
        (RowFilter(confidence_min=0.7, confidence_max=0.95), [0, 2, 5]),
        (RowFilter(agreement="agree"), [0, 2]),
        (RowFilter(agreement="disagree"), [1, 4]),
        (RowFilter(agreement="unlabelled"), [3, 5]),
        (RowFilter(agreement="labelled", predicted="bug"), [0, 1]),
        (RowFilter(row_ids=frozenset({1, 4, 99})), [1, 4]),
        (RowFilter(text="TEXT 3"), [3]),
    ],
)
def test_filters(rule: RowFilter, expected: list[int]) -> None:
    assert ids(filter_mask(frame(), rule)) == expected


def test_histogram() -> None:
    counts, edges = confidence_histogram(np.array(CONF), bins=10)
    assert counts.sum() == 6 and len(edges) == 11
    assert counts[9] == 2 and counts[4] == 1  # 0.95, 0.99 in the top bin; 0.40 in 40-50%


def test_validation_report() -> None:
    report = validation_report(frame(), [0, 1, 2, 3, 4], CLASSES)  # row 3 has no label: left out
    assert report.rows == 4
    # true billing: row 1 -> bug, row 2 -> billing; true bug: row 0 -> bug, row 4 -> praise
    assert report.matrix.tolist() == [[1, 1, 0], [0, 1, 1], [0, 0, 0]]
    assert report.cells[(0, 1)] == [1] and report.cells[(1, 2)] == [4]
    assert report.accuracy == pytest.approx(0.5)
    assert report.precision.tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert report.recall.tolist() == pytest.approx([0.5, 0.5, 0.0])
    assert report.support.tolist() == [2, 2, 0]
    empty = validation_report(frame(), [], CLASSES)
    assert empty.rows == 0 and empty.matrix.shape == (3, 3)


def test_project_2d() -> None:
    rng = np.random.default_rng(0)
    data = np.concatenate([rng.normal(0, 1, (20, 8)), rng.normal(8, 1, (20, 8))])
    coords = project_2d(data)
    assert coords.shape == (40, 2) and coords.dtype == np.float32
    # The first component separates the two clusters.
    assert (coords[:20, 0] < 0).all() == (coords[20:, 0] > 0).all()
    assert abs(coords[:20, 0].mean() - coords[20:, 0].mean()) > 10
    np.testing.assert_array_equal(project_2d(data), coords)  # deterministic, signs fixed
    assert project_2d(np.zeros((0, 8))).shape == (0, 2)
    assert project_2d(np.ones((1, 8))).shape == (1, 2)


def test_scores_match_sklearn() -> None:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    rng = np.random.default_rng(1)
    n = 500
    truth = rng.integers(0, 4, n)
    guess = np.where(rng.random(n) < 0.6, truth, rng.integers(0, 4, n))
    guess[guess == 3] = 0  # class 3 never predicted: zero division
    names = ["a", "b", "c", "d"]
    probs = np.full((n, 4), 0.1, dtype=np.float32)
    probs[np.arange(n), guess] = 0.7
    table = PredictionTable(1, names, np.arange(n), np.array([names[g] for g in guess], dtype=object), probs.max(axis=1), probs)
    f = prediction_frame([""] * n, {i: names[t] for i, t in enumerate(truth)}, table)
    report = validation_report(f, range(n), names)
    np.testing.assert_array_equal(report.matrix, confusion_matrix(truth, guess, labels=range(4)))
    expected = precision_recall_fscore_support(truth, guess, labels=range(4), zero_division=0)
    for ours, theirs in zip((report.precision, report.recall, report.f1, report.support), expected):
        np.testing.assert_allclose(ours, theirs)

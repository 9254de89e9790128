"""Most-uncertain-first orders from hand-made probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from bertdesk.core.errors import BertdeskError
from bertdesk.core.project.uncertainty import most_uncertain_first, rows_above, uncertainty_scores

IDS = [10, 11, 12, 13]
# Chosen so the three measures disagree:
#   row 10: top 0.50, margin 0.10, fairly spread
#   row 11: top 0.45, margin 0.00 (a tie between two classes), third class small
#   row 12: top 0.40, margin 0.10, spread over all three (highest entropy)
#   row 13: top 0.90, confident
PROBS = np.array([[0.50, 0.40, 0.10], [0.45, 0.45, 0.10], [0.40, 0.30, 0.30], [0.90, 0.05, 0.05]])


def test_least_confidence() -> None:
    assert most_uncertain_first(IDS, PROBS, method="least_confidence") == [12, 11, 10, 13]


def test_margin() -> None:
    assert most_uncertain_first(IDS, PROBS, method="margin") == [11, 10, 12, 13]


def test_entropy() -> None:
    scores = uncertainty_scores(PROBS, "entropy")
    expected = -(PROBS * np.log(PROBS)).sum(axis=1)
    np.testing.assert_allclose(scores, expected)
    assert most_uncertain_first(IDS, PROBS, method="entropy") == [12, 11, 10, 13]


def test_unlabelled_only_by_default_and_limit() -> None:
    labelled = {12: "neg"}
    assert most_uncertain_first(IDS, PROBS, labelled=labelled) == [11, 10, 13]
    assert most_uncertain_first(IDS, PROBS, labelled=labelled, include_labelled=True) == [12, 11, 10, 13]
    assert most_uncertain_first(IDS, PROBS, limit=2) == [12, 11]


def test_ties_keep_row_order_and_edge_cases() -> None:
    even = np.full((3, 2), 0.5)
    assert most_uncertain_first([5, 3, 9], even, method="margin") == [5, 3, 9]
    assert most_uncertain_first([], np.zeros((0, 2))) == []
    with pytest.raises(BertdeskError, match="Unknown uncertainty measure"):
        uncertainty_scores(PROBS, "vibes")
    with pytest.raises(BertdeskError):
        most_uncertain_first([1], PROBS)


def test_rows_above_threshold() -> None:
    labels = ["a", "b", "a", "c"]
    conf = [0.5, 0.95, 0.9, 0.89]
    assert rows_above(IDS, labels, conf, 0.9) == {11: "b", 12: "a"}
    assert rows_above(IDS, labels, conf, 0.9, labelled={11: "x"}) == {12: "a"}
    assert rows_above(IDS, labels, conf, 1.01) == {}

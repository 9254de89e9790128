"""The majority-class baseline shown beside every score, and the line saying a run does not beat it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, f1_score

from bertdesk.core.baseline import majority_baseline
from bertdesk.core.ml.training_metrics import ValidationScores, format_scores, score_sheet


@pytest.mark.parametrize("counts", [[64, 27, 9], [5, 5], [0, 3, 7, 1], [1], [10, 0, 0]])
def test_baseline_matches_sklearns_most_frequent_dummy(counts: list[int]) -> None:
    labels = [f"l{i}" for i in range(len(counts))]
    true = np.repeat(np.arange(len(counts)), counts)
    dummy = DummyClassifier(strategy="most_frequent").fit(np.zeros((len(true), 1)), true)
    guess = dummy.predict(np.zeros((len(true), 1)))
    baseline = majority_baseline(counts, labels)
    assert baseline is not None
    assert baseline.label == labels[int(guess[0])]
    assert baseline.accuracy == pytest.approx(accuracy_score(true, guess))
    present = sorted(set(true.tolist()))
    assert baseline.macro_f1 == pytest.approx(f1_score(true, guess, labels=present, average="macro", zero_division=0))


def test_no_rows_no_baseline() -> None:
    assert majority_baseline([0, 0], ["a", "b"]) is None
    assert ValidationScores.from_dict(None).baseline is None and ValidationScores.from_dict(None).verdict() is None


def _sheet(true: list[int], guess: list[int], labels: list[str]) -> ValidationScores:
    return score_sheet(true, guess, labels)


def test_a_run_below_the_baseline_says_so_with_what_to_try() -> None:
    # The user's case: 64% of validation rows are "positive"; the model scored 0.50.
    labels = ["positive", "negative", "neutral"]
    true = [0] * 64 + [1] * 27 + [2] * 9
    guess = [0] * 40 + [1] * 24 + [1] * 14 + [2] * 13 + [0] * 9  # 40 + 13 + 0 right = 0.53
    sheet = _sheet(true, guess, labels)
    verdict = sheet.verdict()
    assert verdict is not None and "does not beat always answering “positive”" in verdict
    assert "0.640" in verdict and "Thorough" in verdict and "\n" not in verdict
    assert "(always “positive”: 0.640)" in sheet.summary()
    report = format_scores(sheet.to_dict())
    assert "Baseline:  0.640 accuracy" in report and "Warning:" in report


def test_a_run_above_the_baseline_has_no_warning() -> None:
    labels = ["a", "b"]
    true = [0] * 60 + [1] * 40
    guess = [0] * 55 + [1] * 5 + [1] * 35 + [0] * 5  # 0.90 vs 0.60
    sheet = _sheet(true, guess, labels)
    assert sheet.verdict() is None
    report = format_scores(sheet.to_dict())
    assert "Baseline:" in report and "Warning:" not in report


def test_losing_on_accuracy_but_finding_rare_labels_is_told_apart() -> None:
    # 95/5: the model gives up some accuracy to find the rare label; macro-F1 shows it.
    true = [0] * 95 + [1] * 5
    guess = [0] * 89 + [1] * 6 + [1] * 5
    verdict = _sheet(true, guess, ["common", "rare"]).verdict()
    assert verdict is not None and "finds the rarer labels" in verdict

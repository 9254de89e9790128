"""Confident learning on small examples worked out by hand (Northcutt, Jiang & Chuang 2021)."""

from __future__ import annotations

import numpy as np
import pytest

from bertdesk.core.errors import BertdeskError
from bertdesk.core.review.confident_learning import (
    confident_joint,
    estimate_noise,
    find_label_issues,
    label_quality_scores,
    per_class_thresholds,
)

# Nine rows, three classes. Row 2 (given 0) looks like a 1; row 8 (given 2) looks like a 0.
LABELS = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
PROBS = np.array(
    [
        [0.80, 0.10, 0.10],  # 0  given 0
        [0.60, 0.30, 0.10],  # 1  given 0
        [0.10, 0.80, 0.10],  # 2  given 0, probably a 1
        [0.20, 0.70, 0.10],  # 3  given 1, exactly at t1
        [0.10, 0.90, 0.00],  # 4  given 1
        [0.30, 0.50, 0.20],  # 5  given 1, no class reaches its threshold
        [0.10, 0.10, 0.80],  # 6  given 2
        [0.20, 0.20, 0.60],  # 7  given 2
        [0.55, 0.40, 0.05],  # 8  given 2, probably a 0
    ]
)


def test_thresholds_are_the_mean_self_confidence_per_given_class() -> None:
    # t0 = (0.8 + 0.6 + 0.1) / 3 = 0.5
    # t1 = (0.7 + 0.9 + 0.5) / 3 = 0.7
    # t2 = (0.8 + 0.6 + 0.05) / 3 = 1.45 / 3 = 0.48333...
    np.testing.assert_allclose(per_class_thresholds(LABELS, PROBS), [0.5, 0.7, 1.45 / 3])


def test_confident_joint_counts_rows_reaching_a_threshold() -> None:
    # row 0: p0 .8 >= .5 only          -> C[0][0]      row 5: .3<.5, .5<.7, .2<.483 -> nowhere
    # row 1: p0 .6 >= .5 only          -> C[0][0]      row 6: p2 .8 >= .483 only    -> C[2][2]
    # row 2: p1 .8 >= .7 only          -> C[0][1]      row 7: p2 .6 >= .483 only    -> C[2][2]
    # row 3: p1 .7 >= .7 (equal counts) -> C[1][1]     row 8: p0 .55 >= .5 only     -> C[2][0]
    # row 4: p1 .9 >= .7 only          -> C[1][1]
    expected = [[2, 1, 0], [0, 2, 0], [1, 0, 2]]
    np.testing.assert_array_equal(confident_joint(LABELS, PROBS, calibrate=False), expected)


def test_calibration_scales_each_row_to_the_rows_given_that_class() -> None:
    # Rows given 0, 1, 2: 3 each. Row sums of C: 3, 2, 3. Row 1 is scaled by 3/2: [0, 3, 0].
    np.testing.assert_allclose(confident_joint(LABELS, PROBS), [[2, 1, 0], [0, 3, 0], [1, 0, 2]])


def test_noise_estimate() -> None:
    noise = estimate_noise(LABELS, PROBS)
    # Q = calibrated / 9; noise_i = 1 - Q[i][i] / sum_j Q[i][j]: 1 - 2/3, 1 - 3/3, 1 - 2/3; overall 1 - (2+3+2)/9.
    np.testing.assert_allclose(noise.joint, np.array([[2, 1, 0], [0, 3, 0], [1, 0, 2]]) / 9)
    np.testing.assert_allclose(noise.noise_rate, [1 / 3, 0, 1 / 3])
    assert noise.overall == pytest.approx(2 / 9)


def test_several_classes_above_threshold_go_to_the_likeliest_of_them() -> None:
    labels = np.array([0, 0, 1, 1, 1, 2, 2])
    probs = np.array(
        [
            [0.45, 0.55, 0.00],  # A given 0
            [0.35, 0.05, 0.60],  # B given 0
            [0.30, 0.50, 0.20],  # C given 1
            [0.50, 0.30, 0.20],  # D given 1
            [0.45, 0.07, 0.48],  # H given 1
            [0.00, 0.30, 0.70],  # E given 2
            [0.10, 0.60, 0.30],  # F given 2
        ]
    )
    # t0 = (.45 + .35) / 2 = .4;  t1 = (.5 + .3 + .07) / 3 = .29;  t2 = (.7 + .3) / 2 = .5
    # A: p0 .45 >= .4 and p1 .55 >= .29; the likelier is 1     -> C[0][1]
    # B: only p2 .6 >= .5                                       -> C[0][2]
    # C: only p1 .5 >= .29                                      -> C[1][1]
    # D: p0 .5 >= .4 and p1 .3 >= .29; the likelier is 0        -> C[1][0]
    # H: p2 .48 is its largest but < .5; only p0 .45 >= .4     -> C[1][0]
    # E: only p2 .7 >= .5                                       -> C[2][2]
    # F: only p1 .6 >= .29                                      -> C[2][1]
    np.testing.assert_allclose(per_class_thresholds(labels, probs), [0.4, 0.29, 0.5])
    np.testing.assert_array_equal(confident_joint(labels, probs, calibrate=False), [[0, 1, 1], [2, 1, 0], [0, 1, 1]])


# Eight rows where the pruning methods disagree.
PRUNE_LABELS = np.array([0, 0, 0, 0, 1, 1, 2, 2])
PRUNE_PROBS = np.array(
    [
        [0.80, 0.10, 0.10],  # r0 given 0
        [0.10, 0.80, 0.10],  # r1 given 0, confidently a 1
        [0.05, 0.45, 0.50],  # r2 given 0, the lowest p0, but confident in nothing
        [0.90, 0.05, 0.05],  # r3 given 0
        [0.10, 0.80, 0.10],  # r4 given 1
        [0.20, 0.70, 0.10],  # r5 given 1
        [0.10, 0.10, 0.80],  # r6 given 2
        [0.00, 0.10, 0.90],  # r7 given 2
    ]
)
# t0 = (.8 + .1 + .05 + .9) / 4 = .4625;  t1 = (.8 + .7) / 2 = .75;  t2 = (.8 + .9) / 2 = .85
# r0 -> C[0][0]; r1: p1 .8 >= .75 -> C[0][1]; r2: .05, .45, .5 all below -> nowhere; r3 -> C[0][0]
# r4 -> C[1][1]; r5: .7 < .75 -> nowhere; r6: .8 < .85 -> nowhere; r7 -> C[2][2]
# C = [[2, 1, 0], [0, 1, 0], [0, 0, 1]]; calibrated to 4, 2, 2 rows: [[8/3, 4/3, 0], [0, 2, 0], [0, 0, 2]]
# n * Q = calibrated (n = 8): one row (4/3 rounds to 1) given 0 is to go, as a 1.


def test_prune_by_noise_rate_takes_the_largest_margin_towards_the_other_class() -> None:
    # p1 - p0 of the rows given 0: r0 -.7, r1 .7, r2 .4, r3 -.85 -> r1
    issues = find_label_issues(PRUNE_LABELS, PRUNE_PROBS, filter_by="prune_by_noise_rate")
    assert issues.ranked.tolist() == [1]
    np.testing.assert_allclose(issues.noise.noise_rate, [1 / 3, 0, 0])  # 1 - (8/3) / 4


def test_prune_by_class_takes_the_lowest_self_confidence() -> None:
    # p0 of the rows given 0: .8, .1, .05, .9 -> r2
    assert find_label_issues(PRUNE_LABELS, PRUNE_PROBS, filter_by="prune_by_class").ranked.tolist() == [2]


def test_both_is_the_rows_flagged_by_each() -> None:
    assert find_label_issues(PRUNE_LABELS, PRUNE_PROBS, filter_by="both").ranked.tolist() == []
    assert find_label_issues(LABELS, PROBS, filter_by="both").ranked.tolist() == [8, 2]


def test_confident_learning_flags_the_off_diagonal_of_the_confident_joint() -> None:
    assert find_label_issues(PRUNE_LABELS, PRUNE_PROBS, filter_by="confident_learning").ranked.tolist() == [1]
    assert find_label_issues(LABELS, PROBS, filter_by="confident_learning").ranked.tolist() == [8, 2]


def test_main_example_flags_and_ranks() -> None:
    # Noise-rate pruning: (0,1) one row, p1 - p0 of rows 0,1,2 = -.7, -.3, .7 -> row 2;
    # (2,0) one row, p0 - p2 of rows 6,7,8 = -.7, -.4, .5 -> row 8.
    by_confidence = find_label_issues(LABELS, PROBS)
    # Self-confidence: row 8 .05 < row 2 .1.
    assert by_confidence.ranked.tolist() == [8, 2]
    np.testing.assert_allclose(by_confidence.scores, PROBS[np.arange(9), LABELS])
    assert by_confidence.suggested.tolist() == [0, 0, 1, 1, 1, 1, 2, 2, 0]
    # Normalised margin: row 2 (.1 - .8 + 1) / 2 = .15 < row 8 (.05 - .55 + 1) / 2 = .25.
    by_margin = find_label_issues(LABELS, PROBS, rank_by="normalized_margin")
    assert by_margin.ranked.tolist() == [2, 8]
    np.testing.assert_allclose(by_margin.scores[[0, 2, 8]], [(0.8 - 0.1 + 1) / 2, 0.15, 0.25])


def test_label_quality_scores() -> None:
    np.testing.assert_allclose(label_quality_scores(LABELS, PROBS), [0.8, 0.6, 0.1, 0.7, 0.9, 0.5, 0.8, 0.6, 0.05])
    # row 5: (.5 - .3 + 1) / 2 = .6;  row 4: (.9 - .1 + 1) / 2 = .9
    np.testing.assert_allclose(label_quality_scores(LABELS, PROBS, rank_by="normalized_margin")[[4, 5]], [0.9, 0.6])


def test_a_row_whose_label_is_the_likeliest_class_is_never_flagged() -> None:
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(4), size=300)
    labels = rng.integers(0, 4, size=300)
    for filter_by in ("prune_by_noise_rate", "prune_by_class", "both", "confident_learning"):
        issues = find_label_issues(labels, probs, filter_by=filter_by)  # type: ignore[arg-type]
        assert issues.ranked.size > 0
        assert not np.any(issues.suggested[issues.ranked] == labels[issues.ranked])


def test_clean_labels_give_no_issues_and_no_noise() -> None:
    labels = np.array([0, 0, 1, 1])
    probs = np.array([[0.9, 0.1], [0.7, 0.3], [0.2, 0.8], [0.4, 0.6]])
    issues = find_label_issues(labels, probs)
    assert issues.ranked.tolist() == []
    assert issues.noise.overall == 0.0


def test_a_flipped_share_is_found_on_a_simulated_model() -> None:
    # A model that is right 90% of the time on the true label; 10% of given labels are flipped.
    rng = np.random.default_rng(0)
    n, k = 2000, 3
    true = rng.integers(0, k, size=n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), true] += 3.0
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    flipped = rng.random(n) < 0.1
    given = np.where(flipped, (true + rng.integers(1, k, size=n)) % k, true)
    issues = find_label_issues(given, probs)
    found = np.isin(issues.ranked, np.flatnonzero(flipped))
    assert found.mean() > 0.8  # precision
    assert found.sum() / flipped.sum() > 0.6  # recall
    assert issues.noise.overall == pytest.approx(flipped.mean(), abs=0.05)


@pytest.mark.parametrize(
    ("labels", "probs", "message"),
    [
        (np.array([], dtype=int), np.zeros((0, 2)), "No labelled rows"),
        (np.array([0, 0]), np.array([[1.0], [1.0]]), "at least two classes"),
        (np.array([0, 1, 0]), np.array([[0.5, 0.5], [0.5, 0.5]]), "3 labels but 2 rows"),
        (np.array([0, 1]), np.array([0.5, 0.5]), "table of rows x classes"),
        (np.array([[0, 1]]), np.array([[0.5, 0.5]]), "one class number per row"),
        (np.array([0, 1]), np.array([[0.5, np.nan], [0.5, 0.5]]), "position 0, class 1 is nan"),
        (np.array([0, 1]), np.array([[0.5, 0.5], [np.inf, 0.5]]), "position 1, class 0 is inf"),
        (np.array([0, 1]), np.array([[0.5, 0.5], [1.5, -0.5]]), "position 1, class 0 is 1.5"),
        (np.array([0, 2]), np.array([[0.5, 0.5], [0.5, 0.5]]), "label at position 1 is class 2"),
        (np.array([0, -1]), np.array([[0.5, 0.5], [0.5, 0.5]]), "label at position 1 is class -1"),
        (np.array([0, 0]), np.array([[0.5, 0.5], [0.5, 0.5]]), "Class 1 has no labelled rows"),
        (np.array([0.0, 1.0]), np.array([[0.5, 0.5], [0.5, 0.5]]), "class numbers 0..1, not float64"),
        (np.array([0, 1]), np.array([["a", "b"], ["c", "d"]]), "must be numbers, not <U1"),
    ],
)
def test_bad_input_is_one_line(labels: np.ndarray, probs: np.ndarray, message: str) -> None:
    for call in (per_class_thresholds, confident_joint, estimate_noise, label_quality_scores, find_label_issues):
        with pytest.raises(BertdeskError, match=message) as err:
            call(labels, probs)
        assert "\n" not in str(err.value)


def test_unknown_methods_are_one_line() -> None:
    with pytest.raises(BertdeskError, match="Unknown way to flag labels 'vote'; choose one of prune_by_noise_rate"):
        find_label_issues(LABELS, PROBS, filter_by="vote")  # type: ignore[arg-type]
    with pytest.raises(BertdeskError, match="Unknown way to rank labels 'entropy'; choose one of self_confidence"):
        label_quality_scores(LABELS, PROBS, rank_by="entropy")  # type: ignore[arg-type]


def test_inputs_are_not_changed_and_float32_works() -> None:
    probs = PROBS.astype(np.float32)
    before = probs.copy()
    issues = find_label_issues(LABELS.astype(np.int32), probs, rank_by="normalized_margin")
    np.testing.assert_array_equal(probs, before)
    assert issues.ranked.tolist() == [2, 8]
    assert issues.ranked.dtype == np.int64 and issues.suggested.dtype == np.int64

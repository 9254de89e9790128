"""Which given labels are probably wrong: confident learning (Northcutt, Jiang & Chuang, JAIR 2021).

Written from the paper ("Confident Learning: Estimating Uncertainty in Dataset Labels"), numpy only.
Inputs are the given label of each row and out-of-sample class probabilities (each row's
probabilities come from a model that did not see that row):

* per-class threshold ``t_j``: the mean probability of class j over the rows given j (the
  model's average self-confidence in that class);
* confident joint ``C[i][j]``: rows given i whose probability of j reaches ``t_j``; a row
  with several classes at or above their thresholds counts once, for the likeliest of them,
  and a row with none counts nowhere;
* calibration: each row of C is scaled to the number of rows given i, and the whole is divided
  by n, giving ``Q``, an estimate of the joint distribution of given and true labels;
* noise rate of given class i: ``1 - Q[i][i] / sum_j Q[i][j]``; overall: ``1 - trace(Q)``.

Flagging (the paper's pruning methods):

* ``prune_by_noise_rate``: for each off-diagonal (i, j), the ``n * Q[i][j]`` rows given i with
  the largest margin ``p_j - p_i``;
* ``prune_by_class``: for each class i, the ``n * sum_{j != i} Q[i][j]`` rows given i with the
  lowest self-confidence ``p_i``;
* ``both``: rows flagged by both of the above;
* ``confident_learning``: the rows counted off the diagonal of the confident joint.

One rule added to the paper's: a row whose given label is already the likeliest class is never
flagged; its suggested label would be the label it has, which is nothing to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from bertdesk.core.errors import BertdeskError

RankBy = Literal["self_confidence", "normalized_margin"]
FilterBy = Literal["prune_by_noise_rate", "prune_by_class", "both", "confident_learning"]
RANK_BY: tuple[str, ...] = ("self_confidence", "normalized_margin")
FILTER_BY: tuple[str, ...] = ("prune_by_noise_rate", "prune_by_class", "both", "confident_learning")

# A mean of equal floats can land one ulp above them (mean(0.7, 0.9, 0.5) = 0.7000000000000001);
# "reaches the threshold" must still hold for the row at 0.7.
_THRESHOLD_SLACK = 1e-9


@dataclass(frozen=True)
class NoiseEstimate:
    """The estimated joint of given (rows) and true (columns) labels, and what it implies."""

    joint: np.ndarray  # float [k, k], sums to 1
    noise_rate: np.ndarray  # float [k]: share of the rows given each class that are estimated wrong
    overall: float  # share of all rows estimated wrong


@dataclass(frozen=True)
class LabelIssues:
    """The rows whose given label is probably wrong, most suspicious first."""

    ranked: np.ndarray  # int positions into the inputs flagged as probably wrong, most suspicious first
    scores: np.ndarray  # float [n] label quality of every row (lower = worse)
    suggested: np.ndarray  # int [n] the likeliest class of every row
    noise: NoiseEstimate


def per_class_thresholds(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``t_j``: the mean probability of class j over the rows given j (float [k])."""
    given, p = _checked(labels, probs)
    return _thresholds(given, p)


def confident_joint(labels: np.ndarray, probs: np.ndarray, *, calibrate: bool = True) -> np.ndarray:
    """``C[given, true]`` (float [k, k]); calibrated, row i sums to the number of rows given i."""
    given, p = _checked(labels, probs)
    counts, _ = _confident_counts(given, p)
    return _calibrated(counts, given, p.shape[1]) if calibrate else counts.astype(np.float64)


def estimate_noise(labels: np.ndarray, probs: np.ndarray) -> NoiseEstimate:
    """The normalised joint ``Q`` and the noise rate of each given class and overall."""
    given, p = _checked(labels, probs)
    counts, _ = _confident_counts(given, p)
    return _noise(_calibrated(counts, given, p.shape[1]))


def label_quality_scores(labels: np.ndarray, probs: np.ndarray, *, rank_by: RankBy = "self_confidence") -> np.ndarray:
    """One score per row in [0, 1], lower = the given label is more suspicious (float [n])."""
    given, p = _checked(labels, probs)
    return _scores(given, p, rank_by)


def find_label_issues(
    labels: np.ndarray, probs: np.ndarray, *, filter_by: FilterBy = "prune_by_noise_rate", rank_by: RankBy = "self_confidence"
) -> LabelIssues:
    """The rows flagged by ``filter_by``, ordered by ``rank_by`` (ties: input order)."""
    if filter_by not in FILTER_BY:
        raise BertdeskError(f"Unknown way to flag labels {filter_by!r}; choose one of {', '.join(FILTER_BY)}.")
    given, p = _checked(labels, probs)
    scores = _scores(given, p, rank_by)
    counts, true_class = _confident_counts(given, p)
    noise = _noise(_calibrated(counts, given, p.shape[1]))
    n = given.shape[0]
    if filter_by == "confident_learning":
        flagged = (true_class >= 0) & (true_class != given)
    elif filter_by == "prune_by_noise_rate":
        flagged = _prune_by_noise_rate(given, p, noise.joint * n)
    elif filter_by == "prune_by_class":
        flagged = _prune_by_class(given, p, noise.joint * n)
    else:
        flagged = _prune_by_noise_rate(given, p, noise.joint * n) & _prune_by_class(given, p, noise.joint * n)
    suggested = p.argmax(axis=1)
    flagged &= suggested != given
    positions = np.flatnonzero(flagged)
    ranked = positions[np.argsort(scores[positions], kind="stable")]
    return LabelIssues(ranked=ranked.astype(np.int64), scores=scores, suggested=suggested.astype(np.int64), noise=noise)


def _checked(labels: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The inputs as int64 [n] and float64 [n, k], or a one-line error naming what is wrong."""
    p = np.asarray(probs)
    raw = np.asarray(labels)
    if p.ndim != 2:
        raise BertdeskError(f"Probabilities must be a table of rows x classes, not shape {p.shape}.")
    if raw.ndim != 1:
        raise BertdeskError(f"Labels must be one class number per row, not shape {raw.shape}.")
    n, k = p.shape
    if raw.shape[0] != n:
        raise BertdeskError(f"{raw.shape[0]} labels but {n} rows of probabilities.")
    if n == 0:
        raise BertdeskError("No labelled rows to review.")
    if k < 2:
        raise BertdeskError(f"Reviewing labels needs at least two classes; the probabilities have {k}.")
    if not np.issubdtype(raw.dtype, np.integer):
        raise BertdeskError(f"Labels must be class numbers 0..{k - 1}, not {raw.dtype} values.")
    if not np.issubdtype(p.dtype, np.number) or np.issubdtype(p.dtype, np.complexfloating):
        raise BertdeskError(f"Probabilities must be numbers, not {p.dtype} values.")
    p = p.astype(np.float64)
    given = raw.astype(np.int64)
    bad = ~np.isfinite(p)
    if bad.any():
        row, col = (int(x) for x in np.argwhere(bad)[0])
        raise BertdeskError(f"The probability at position {row}, class {col} is {p[row, col]}; probabilities must be numbers.")
    outside = (p < 0.0) | (p > 1.0)
    if outside.any():
        row, col = (int(x) for x in np.argwhere(outside)[0])
        raise BertdeskError(f"The probability at position {row}, class {col} is {p[row, col]:g}; probabilities lie between 0 and 1.")
    wrong = (given < 0) | (given >= k)
    if wrong.any():
        row = int(np.flatnonzero(wrong)[0])
        raise BertdeskError(f"The label at position {row} is class {given[row]}, but the probabilities have classes 0..{k - 1}.")
    empty = np.flatnonzero(np.bincount(given, minlength=k) == 0)
    if empty.size:
        raise BertdeskError(f"Class {int(empty[0])} has no labelled rows; every class needs at least one to estimate its threshold.")
    return given, p


def _thresholds(given: np.ndarray, p: np.ndarray) -> np.ndarray:
    k = p.shape[1]
    sums = np.bincount(given, weights=p[np.arange(given.shape[0]), given], minlength=k)
    thresholds: np.ndarray = sums / np.bincount(given, minlength=k)
    return thresholds


def _confident_counts(given: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The uncalibrated confident joint (int [k, k]) and each row's confident class (-1: none)."""
    k = p.shape[1]
    above = p >= _thresholds(given, p) - _THRESHOLD_SLACK
    # The likeliest class among those at or above their thresholds: mask the others to -1.
    true_class = np.where(above, p, -1.0).argmax(axis=1)
    true_class[~above.any(axis=1)] = -1
    counted = true_class >= 0
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (given[counted], true_class[counted]), 1)
    return counts, true_class


def _calibrated(counts: np.ndarray, given: np.ndarray, k: int) -> np.ndarray:
    """Each row i of the joint scaled to sum to the number of rows given i."""
    sizes = np.bincount(given, minlength=k).astype(np.float64)
    joint = counts.astype(np.float64)
    row_sums = joint.sum(axis=1)
    # The row of class i always counts the row given i with the highest p_i (it reaches the mean),
    # so an empty row cannot happen; should it, its rows are taken as correctly labelled.
    for i in np.flatnonzero(row_sums == 0):
        joint[i, i], row_sums[i] = 1.0, 1.0
    calibrated: np.ndarray = joint / row_sums[:, None] * sizes[:, None]
    return calibrated


def _noise(calibrated: np.ndarray) -> NoiseEstimate:
    joint = calibrated / calibrated.sum()
    per_class = 1.0 - np.diag(joint) / joint.sum(axis=1)
    return NoiseEstimate(joint=joint, noise_rate=per_class, overall=float(1.0 - np.trace(joint)))


def _how_many(expected: float) -> int:
    """An expected count of rows rounded to the nearest whole row (halves up)."""
    return int(np.floor(expected + 0.5))


def _prune_by_noise_rate(given: np.ndarray, p: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """For each off-diagonal (i, j): the n*Q[i][j] rows given i with the largest margin p_j - p_i."""
    flagged = np.zeros(given.shape[0], dtype=bool)
    k = p.shape[1]
    for i in range(k):
        rows = np.flatnonzero(given == i)
        for j in range(k):
            count = min(_how_many(expected[i, j]), rows.size) if i != j else 0
            if count > 0:
                margin = p[rows, j] - p[rows, i]
                flagged[rows[np.argsort(-margin, kind="stable")[:count]]] = True
    return flagged


def _prune_by_class(given: np.ndarray, p: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """For each class i: the n*sum_{j != i} Q[i][j] rows given i with the lowest self-confidence."""
    flagged = np.zeros(given.shape[0], dtype=bool)
    off_diagonal = expected.sum(axis=1) - np.diag(expected)
    for i in range(p.shape[1]):
        rows = np.flatnonzero(given == i)
        count = min(_how_many(off_diagonal[i]), rows.size)
        if count > 0:
            flagged[rows[np.argsort(p[rows, i], kind="stable")[:count]]] = True
    return flagged


def _scores(given: np.ndarray, p: np.ndarray, rank_by: str) -> np.ndarray:
    own: np.ndarray = p[np.arange(given.shape[0]), given]
    if rank_by == "self_confidence":
        return own
    if rank_by == "normalized_margin":
        others = p.copy()
        others[np.arange(given.shape[0]), given] = -np.inf
        # p_given - max other lies in [-1, 1]; shifted and halved into [0, 1].
        margin: np.ndarray = (own - others.max(axis=1) + 1.0) / 2.0
        return margin
    raise BertdeskError(f"Unknown way to rank labels {rank_by!r}; choose one of {', '.join(RANK_BY)}.")

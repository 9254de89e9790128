"""Which rows to label next: the ones the model is least sure about (uncertainty sampling).

Scores come from stored class probabilities, so ordering a million rows needs no model:

* ``least_confidence``: 1 - max p. The model's top guess is weak.
* ``margin``: p(top) - p(second); a small margin means two classes are nearly tied.
* ``entropy``: -sum p log p; spread over many classes.

Ties keep row-id order (stable sort), so the order is reproducible.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Literal

import numpy as np

from bertdesk.core.errors import BertdeskError

Method = Literal["least_confidence", "margin", "entropy"]
METHODS: tuple[str, ...] = ("least_confidence", "margin", "entropy")


def uncertainty_scores(probabilities: np.ndarray, method: str = "least_confidence") -> np.ndarray:
    """One score per row, higher = more uncertain (float64[n])."""
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.ndim != 2:
        raise BertdeskError(f"Probabilities must be a table of rows x classes, not shape {probs.shape}.")
    if probs.shape[0] == 0:
        return np.zeros(0)
    if method == "least_confidence":
        scores: np.ndarray = 1.0 - probs.max(axis=1)
        return scores
    if method == "margin":
        if probs.shape[1] < 2:
            return np.zeros(probs.shape[0])
        top2 = np.partition(probs, probs.shape[1] - 2, axis=1)[:, -2:]
        return -(top2[:, 1] - top2[:, 0])  # small margin -> high score
    if method == "entropy":
        safe = np.clip(probs, 1e-12, 1.0)
        entropy: np.ndarray = -(probs * np.log(safe)).sum(axis=1)
        return entropy
    raise BertdeskError(f"Unknown uncertainty measure {method!r}; choose one of {', '.join(METHODS)}.")


def most_uncertain_first(
    row_ids: Sequence[int] | np.ndarray,
    probabilities: np.ndarray,
    *,
    method: str = "least_confidence",
    labelled: Collection[int] | Mapping[int, str] | None = None,
    include_labelled: bool = False,
    limit: int | None = None,
) -> list[int]:
    """Row ids ordered most uncertain first.

    Args:
        row_ids: the row of each line of ``probabilities``.
        probabilities: float[n, k] class probabilities (e.g. from ``Project.predictions()``).
        method: ``least_confidence``, ``margin`` or ``entropy``.
        labelled: rows that already have a label (e.g. ``Project.labels()``); left out unless
            ``include_labelled``.
        include_labelled: keep labelled rows in the order.
        limit: return at most this many.
    """
    ids = np.asarray(row_ids, dtype=np.int64).reshape(-1)
    scores = uncertainty_scores(probabilities, method)
    if ids.shape[0] != scores.shape[0]:
        raise BertdeskError(f"{ids.shape[0]} row ids but {scores.shape[0]} rows of probabilities.")
    keep = np.ones(ids.shape[0], dtype=bool)
    if labelled and not include_labelled:
        done = np.fromiter((int(r) for r in labelled), dtype=np.int64)
        keep = ~np.isin(ids, done)
    ids, scores = ids[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")
    if limit is not None:
        order = order[: max(0, int(limit))]
    return [int(i) for i in ids[order]]


def rows_above(
    row_ids: Sequence[int] | np.ndarray,
    labels: Sequence[str] | np.ndarray,
    confidence: Sequence[float] | np.ndarray,
    threshold: float,
    *,
    labelled: Collection[int] | Mapping[int, str] | None = None,
) -> dict[int, str]:
    """Row id -> predicted label for rows whose confidence is at least ``threshold`` (0..1).

    Rows in ``labelled`` are skipped, so accepting predictions never overwrites a person's label.
    Feed the result to ``Project.accept_predictions`` (one undo step).
    """
    ids = np.asarray(row_ids, dtype=np.int64).reshape(-1)
    conf = np.asarray(confidence, dtype=np.float64).reshape(-1)
    names = np.asarray(labels, dtype=object).reshape(-1)
    mask = conf >= float(threshold)
    if labelled:
        done = np.fromiter((int(r) for r in labelled), dtype=np.int64)
        mask &= ~np.isin(ids, done)
    return {int(r): str(name) for r, name in zip(ids[mask].tolist(), names[mask].tolist())}

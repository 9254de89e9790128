"""Per-class decision offsets: shift each class's log-probability so the argmax favours rare classes.

A model trained on imbalanced rows is shy of the rare class even with class weights: its
probabilities are calibrated to the training mix, and argmax then maximises accuracy, not
macro-F1. Adding a small offset per class to the log-probabilities before the argmax moves the
decision boundaries; the offsets are searched on validation rows, one class at a time over a
coarse grid (a few dozen validation rows cannot support a fine one), keeping a change only when
it raises validation macro-F1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Offsets tried per class, in natural-log units (e^2: a class's odds scaled by up to ~7x).
OFFSET_GRID: tuple[float, ...] = tuple(round(x * 0.25, 2) for x in range(-8, 9))


def macro_f1(true: np.ndarray, predicted: np.ndarray, classes: int) -> float:
    """Unweighted mean of per-class F1 over ``classes`` classes (a class never seen nor predicted scores 0)."""
    scores = []
    for c in range(classes):
        tp = float(np.sum((predicted == c) & (true == c)))
        fp = float(np.sum((predicted == c) & (true != c)))
        fn = float(np.sum((predicted != c) & (true == c)))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def apply_offsets(probabilities: np.ndarray, offsets: Sequence[float] | None) -> np.ndarray:
    """The class each row gets once ``offsets`` are added to its log-probabilities (argmax without offsets)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if offsets is None or not len(offsets):
        return np.asarray(probabilities.argmax(axis=1))
    scores = np.log(np.clip(probabilities, 1e-12, None)) + np.asarray(offsets, dtype=np.float64)
    return np.asarray(scores.argmax(axis=1))


def tune_offsets(probabilities: np.ndarray, true: Sequence[int], *, rounds: int = 2, grid: Sequence[float] = OFFSET_GRID) -> list[float]:
    """Offsets (one per class) that maximise macro-F1 of ``probabilities`` against ``true``.

    Coordinate ascent from all zeros: each round tries every grid value for each class in turn
    and keeps the best, moving only on a strict gain, and among equal scores the offset nearest 0
    (no evidence, no shift). Returns zeros when nothing beats the plain argmax.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    target = np.asarray(true, dtype=np.int64)
    classes = probabilities.shape[1]
    offsets = np.zeros(classes)
    if len(target) == 0:
        return offsets.tolist()
    logs = np.log(np.clip(probabilities, 1e-12, None))
    best = macro_f1(target, logs.argmax(axis=1), classes)
    for _ in range(rounds):
        moved = False
        for c in range(classes):
            keep_value, keep_score = offsets[c], best
            for value in sorted(grid, key=abs):
                trial = offsets.copy()
                trial[c] = value
                score = macro_f1(target, (logs + trial).argmax(axis=1), classes)
                if score > keep_score + 1e-9:
                    keep_value, keep_score = value, score
            if keep_value != offsets[c]:
                offsets[c], best, moved = keep_value, keep_score, True
        if not moved:
            break
    return [float(x) for x in offsets]

"""Out-of-sample class probabilities: each labelled row scored by a model that never saw it.

Confident learning (:mod:`bertdesk.core.review.confident_learning`) needs, for every labelled
row, class probabilities from a model trained without that row: a model scoring its own
training rows has learnt their labels, the wrong ones included, and would vouch for them. Both
modes are k-fold cross-validation, stratified by label (each fold keeps every label's share),
so every row is held out exactly once:

* **fast**: logistic regression on frozen sentence embeddings (:mod:`bertdesk.core.ml.embeddings`);
  seconds for 10,000 rows once the embeddings exist;
* **thorough**: k short fine-tunes of the model with bertdesk's own training
  (:func:`~bertdesk.core.ml.training.fine_tune`), each predicting its held-out fold; minutes
  to hours, as good as the classifier the user will train.

Fewer folds are used when the smallest label has fewer rows than ``folds`` (each fold must hold
a row of every label); a label with a single row cannot be held out and kept in training at
once, so it is refused by name.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from bertdesk.core.errors import BertdeskError, Cancelled
from bertdesk.core.leftovers import TRAINER_TEMP_PREFIX, mark_writer
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, format_duration, no_progress

if TYPE_CHECKING:
    from bertdesk.core.ml.training_config import TrainConfig

ReviewMode = Literal["fast", "thorough"]
REVIEW_MODES: tuple[str, ...] = ("fast", "thorough")
DEFAULT_FOLDS = 5
# Thorough mode: epochs of each fold's fine-tune. Short on purpose: k of them run back to back,
# and a model that has not yet memorised its training rows is what the held-out fold needs.
THOROUGH_EPOCHS = 3
# Logistic regression on unit-length embeddings, with sklearn's default regularisation. Chosen on
# the sample data (360 labelled rows, 4 labels, bundled MiniLM; 10% / 20% of labels flipped at
# random, 8 seeds, confident learning's precision of the top-ranked suspects): unit rows with
# C=1 gave 0.84 / 0.88, raw vectors 0.76 / -, C=10 0.80 / -, and standardising each dimension
# first 0.69 / - (it inflates the many near-constant dimensions, and the model overfits the noise).
LOGISTIC_C = 1.0
_FOLD_SCALE = 1000  # progress units per fold in thorough mode (training reports fractions of a fold)


def fold_count(labels: np.ndarray, folds: int = DEFAULT_FOLDS) -> int:
    """The folds used: ``folds``, or fewer when the smallest label has fewer rows (at least 2)."""
    counts = np.bincount(np.asarray(labels, dtype=np.int64))
    present = counts[counts > 0]
    return int(max(2, min(int(folds), int(present.min()) if present.size else 2)))


def fast_out_of_sample(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    label_names: Sequence[str] | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Out-of-sample probabilities from logistic regression on ``features`` (sentence embeddings).

    Args:
        features: one vector per labelled row, ``[n, d]`` (float16 is fine).
        labels: the class number of each row, ``0..k-1``.
        folds: cross-validation folds (fewer when a label has fewer rows).
        seed: fixes the folds.
        label_names: the name of each class number, for messages (and ``k`` when given).
        on_progress: one report per fold.
        cancel: checked between folds.

    Returns:
        float32 ``[n, k]``: row i's probability of each class, from a model fitted without row i.

    Raises:
        BertdeskError: shapes that do not match, numbers that are not, fewer than two labels,
            a label with fewer than two rows (named).
        Cancelled: ``cancel`` was set.
    """
    from sklearn.linear_model import LogisticRegression

    y, k = _checked_labels(labels, label_names)
    x = _checked_features(features, len(y))
    # Cosine geometry: what sentence embeddings are trained for (a vector's length says little).
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.where(norms > 0, norms, 1.0)
    splits = _splits(y, folds, seed)
    probs = np.zeros((len(y), k), dtype=np.float32)
    started = time.monotonic()
    on_progress(Progress(0, len(splits), f"Cross-validating {len(y):,} labelled rows in {len(splits)} folds"))
    for fold, (train, test) in enumerate(splits):
        if cancel is not None:
            cancel.raise_if_cancelled()
        model = LogisticRegression(C=LOGISTIC_C, max_iter=1000)
        model.fit(x[train], y[train])
        probs[np.ix_(test, model.classes_)] = model.predict_proba(x[test])
        done = fold + 1
        left = (time.monotonic() - started) / done * (len(splits) - done)
        tail = f", {format_duration(left)} left" if done < len(splits) else ""
        on_progress(Progress(done, len(splits), f"Cross-validated fold {done} of {len(splits)}{tail}"))
    return probs


def thorough_out_of_sample(
    texts: Sequence[str],
    labels: np.ndarray,
    label_names: Sequence[str],
    model_dir: Path,
    *,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    epochs: int = THOROUGH_EPOCHS,
    config: TrainConfig | None = None,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """Out-of-sample probabilities from ``folds`` short fine-tunes of ``model_dir``.

    Each fold's model is trained (bertdesk's :func:`~bertdesk.core.ml.training.fine_tune`, all
    of the other folds' rows, no validation split) in a temporary folder, predicts the rows of
    its fold, and is deleted; the folder goes when the job ends, however it ends.

    Args:
        texts, labels: the labelled rows and their class numbers (``0..k-1``).
        label_names: the name of each class number.
        model_dir: the model to fine-tune (a base model or a run's folder).
        epochs: of each fine-tune.
        config: other training settings (the Fast preset's when None); its model, epochs,
            seed and validation split are set here.
        on_progress: reports across all folds (each fold's training and prediction).
        cancel: checked throughout; a cancelled fold's model is not used.

    Raises:
        BertdeskError: as :func:`fast_out_of_sample`, or texts and labels of different lengths.
        TrainingError, ModelError: the model cannot be trained.
        Cancelled: ``cancel`` was set.
    """
    from bertdesk.core.ml.inference import predict
    from bertdesk.core.ml.training import fine_tune
    from bertdesk.core.ml.training_config import PRESETS
    from bertdesk.core.ml.training_data import TrainingData

    names = [str(name) for name in label_names]
    y, k = _checked_labels(labels, names)
    if len(names) != k:
        raise BertdeskError(f"The labels use {k} classes but {len(names)} label names were given.")
    if len(texts) != len(y):
        raise BertdeskError(f"{len(y)} labels but {len(texts)} texts; give one label per text.")
    splits = _splits(y, folds, seed)
    settings = (config or PRESETS["Fast"]).replace(model=str(model_dir), epochs=int(epochs), seed=int(seed), val_split=0.0)
    token = cancel or CancelToken()
    probs = np.zeros((len(y), k), dtype=np.float32)
    progress = _FoldProgress(on_progress, len(splits))
    # In the temp dir under the trainer's prefix, with this process as writer: if the process is
    # killed, the next training removes what it left (bertdesk.core.leftovers).
    scratch = Path(tempfile.mkdtemp(prefix=f"{TRAINER_TEMP_PREFIX}review-"))
    try:
        mark_writer(scratch)
        for fold, (train, test) in enumerate(splits):
            token.raise_if_cancelled()
            data = TrainingData([texts[i] for i in train], [names[y[i]] for i in train], [int(i) for i in train], names)
            result = fine_tune(data, settings, scratch / f"fold-{fold + 1}", on_progress=progress.for_fold(fold), cancel=token)
            if result.cancelled:  # a partly trained model's probabilities would not be comparable
                raise Cancelled()
            progress.for_fold(fold)(Progress(0, 0, f"predicting its {len(test):,} held-out rows"))
            held_out = predict(result.model_dir, [texts[i] for i in test], cancel=token, device=settings.device)
            columns = [held_out.labels.index(name) for name in names]
            probs[test] = held_out.probabilities[:, columns]
            shutil.rmtree(result.model_dir, ignore_errors=True)  # a model's worth of disk freed per fold
            progress.fold_done(fold)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return probs


class _FoldProgress:
    """Reports from one fold's training turned into reports across all folds: never going back,
    with the time left in all."""

    def __init__(self, on_progress: ProgressCallback, folds: int) -> None:
        self._on_progress = on_progress
        self._folds = folds
        self._done = 0
        self._started = time.monotonic()

    def for_fold(self, fold: int) -> ProgressCallback:
        def report(progress: Progress) -> None:
            fraction = progress.fraction or 0.0
            self._done = max(self._done, fold * _FOLD_SCALE + int(fraction * _FOLD_SCALE))
            self._send(f"Fold {fold + 1} of {self._folds}: {progress.message}")

        return report

    def fold_done(self, fold: int) -> None:
        self._done = max(self._done, (fold + 1) * _FOLD_SCALE)
        self._send(f"Fold {fold + 1} of {self._folds}: done")

    def _send(self, message: str) -> None:
        total = self._folds * _FOLD_SCALE
        if 0 < self._done < total:
            left = (time.monotonic() - self._started) / self._done * (total - self._done)
            message += f" ({format_duration(left)} left in all)"
        self._on_progress(Progress(self._done, total, message))


def _splits(labels: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds: (training positions, held-out positions) for each."""
    from sklearn.model_selection import StratifiedKFold

    if int(folds) < 2:
        raise BertdeskError(f"Cross-validation needs at least 2 folds (got {folds}).")
    splitter = StratifiedKFold(n_splits=fold_count(labels, folds), shuffle=True, random_state=int(seed))
    return [(train, test) for train, test in splitter.split(np.zeros(len(labels)), labels)]


def _checked_labels(labels: np.ndarray, names: Sequence[str] | None) -> tuple[np.ndarray, int]:
    """The labels as int64 class numbers and the number of classes, or a one-line refusal."""
    raw = np.asarray(labels)
    if raw.ndim != 1:
        raise BertdeskError(f"Labels must be one class number per row, not shape {raw.shape}.")
    if raw.size == 0:
        raise BertdeskError("No labelled rows to review: label some rows (at least two different labels) first.")
    if not np.issubdtype(raw.dtype, np.integer) or int(raw.min()) < 0:
        raise BertdeskError(f"Labels must be class numbers 0, 1, 2...; found {raw.min()!r}.")
    y = raw.astype(np.int64)
    k = len(names) if names is not None else int(y.max()) + 1
    if int(y.max()) >= k:
        raise BertdeskError(f"Labels must be class numbers 0..{k - 1} (one per label name); found {int(y.max())}.")
    counts = np.bincount(y, minlength=k)

    def name(j: int) -> str:
        return repr(names[j]) if names is not None else f"number {j}"

    if int((counts > 0).sum()) < 2:
        only = int(np.flatnonzero(counts)[0])
        raise BertdeskError(f"Reviewing labels needs rows of at least two labels; all {len(y):,} rows are labelled {name(only)}.")
    for j in np.flatnonzero(counts == 0):
        raise BertdeskError(f"Label {name(int(j))} has no rows; leave it out of the label numbers.")
    for j in np.flatnonzero(counts < 2):
        raise BertdeskError(
            f"Label {name(int(j))} has only 1 row; reviewing labels needs at least 2 rows of each label "
            "(label another row with it, or relabel that row)."
        )
    return y, k


def _checked_features(features: np.ndarray, n: int) -> np.ndarray:
    x = np.asarray(features)
    if x.ndim != 2:
        raise BertdeskError(f"Features must be a table of rows x numbers, not shape {x.shape}.")
    if x.shape[0] != n:
        raise BertdeskError(f"{x.shape[0]} rows of features but {n} labels.")
    x = x.astype(np.float32)
    bad = np.flatnonzero(~np.isfinite(x).all(axis=1))
    if bad.size:
        raise BertdeskError(f"The features of the row at position {int(bad[0])} are not a number (NaN or infinite).")
    return x

"""What the Predict panel shows, computed without Qt: the row table, filters, metrics, a 2-D map.

The panel keeps one DataFrame (:func:`prediction_frame`) indexed by row id and asks this module
for masks, counts and coordinates; everything here is plain pandas/numpy and testable headless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from bertdesk.core.baseline import Baseline, majority_baseline
from bertdesk.core.project.text_search import TextQuery

if TYPE_CHECKING:
    import pandas as pd

    from bertdesk.core.project.file import Project
    from bertdesk.core.project.predictions import PredictionTable

Agreement = Literal["all", "agree", "disagree", "labelled", "unlabelled"]
TEXT, LABEL, PREDICTED, CONFIDENCE, AGREES = "text", "label", "predicted", "confidence", "agrees"


def prediction_frame(texts: Sequence[str], human: Mapping[int, str], table: PredictionTable) -> pd.DataFrame:
    """One row per predicted row (index ``row_id``): text, human label, predicted label,
    confidence, whether they agree, and one ``p_<class>`` column per class.

    Args:
        texts: the text of every row of ``table``, in ``table.row_ids`` order.
        human: row id -> label for the labelled rows (``Project.labels()``).
        table: the stored predictions.
    """
    import pandas as pd

    ids = table.row_ids.tolist()
    labels = [human.get(r, "") for r in ids]
    predicted = [str(x) for x in table.labels.tolist()]
    data: dict[str, object] = {
        TEXT: pd.Series(list(texts), dtype="object"),
        LABEL: pd.Series(labels, dtype="object"),
        PREDICTED: pd.Series(predicted, dtype="object"),
        CONFIDENCE: np.asarray(table.confidence, dtype=np.float32),
        # True / False where a person labelled the row; None where nobody did.
        AGREES: pd.Series([None if not h else h == p for h, p in zip(labels, predicted)], dtype="object"),
    }
    for j, name in enumerate(table.class_names):
        data[f"p_{name}"] = table.probabilities[:, j] if len(ids) else np.zeros(0, np.float32)
    frame = pd.DataFrame(data)
    frame.index = pd.Index(np.asarray(ids, dtype=np.int64), name="row_id")
    return frame


def frame_for_run(project: Project, run_id: int) -> pd.DataFrame | None:
    """The :func:`prediction_frame` of run ``run_id``'s stored predictions (None when it has none).

    About 0.6 s per 200,000 rows (reads predictions, texts and labels): the GUI runs it on a
    worker thread for big projects.
    """
    table = project.predictions(run_id)
    if table is None or len(table) == 0:
        return None
    return prediction_frame(project.texts(table.row_ids.tolist()), project.labels(), table)


def probability_columns(frame: pd.DataFrame) -> list[str]:
    """The ``p_<class>`` columns of a :func:`prediction_frame`, in class order."""
    return [c for c in frame.columns if str(c).startswith("p_")]


@dataclass
class RowFilter:
    """Which rows of the prediction table to show. Empty fields mean "any".

    Attributes:
        label: human label ("" = any; :data:`UNLABELLED` = rows nobody labelled).
        predicted: predicted label ("" = any).
        confidence_min / confidence_max: inclusive range, 0..1.
        agreement: ``all``, ``agree`` / ``disagree`` (labelled rows only), ``labelled`` or ``unlabelled``.
        row_ids: only these rows (e.g. a confusion-matrix cell); None = no restriction.
        text: case-insensitive substring of the text.
    """

    label: str = ""
    predicted: str = ""
    confidence_min: float = 0.0
    confidence_max: float = 1.0
    agreement: str = "all"
    row_ids: frozenset[int] | None = None
    text: str = ""

    def is_empty(self) -> bool:
        return self == RowFilter()


UNLABELLED = "\x00unlabelled"  # a value no label can have (labels are trimmed text)


def filter_mask(frame: pd.DataFrame, rule: RowFilter) -> np.ndarray:
    """bool[n]: which rows of ``frame`` pass ``rule``."""
    n = len(frame)
    mask = np.ones(n, dtype=bool)
    if n == 0:
        return mask
    labels = frame[LABEL].to_numpy(dtype=object)
    if rule.label == UNLABELLED:
        mask &= labels == ""
    elif rule.label:
        mask &= labels == rule.label
    if rule.predicted:
        mask &= frame[PREDICTED].to_numpy(dtype=object) == rule.predicted
    conf = frame[CONFIDENCE].to_numpy(dtype=np.float64)
    # A little slack so a row shown as "90.0%" passes a 0.9 bound despite float32 rounding.
    mask &= (conf >= rule.confidence_min - 1e-6) & (conf <= rule.confidence_max + 1e-6)
    if rule.agreement == "agree":
        mask &= frame[AGREES].to_numpy(dtype=object) == True  # noqa: E712 - object array of True/False/None
    elif rule.agreement == "disagree":
        mask &= frame[AGREES].to_numpy(dtype=object) == False  # noqa: E712
    elif rule.agreement == "labelled":
        mask &= labels != ""
    elif rule.agreement == "unlabelled":
        mask &= labels == ""
    if rule.row_ids is not None:
        mask &= np.isin(frame.index.to_numpy(), np.fromiter(rule.row_ids, dtype=np.int64))
    if rule.text:  # the one text matcher (plain text: a case-insensitive substring, never slow)
        mask &= TextQuery(rule.text).mask(frame[TEXT].to_numpy(dtype=object))
    return mask


def confidence_histogram(confidence: np.ndarray, bins: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin edges of ``confidence`` over 0..1 (``bins`` equal bins)."""
    counts, edges = np.histogram(np.asarray(confidence, dtype=np.float64), bins=bins, range=(0.0, 1.0))
    return counts, edges


@dataclass
class ValidationReport:
    """Scores of the predictions on a run's validation rows.

    Attributes:
        classes: class names, the order of ``matrix`` rows (true) and columns (predicted).
        matrix: int64[k, k] counts; ``matrix[i, j]`` rows of true class i predicted as j.
        cells: (i, j) -> the row ids in that cell, for "click a cell to filter".
        precision / recall / f1 / support: per class.
        accuracy: share of rows predicted right.
        rows: how many validation rows had both a label and a prediction.
        baseline: always answering the commonest true label of these rows (None without rows).
    """

    classes: list[str]
    matrix: np.ndarray
    cells: dict[tuple[int, int], list[int]]
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    accuracy: float
    rows: int
    baseline: Baseline | None = None

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the classes present among the rows (as training's macro-F1)."""
        present = self.support > 0
        return float(self.f1[present].mean()) if present.any() else 0.0

    def verdict(self) -> str | None:
        """One line when these predictions do not beat :attr:`baseline`, else None."""
        return None if self.baseline is None or not self.rows else self.baseline.verdict(self.accuracy, self.macro_f1)


def validation_report(frame: pd.DataFrame, row_ids: Sequence[int], classes: Sequence[str]) -> ValidationReport:
    """Confusion matrix and per-class precision/recall/F1 on ``row_ids`` (the validation split).

    Rows without a human label or a prediction, or whose label is not one of ``classes``, are
    left out (the label set may have changed since training).
    """
    names = list(classes)
    wanted = frame.index.intersection(np.asarray(list(row_ids), dtype=np.int64))
    part = frame.loc[wanted]
    part = part[part[LABEL].isin(names) & part[PREDICTED].isin(names)]
    k = len(names)
    if len(part) == 0:
        zeros = np.zeros(k)
        return ValidationReport(names, np.zeros((k, k), dtype=np.int64), {}, zeros, zeros, zeros, zeros.astype(np.int64), 0.0, 0)
    index = {name: i for i, name in enumerate(names)}
    truth = np.array([index[x] for x in part[LABEL]], dtype=np.int64)
    guess = np.array([index[x] for x in part[PREDICTED]], dtype=np.int64)
    # The same numbers as sklearn.metrics (confusion_matrix, precision_recall_fscore_support with
    # zero_division=0; the tests compare), in numpy: importing sklearn costs ~1.7 s of UI stall.
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (truth, guess), 1)
    support = matrix.sum(axis=1)
    predicted_count = matrix.sum(axis=0)
    hits = np.diag(matrix).astype(np.float64)
    precision = np.divide(hits, predicted_count, out=np.zeros(k), where=predicted_count > 0)
    recall = np.divide(hits, support, out=np.zeros(k), where=support > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros(k), where=both > 0)
    cells: dict[tuple[int, int], list[int]] = {}
    for row_id, i, j in zip(part.index.tolist(), truth.tolist(), guess.tolist()):
        cells.setdefault((i, j), []).append(int(row_id))
    return ValidationReport(
        names,
        matrix.astype(np.int64),
        cells,
        precision,
        recall,
        f1,
        support.astype(np.int64),
        float((truth == guess).mean()),
        len(part),
        majority_baseline(support.tolist(), names),
    )


def project_2d(embeddings: np.ndarray, *, method: str = "pca", seed: int = 0) -> np.ndarray:
    """float32[n, 2] coordinates of ``embeddings`` for a scatter plot.

    ``pca`` (numpy SVD, instant) by default; ``umap`` when the umap-learn package is installed
    and asked for (falls back to PCA otherwise).
    """
    data = np.asarray(embeddings, dtype=np.float64)
    n = data.shape[0]
    if n == 0:
        return np.zeros((0, 2), dtype=np.float32)
    if method == "umap" and n > 15:
        try:
            import umap  # type: ignore[import-not-found]

            return np.asarray(umap.UMAP(n_components=2, random_state=seed).fit_transform(data), dtype=np.float32)
        except ImportError:
            pass
    centred = data - data.mean(axis=0, keepdims=True)
    if n == 1:
        return np.zeros((1, 2), dtype=np.float32)
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:2]
    coords = centred @ components.T
    if coords.shape[1] < 2:
        coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
    # SVD signs are arbitrary: fix them so the map does not flip between runs.
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), range(2)])
    signs[signs == 0] = 1
    oriented: np.ndarray = (coords * signs).astype(np.float32)
    return oriented

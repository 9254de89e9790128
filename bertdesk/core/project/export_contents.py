"""What an export of a project holds, assembled once for the Predict panel and ``bertdesk predict``.

Every original column (numbers, dates and booleans with the type they had in the source
file), the analyst's work (each row's current label and who set it: human / imported /
model), and the predictions (blank where a row has none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bertdesk.core.tables.column_types import typed_frame
from bertdesk.core.tables.writing import with_labels, with_predictions

if TYPE_CHECKING:
    import pandas as pd

    from bertdesk.core.project.file import Project
    from bertdesk.core.project.predictions import PredictionTable


def project_export_frame(project: Project, predictions: PredictionTable | None, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table to write when exporting ``project`` with ``predictions`` (any subset of rows).

    Args:
        project: the open project (its snapshot, column types, labels and their sources).
        predictions: one run's predictions, or None for none (empty prediction columns).
        frame: the project's snapshot if the caller has already read it (``project.frame()``).
    """
    text = project.frame() if frame is None else frame
    types = project.source.get("column_types") or {}  # absent in projects made before types were kept
    out = with_labels(typed_frame(text, types), project.labels(), project.label_sources())
    n = len(out)
    names = list(predictions.class_names) if predictions is not None else []
    labels: list[str | None] = [None] * n
    confidence = np.full(n, np.nan, dtype=np.float32)
    probabilities = np.full((n, len(names)), np.nan, dtype=np.float32)
    if predictions is not None and len(predictions):
        ids = np.asarray(predictions.row_ids, dtype=np.int64)
        for r, label in zip(ids.tolist(), list(predictions.labels)):
            labels[r] = label
        confidence[ids] = predictions.confidence
        probabilities[ids] = predictions.probabilities
    return with_predictions(out, labels, confidence, probabilities, names)

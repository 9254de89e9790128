"""Score a saved classifier on labelled rows: the numbers behind ``bertdesk evaluate``."""

from __future__ import annotations

import os
from typing import Any

from bertdesk.core.errors import ModelError
from bertdesk.core.ml.training_data import TrainingData
from bertdesk.core.ml.training_metrics import classification_scores
from bertdesk.core.progress import CancelToken, ProgressCallback, no_progress
from bertdesk.core.project.label_set import normalise_label


def evaluate(
    model_dir: str | os.PathLike[str],
    data: TrainingData,
    *,
    device: str = "auto",
    precision: str = "auto",
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class scores and the confusion matrix of the model on ``data``.

    Rows whose label the model does not know cannot be right; they are left out of the scores
    and counted under ``unknown_labels`` so the report can say so.
    """
    from bertdesk.core.ml.inference import load_predictor, predict

    predictor = load_predictor(model_dir, device=device, precision=precision)
    # Both sides cleaned the one way (a model trained elsewhere may carry "neg\u200b" in its
    # id2label), so a label matches however either side happened to spell it.
    names = [normalise_label(label) for label in predictor.labels]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)
    truth = [normalise_label(label) for label in data.labels]
    known = [i for i, label in enumerate(truth) if label in index]
    unknown: dict[str, int] = {}
    for label in truth:
        if label not in index:
            unknown[label] = unknown.get(label, 0) + 1
    if not known:
        raise ModelError(f"None of the labels in the data ({', '.join(sorted(unknown)[:5])}) is one the model knows ({', '.join(names)}).")
    rows = data.subset(known)
    result = predict(predictor, rows.texts, on_progress=on_progress, cancel=cancel)
    scores = classification_scores([index[truth[i]] for i in known], result.predicted.tolist(), names)
    scores["unknown_labels"] = unknown
    scores["model"] = predictor.describe()
    scores["seconds"] = round(result.seconds, 3)
    return scores

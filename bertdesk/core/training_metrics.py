"""Classification scores in one shape for training, evaluation, metrics.json and the GUI."""

from __future__ import annotations

from typing import Any, Sequence


def classification_scores(true: Sequence[int], predicted: Sequence[int], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    ``true`` and ``predicted`` are class indices into ``labels``. The confusion matrix has one row
    per true label and one column per predicted label, both in ``labels`` order. A class with no
    predictions scores 0 precision rather than raising (sklearn's ``zero_division=0``).
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    indices = list(range(len(labels)))
    if len(true) == 0:
        return {"accuracy": None, "macro_f1": None, "per_class": {}, "confusion_matrix": [], "labels": list(labels), "support": 0}
    precision, recall, f1, support = precision_recall_fscore_support(true, predicted, labels=indices, zero_division=0)
    # Macro-F1 over the classes present in the true labels, so a class absent from validation
    # (too few rows to hold one out) does not count as a zero.
    present = sorted(set(int(t) for t in true))
    return {
        "accuracy": float(accuracy_score(true, predicted)),
        "macro_f1": float(f1_score(true, predicted, labels=present, average="macro", zero_division=0)),
        "per_class": {
            label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        "confusion_matrix": confusion_matrix(true, predicted, labels=indices).tolist(),
        "labels": list(labels),
        "support": len(true),
    }


def format_scores(scores: dict[str, Any]) -> str:
    """A plain-text report: accuracy, macro-F1, a per-class table and the confusion matrix."""
    labels: list[str] = scores.get("labels", [])
    if not scores.get("support"):
        return "No rows to score.\n"
    width = max([len(label) for label in labels] + [9])
    lines = [
        f"Accuracy:  {scores['accuracy']:.3f}",
        f"Macro-F1:  {scores['macro_f1']:.3f}   ({scores['support']} rows)",
        "",
        f"{'label':<{width}}  precision  recall     f1  support",
    ]
    for label in labels:
        c = scores["per_class"][label]
        lines.append(f"{label:<{width}}  {c['precision']:9.3f}  {c['recall']:6.3f}  {c['f1']:5.3f}  {c['support']:7d}")
    lines += ["", "Confusion matrix (rows: true label, columns: predicted):"]
    cell = max([len(str(v)) for row in scores["confusion_matrix"] for v in row] + [len(str(i)) for i in range(len(labels))]) + 1
    lines.append(" " * width + "  " + "".join(f"{i:>{cell}}" for i in range(len(labels))))
    for i, (label, row) in enumerate(zip(labels, scores["confusion_matrix"])):
        lines.append(f"{label:<{width}}  " + "".join(f"{v:>{cell}}" for v in row) + f"   ({i})")
    return "\n".join(lines) + "\n"

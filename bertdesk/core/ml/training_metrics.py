"""Classification scores in one shape for training, evaluation, metrics.json and the GUI.

Two records, each with the one spelling of its keys:

* :class:`ValidationScores`: a full score sheet (``metrics["validation"]`` in metrics.json and in
  a run's stored metrics, and what ``bertdesk evaluate`` prints);
* :class:`ValidationPoint`: one evaluation during training (``metrics["history"]["validation"]``
  and the live curves). Live progress reports carry it with a ``val_`` prefix
  (``val_accuracy``, ``val_macro_f1``) so they do not clash with the loss points in the same
  stream; :meth:`ValidationPoint.progress_metrics` and :meth:`ValidationPoint.from_progress`
  are the only places that spelling is written or read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bertdesk.core.baseline import Baseline, majority_baseline

PROGRESS_PREFIX = "val_"


@dataclass(frozen=True)
class ValidationScores:
    """Accuracy, macro-F1, per-class scores and the confusion matrix of one scoring.

    ``accuracy`` and ``macro_f1`` are None when there were no rows to score. ``per_class`` maps
    a label to its ``precision``, ``recall``, ``f1`` and ``support``; the confusion matrix has
    one row per true label and one column per predicted label, in ``labels`` order.
    """

    accuracy: float | None
    macro_f1: float | None
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion_matrix: list[list[int]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    support: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of metrics.json's ``validation`` (keys as they have always been)."""
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class": {label: dict(scores) for label, scores in self.per_class.items()},
            "confusion_matrix": [list(row) for row in self.confusion_matrix],
            "labels": list(self.labels),
            "support": self.support,
            # Derived from the matrix (from_dict recomputes it), written for scripts reading metrics.json.
            "baseline": None if self.baseline is None else self.baseline.to_dict(),
        }

    @property
    def baseline(self) -> Baseline | None:
        """Always answering the commonest true label of the rows scored (None without rows)."""
        return majority_baseline([sum(row) for row in self.confusion_matrix], self.labels)

    def verdict(self) -> str | None:
        """One line when these scores do not beat :attr:`baseline`, else None."""
        baseline = self.baseline
        return None if baseline is None else baseline.verdict(self.accuracy, self.macro_f1)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ValidationScores:
        """Read :meth:`to_dict`'s shape; missing keys (an old or partial record) read as empty."""
        data = data or {}
        return cls(
            accuracy=_number(data.get("accuracy")),
            macro_f1=_number(data.get("macro_f1")),
            per_class={str(k): dict(v) for k, v in (data.get("per_class") or {}).items()},
            confusion_matrix=[list(row) for row in data.get("confusion_matrix") or []],
            labels=[str(label) for label in data.get("labels") or []],
            support=int(data.get("support") or 0),
        )

    def summary(self) -> str:
        """``accuracy 0.812 (always "positive": 0.640), macro-F1 0.790``, or ``no validation rows``."""
        if self.accuracy is None or self.macro_f1 is None:
            return "no validation rows"
        baseline = self.baseline
        beside = "" if baseline is None else f" ({baseline.short()})"
        return f"accuracy {self.accuracy:.3f}{beside}, macro-F1 {self.macro_f1:.3f}"


@dataclass(frozen=True)
class ValidationPoint:
    """One evaluation during training: where it was (step, epoch) and its two headline scores."""

    step: int
    epoch: float
    accuracy: float | None
    macro_f1: float | None

    def to_dict(self) -> dict[str, Any]:
        """The stored shape (``metrics["history"]["validation"]`` items)."""
        return {"step": self.step, "epoch": self.epoch, "accuracy": self.accuracy, "macro_f1": self.macro_f1}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValidationPoint:
        return cls(
            int(data.get("step") or 0), float(data.get("epoch") or 0.0), _number(data.get("accuracy")), _number(data.get("macro_f1"))
        )

    def progress_metrics(self) -> dict[str, float]:
        """The live-report shape: ``step``, ``epoch`` and the scores with the ``val_`` prefix."""
        metrics = {"step": float(self.step), "epoch": float(self.epoch)}
        for name in ("accuracy", "macro_f1"):
            value = getattr(self, name)
            if value is not None:
                metrics[PROGRESS_PREFIX + name] = float(value)
        return metrics

    @classmethod
    def from_progress(cls, metrics: Mapping[str, float] | None) -> ValidationPoint | None:
        """The point a live report carries, or None for a report that is not an evaluation."""
        if not metrics or not any(PROGRESS_PREFIX + name in metrics for name in ("accuracy", "macro_f1")):
            return None
        return cls(
            int(metrics.get("step", 0)),
            float(metrics.get("epoch", 0.0)),
            _number(metrics.get(PROGRESS_PREFIX + "accuracy")),
            _number(metrics.get(PROGRESS_PREFIX + "macro_f1")),
        )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def classification_scores(true: Sequence[int], predicted: Sequence[int], labels: Sequence[str]) -> dict[str, Any]:
    """:func:`score_sheet` as the JSON-compatible dict metrics.json and the evaluate command use."""
    return score_sheet(true, predicted, labels).to_dict()


def score_sheet(true: Sequence[int], predicted: Sequence[int], labels: Sequence[str]) -> ValidationScores:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    ``true`` and ``predicted`` are class indices into ``labels``. The confusion matrix has one row
    per true label and one column per predicted label, both in ``labels`` order. A class with no
    predictions scores 0 precision rather than raising (sklearn's ``zero_division=0``).
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    indices = list(range(len(labels)))
    if len(true) == 0:
        return ValidationScores(None, None, labels=list(labels))
    precision, recall, f1, support = precision_recall_fscore_support(true, predicted, labels=indices, zero_division=0)
    # Macro-F1 over the classes present in the true labels, so a class absent from validation
    # (too few rows to hold one out) does not count as a zero.
    present = sorted(set(int(t) for t in true))
    return ValidationScores(
        accuracy=float(accuracy_score(true, predicted)),
        macro_f1=float(f1_score(true, predicted, labels=present, average="macro", zero_division=0)),
        per_class={
            label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        confusion_matrix=confusion_matrix(true, predicted, labels=indices).tolist(),
        labels=list(labels),
        support=len(true),
    )


def format_scores(scores: dict[str, Any]) -> str:
    """A plain-text report: accuracy, macro-F1, a per-class table and the confusion matrix."""
    labels: list[str] = scores.get("labels", [])
    if not scores.get("support"):
        return "No rows to score.\n"
    width = max([len(label) for label in labels] + [9])
    sheet = ValidationScores.from_dict(scores)
    baseline = sheet.baseline
    lines = [f"Accuracy:  {scores['accuracy']:.3f}", f"Macro-F1:  {scores['macro_f1']:.3f}   ({scores['support']} rows)"]
    if baseline is not None:
        lines.append(
            f"Baseline:  {baseline.accuracy:.3f} accuracy, {baseline.macro_f1:.3f} macro-F1 by always answering “{baseline.label}”"
        )
    verdict = sheet.verdict()
    if verdict:
        lines.append(f"Warning:   {verdict}")
    lines += ["", f"{'label':<{width}}  precision  recall     f1  support"]
    for label in labels:
        c = scores["per_class"][label]
        lines.append(f"{label:<{width}}  {c['precision']:9.3f}  {c['recall']:6.3f}  {c['f1']:5.3f}  {c['support']:7d}")
    lines += ["", "Confusion matrix (rows: true label, columns: predicted):"]
    cell = max([len(str(v)) for row in scores["confusion_matrix"] for v in row] + [len(str(i)) for i in range(len(labels))]) + 1
    lines.append(" " * width + "  " + "".join(f"{i:>{cell}}" for i in range(len(labels))))
    for i, (label, row) in enumerate(zip(labels, scores["confusion_matrix"])):
        lines.append(f"{label:<{width}}  " + "".join(f"{v:>{cell}}" for v in row) + f"   ({i})")
    return "\n".join(lines) + "\n"

"""The score a model must beat: always answering the commonest label (the majority-class baseline).

A classifier that scores accuracy 0.50 where answering "positive" every time scores 0.64 has
learnt nothing useful, yet 0.50 alone looks like a result. Every score bertdesk shows (Train
panel, run details, Predict validation, metrics.json, the CLI) is shown beside this baseline, and
a run that does not beat it says so, with what to try.

Computed from the true-label counts of the rows scored (the confusion matrix's row sums), so it
needs no model and applies to runs recorded before it existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

TRY_NEXT = "label more rows, raise the max length, or try the Thorough preset"


@dataclass(frozen=True)
class Baseline:
    """Always answering ``label``: its accuracy and macro-F1 on the rows scored."""

    label: str
    accuracy: float
    macro_f1: float

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "accuracy": self.accuracy, "macro_f1": self.macro_f1}

    def short(self) -> str:
        """``always "positive": 0.640`` (its accuracy), to stand beside a model's accuracy."""
        return f"always “{self.label}”: {self.accuracy:.3f}"

    def verdict(self, accuracy: float | None, macro_f1: float | None) -> str | None:
        """One line when a model scoring ``accuracy`` does not beat this baseline, else None.

        Accuracy is the plain test (does it beat guessing?). A model that gives up only a little
        accuracy (under 0.05) while clearly winning on macro-F1 (by 0.10 or more) finds the rarer
        labels at some cost on the commonest; that is said instead of calling it weak. A model
        far below on accuracy is weak whatever its macro-F1.
        """
        if accuracy is None or accuracy > self.accuracy + 1e-9:
            return None
        head = f"This model does not beat always answering “{self.label}” (accuracy {accuracy:.3f} vs {self.accuracy:.3f})"
        if macro_f1 is not None and accuracy >= self.accuracy - 0.05 and macro_f1 >= self.macro_f1 + 0.10:
            return f"{head}, though its macro-F1 ({macro_f1:.3f} vs {self.macro_f1:.3f}) shows it finds the rarer labels."
        return f"{head}: {TRY_NEXT}."


def majority_baseline(true_counts: Sequence[int], labels: Sequence[str]) -> Baseline | None:
    """The baseline for rows whose true labels number ``true_counts[i]`` of ``labels[i]``; None for no rows.

    Macro-F1 averages over the labels present among the rows (as the model's macro-F1 does): the
    commonest label scores F1 = 2p / (1 + p) (precision p, its share; recall 1), every other 0.
    """
    total = sum(int(n) for n in true_counts)
    if total <= 0 or len(true_counts) != len(labels):
        return None
    top = max(range(len(true_counts)), key=lambda i: (int(true_counts[i]), -i))  # ties: the first label
    share = int(true_counts[top]) / total
    present = sum(1 for n in true_counts if int(n) > 0)
    return Baseline(str(labels[top]), share, (2 * share / (1 + share)) / present)

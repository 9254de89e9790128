"""How a new run compares with the project's earlier ones: macro-F1 and the weakest label.

After a run, the question is "did that help?": its validation macro-F1 against the previous
finished run and the best earlier one, and the label it does worst on (the lowest F1), with
that label's change since the previous run. The numbers come from each run's stored metrics
(``metrics["validation"]``); runs without validation scores are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bertdesk.core.ml.training_metrics import ValidationScores

SAME = 1e-9  # macro-F1 differences below this are ties


@dataclass(frozen=True)
class RunComparison:
    """Run ``run_id``'s scores beside the earlier finished runs'.

    Attributes:
        macro_f1: the run's validation macro-F1.
        previous_id, previous_macro_f1: the newest earlier finished run (None: this is the first).
        best_id, best_macro_f1: the earlier finished run with the highest macro-F1.
        weakest_label, weakest_f1: the run's label with the lowest F1 (None without per-label scores).
        weakest_previous_f1: that label's F1 in the previous run (None when it had none).
    """

    run_id: int
    macro_f1: float
    previous_id: int | None = None
    previous_macro_f1: float | None = None
    best_id: int | None = None
    best_macro_f1: float | None = None
    weakest_label: str | None = None
    weakest_f1: float | None = None
    weakest_previous_f1: float | None = None

    @property
    def change(self) -> float | None:
        """Macro-F1 minus the previous run's."""
        return None if self.previous_macro_f1 is None else self.macro_f1 - self.previous_macro_f1

    @property
    def weakest_change(self) -> float | None:
        if self.weakest_f1 is None or self.weakest_previous_f1 is None:
            return None
        return self.weakest_f1 - self.weakest_previous_f1

    @property
    def best_so_far(self) -> bool:
        """Better than every earlier finished run (a tie is not)."""
        return self.best_macro_f1 is None or self.macro_f1 > self.best_macro_f1 + SAME

    def describe(self) -> str:
        """``Run 3: macro-F1 0.82 (+0.04 vs run 2, best so far) · weakest label: refund 0.61 (+0.10)``."""
        if self.previous_id is None:
            against = "first finished run"
        elif self.best_so_far:
            against = f"{self.change:+.2f} vs run {self.previous_id}, best so far"
        else:
            against = f"{self.change:+.2f} vs run {self.previous_id}; best: {self.best_macro_f1:.2f} in run {self.best_id}"
        line = f"Run {self.run_id}: macro-F1 {self.macro_f1:.2f} ({against})"
        if self.weakest_label is not None and self.weakest_f1 is not None:
            line += f" · weakest label: {self.weakest_label} {self.weakest_f1:.2f}"
            if self.weakest_change is not None:
                line += f" ({self.weakest_change:+.2f})"
        return line


def _scores(run: Any) -> ValidationScores | None:
    scores = ValidationScores.from_dict((run.metrics or {}).get("validation"))
    return scores if scores.macro_f1 is not None else None


def _weakest(scores: ValidationScores) -> tuple[str, float] | None:
    f1s = [(label, float(values["f1"])) for label, values in scores.per_class.items() if isinstance(values.get("f1"), (int, float))]
    # The lowest F1; among equals, the label with the fewest validation rows (the likelier culprit).
    return min(f1s, key=lambda item: (item[1], scores.per_class[item[0]].get("support", 0)), default=None)


def compare_run(runs: Iterable[Any], run_id: int) -> RunComparison | None:
    """Compare run ``run_id`` of ``runs`` (:class:`~bertdesk.core.project.runs.RunRecord`) with the
    finished runs before it; None when it has no validation scores."""
    runs = list(runs)
    run = next((r for r in runs if r.id == run_id), None)
    scores = _scores(run) if run is not None else None
    if scores is None or scores.macro_f1 is None:
        return None
    earlier = [(r.id, s) for r in runs if r.id < run_id and str(r.status) == "finished" and (s := _scores(r)) is not None]
    weakest = _weakest(scores)
    comparison = RunComparison(
        run_id, scores.macro_f1, weakest_label=weakest[0] if weakest else None, weakest_f1=weakest[1] if weakest else None
    )
    if not earlier:
        return comparison
    previous_id, previous = max(earlier, key=lambda item: item[0])
    best_id, best = max(earlier, key=lambda item: (item[1].macro_f1 or 0.0, -item[0]))  # the earliest of equals
    before = previous.per_class.get(weakest[0], {}).get("f1") if weakest else None
    return RunComparison(
        run_id,
        scores.macro_f1,
        previous_id,
        previous.macro_f1,
        best_id,
        best.macro_f1,
        comparison.weakest_label,
        comparison.weakest_f1,
        float(before) if isinstance(before, (int, float)) else None,
    )

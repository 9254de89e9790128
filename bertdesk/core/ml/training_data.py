"""The labelled rows a model learns from: gathering, checking and splitting them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bertdesk.core.errors import TrainingError
from bertdesk.core.project.label_hygiene import MIN_EXAMPLES
from bertdesk.core.project.label_set import normalise_label

if TYPE_CHECKING:
    import pandas as pd

    from bertdesk.core.project import Project


@dataclass(frozen=True)
class TrainingData:
    """Texts with their labels; ``row_ids`` tie them back to project rows (or table positions)."""

    texts: list[str]
    labels: list[str]
    row_ids: list[int]
    label_order: list[str] = field(default_factory=list)  # the classifier's class order

    def __post_init__(self) -> None:
        if not (len(self.texts) == len(self.labels) == len(self.row_ids)):
            raise ValueError("texts, labels and row_ids must have the same length")

    def __len__(self) -> int:
        return len(self.texts)

    def counts(self) -> dict[str, int]:
        counts = Counter(self.labels)
        return {label: counts.get(label, 0) for label in self.label_order}

    def subset(self, positions: Sequence[int]) -> TrainingData:
        return TrainingData(
            [self.texts[i] for i in positions], [self.labels[i] for i in positions], [self.row_ids[i] for i in positions], self.label_order
        )


def _order(labels: Sequence[str], preferred: Sequence[str] | None) -> list[str]:
    present = set(labels)
    order = [label for label in (preferred or []) if label in present]
    return order + sorted(present - set(order))


def data_from_project(project: Project) -> TrainingData:
    """Every labelled row of ``project``, labels in the project's label-set order."""
    labelled = project.labels()
    row_ids = sorted(labelled)
    texts = project.texts(row_ids)
    labels = [labelled[r] for r in row_ids]
    return _checked(TrainingData(texts, labels, row_ids, _order(labels, list(project.label_set.names))), f"project {project.path.name}")


def data_from_frame(frame: pd.DataFrame, text_column: str, label_column: str, *, where: str = "the table") -> TrainingData:
    """Rows of ``frame`` with a non-blank label, cleaned by :func:`normalise_label` exactly as a
    project import cleans them, so both paths train the same label set."""
    for column, role in ((text_column, "text"), (label_column, "label")):
        if column not in frame.columns:
            raise TrainingError(f"{where} has no {role} column {column!r}; columns are: {', '.join(map(str, frame.columns))}.")
    texts, labels, rows = [], [], []
    for position, (text, label) in enumerate(zip(frame[text_column].tolist(), frame[label_column].tolist())):
        label_text = "" if label is None or label != label else normalise_label(str(label))  # label != label: NaN
        if label_text:
            texts.append("" if text is None or text != text else str(text))
            labels.append(label_text)
            rows.append(position)
    return _checked(TrainingData(texts, labels, rows, _order(labels, None)), where)


def _checked(data: TrainingData, where: str) -> TrainingData:
    """Refuse data nobody can train on, saying what to do about it."""
    if not data.texts:
        raise TrainingError(f"No labelled rows in {where}: label some rows (at least two different labels) first.")
    if not any(text.strip() for text in data.texts):
        raise TrainingError(f"The text column of {where} is empty in every labelled row: choose the column that holds the text.")
    if len(data.label_order) > 20 and len(data.label_order) > len(data) / 2:
        raise TrainingError(
            f"The label column of {where} has {len(data.label_order)} different values in {len(data)} labelled rows: "
            "it looks like free text, not labels; choose the column that holds the labels."
        )
    if len(data.label_order) < 2:
        only = data.label_order[0] if data.label_order else "?"
        raise TrainingError(
            f"Only one label ({only!r}) has labelled rows in {where}; a classifier needs at least two: label some rows with another label."
        )
    return data


def small_class_warnings(data: TrainingData, minimum: int = MIN_EXAMPLES, *, most: int = 5) -> list[str]:
    """One warning per label with fewer than ``minimum`` rows; past ``most`` labels, one summary."""
    small = [(label, n) for label, n in data.counts().items() if n < minimum]
    if len(small) > most:
        names = ", ".join(repr(label) for label, _ in small[:most])
        return [f"{len(small)} labels have fewer than {minimum} labelled rows ({names}, ...): the model may not learn them."]
    return [
        f"Only {n} labelled row{'s' if n != 1 else ''} for {label!r}: the model may not learn it (aim for {minimum} or more)."
        for label, n in small
    ]


def stratified_split(data: TrainingData, val_split: float, seed: int) -> tuple[TrainingData, TrainingData]:
    """Split into training and validation rows, keeping each label's share; same seed, same split.

    Labels with a single row stay in training (a validation copy would teach nothing and a
    one-row class cannot be stratified). Validation gets at least one row per remaining label
    when ``val_split`` allows any validation at all.
    """
    import numpy as np

    if val_split <= 0:
        return data, data.subset([])
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for position, label in enumerate(data.labels):
        by_label.setdefault(label, []).append(position)
    train: list[int] = []
    val: list[int] = []
    for label in data.label_order:
        positions = np.array(by_label.get(label, []))
        rng.shuffle(positions)
        if len(positions) < 2:
            train.extend(positions.tolist())
            continue
        n_val = min(len(positions) - 1, max(1, int(round(len(positions) * val_split))))
        val.extend(positions[:n_val].tolist())
        train.extend(positions[n_val:].tolist())
    return data.subset(sorted(train)), data.subset(sorted(val))


def class_weights(data: TrainingData, mode: str) -> list[float] | None:
    """Per-class loss weights (``n / (k * count)``), or ``None`` for plain cross-entropy."""
    counts = [max(1, n) for n in data.counts().values()]
    if mode == "none" or not counts:
        return None
    if mode == "auto" and max(counts) <= 1.5 * min(counts):
        return None
    total, k = sum(counts), len(counts)
    return [total / (k * n) for n in counts]

"""Which rows the Data panel lists, and in what order: a filter and a sort over the whole project.

The Data panel shows a million-row project lazily, in file order. Sorting by a column or
filtering (unlabelled, one label, one predicted label, text) needs every row's value once, so it
is computed here, off the GUI thread, as an array of row ids in display order; the table model
then maps each visible row through it. Sorting is stable (ties keep file order), puts empty
cells last whichever the direction, and compares numbers as numbers when every non-empty cell of
the column is one (so "10" sorts after "9").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from bertdesk.core.errors import ProjectError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress
from bertdesk.core.project.text_search import SearchBudget, TextQuery

if TYPE_CHECKING:
    from bertdesk.core.project.file import Project

LABEL_COLUMN = "\x00label"  # sort by each row's current label (the Data panel's first column)
_NUMBER = re.compile(r"(?<=\d),(?=\d{3}\b)")  # the thousands commas of "1,234,567.5"
Show = Literal["all", "unlabelled", "labelled", "label", "predicted", "text"]
SHOWS: tuple[Show, ...] = ("all", "unlabelled", "labelled", "label", "predicted", "text")


@dataclass(frozen=True)
class RowView:
    """``show`` which rows (``value``: the label, predicted label or text for those filters),
    sorted by ``sort_column`` (a snapshot column, :data:`LABEL_COLUMN`, or None for file order)."""

    show: Show = "all"
    value: str = ""
    sort_column: str | None = None
    descending: bool = False

    @property
    def is_plain(self) -> bool:
        """Every row in file order: the table needs no mapping at all."""
        return self.sort_column is None and (self.show == "all" or (self.show == "text" and not self.value))


def view_rows(
    project: Project,
    view: RowView,
    *,
    budget: SearchBudget = SearchBudget(),
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback = no_progress,
) -> np.ndarray:
    """The row ids ``view`` lists, in display order (int64).

    Raises:
        ProjectError: an unknown filter or column.
        LabelError: ``show="label"`` with a name that is not in the label set.
        SearchTooSlow, Cancelled: from the text filter.
    """
    if view.show not in SHOWS:
        raise ProjectError(f"Unknown row filter {view.show!r}; use one of {', '.join(SHOWS)}.")
    on_progress(Progress(0, 0, "Filtering rows…"))
    rows = np.arange(project.row_count, dtype=np.int64)
    if view.show in ("unlabelled", "labelled", "label"):
        labels = project.labels()
        if view.show == "label":
            project.label_set.id_of(view.value)  # a one-line LabelError for an unknown name
            rows = np.fromiter((r for r, name in labels.items() if name == view.value), dtype=np.int64)
        else:
            labelled = np.zeros(project.row_count, dtype=bool)
            labelled[np.fromiter(labels, dtype=np.int64, count=len(labels))] = True
            rows = rows[labelled if view.show == "labelled" else ~labelled]
    elif view.show == "predicted":
        table = project.predictions()
        if table is None:
            rows = rows[:0]
        else:
            chosen = np.asarray(table.labels, dtype=object) == view.value
            rows = np.sort(np.asarray(table.row_ids, dtype=np.int64)[chosen])
    elif view.show == "text" and view.value:
        texts = project.texts()
        mask = TextQuery(view.value).mask(texts, budget=budget, cancel=cancel)
        rows = rows[mask]
    if cancel is not None:
        cancel.raise_if_cancelled()
    if view.sort_column is None:
        return rows
    on_progress(Progress(0, 0, "Sorting rows…"))
    values = _column_values(project, view.sort_column)
    ordered: np.ndarray = rows[sort_order([values[r] for r in rows.tolist()], descending=view.descending)]
    return ordered


def _column_values(project: Project, column: str) -> list[str]:
    if column == LABEL_COLUMN:
        labels = project.labels()
        return [labels.get(r, "") for r in range(project.row_count)]
    if column not in project.columns:
        raise ProjectError(f"There is no column named {column!r} to sort by.")
    return project.column_values(column)


def sort_order(values: Sequence[str], *, descending: bool = False) -> np.ndarray:
    """Positions of ``values`` in sorted order: stable, empty cells last, numbers as numbers when
    every non-empty value is one, text case-insensitively."""
    n = len(values)
    empty = np.fromiter((not v.strip() for v in values), dtype=bool, count=n)
    filled = np.flatnonzero(~empty)
    numbers = _as_numbers([values[i] for i in filled.tolist()])
    if numbers is not None:
        keys: np.ndarray = numbers
    else:
        keys = np.asarray([values[i].casefold() for i in filled.tolist()], dtype=object)
    order = np.argsort(keys, kind="stable")
    if descending and len(order):
        # Descending yet stable (equal keys keep file order): sort again on the negated dense rank.
        ranked = keys[order]
        dense = np.empty(len(order), dtype=np.int64)
        dense[order] = np.cumsum(np.r_[True, ranked[1:] != ranked[:-1]])
        order = np.argsort(-dense, kind="stable")
    return np.concatenate([filled[order], np.flatnonzero(empty)]).astype(np.int64)


def _as_numbers(values: list[str]) -> np.ndarray | None:
    """The values as floats when every one reads as a number (thousands commas allowed), else None."""
    try:
        numbers = np.asarray([float(_NUMBER.sub("", v)) for v in values], dtype=np.float64)
    except ValueError:
        return None
    return None if np.isnan(numbers).any() else numbers

"""Which rows the labelling view walks, and in what order.

A :class:`RowFilter` says which rows to show (all, unlabelled, labelled, one label, a text
search, or a seeded random sample); a :class:`RowWalker` steps through them one at a time.
Every step asks the project afresh (:meth:`~bertdesk.core.project.Project.next_row_matching`),
so "unlabelled" skips a row labelled a moment ago, and a step costs one indexed query even on
a million-row project. A "search" step scans the text column with
:mod:`~bertdesk.core.project.text_search`: within a time budget (a runaway regex raises
:class:`~bertdesk.core.project.text_search.SearchTooSlow` naming the row) and cancellable, so a front end
can run a long one on a worker thread.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, ProgressCallback, no_progress
from bertdesk.core.project.label_review_record import Suspect, open_suspects
from bertdesk.core.project.text_search import SearchBudget, TextQuery

if TYPE_CHECKING:
    from bertdesk.core.project.file import Project

__all__ = ["FilterKind", "RowFilter", "RowWalker", "suspects_left"]

FilterKind = Literal["all", "unlabelled", "labelled", "label", "search", "random", "uncertain", "suspicious"]


@dataclass(frozen=True)
class RowFilter:
    """Which rows to walk.

    Attributes:
        kind: "all", "unlabelled", "labelled", "label" (rows with ``label``), "search" (rows
            whose text contains ``text``, case-insensitive; a regular expression when ``regex``)
            or "random" (``sample_size`` rows drawn with ``seed``, in drawn order), or "uncertain"
            (unlabelled rows the active model is least sure of first, by ``uncertainty``: the
            rows whose labels teach the model most), or "suspicious" (labelled rows the latest label
            review found probably wrong, most suspicious first, minus those relabelled or kept since).
        label: the label name for kind "label".
        text: the search text for kind "search".
        regex: treat ``text`` as a regular expression.
        sample_size: how many rows kind "random" draws (capped at the row count).
        seed: the random seed for kind "random"; the same seed gives the same rows.
        uncertainty: for kind "uncertain": ``least_confidence``, ``margin`` or ``entropy``.

    Raises:
        BertdeskError: an unknown kind, a missing label or search text, a bad sample size, or an
            invalid regular expression (one-line message).
    """

    kind: FilterKind = "all"
    label: str | None = None
    text: str = ""
    regex: bool = False
    sample_size: int = 100
    seed: int = 0
    uncertainty: str = "least_confidence"

    def __post_init__(self) -> None:
        if self.kind not in get_args(FilterKind):
            raise BertdeskError(f"Unknown row filter {self.kind!r}; use one of {', '.join(get_args(FilterKind))}.")
        if self.kind == "label" and not self.label:
            raise BertdeskError("Choose a label to show the rows that have it.")
        if self.kind == "search":
            self.query()  # validates: empty text or an invalid regular expression
        if self.kind == "random" and self.sample_size < 1:
            raise BertdeskError("A random sample needs at least one row.")

    def query(self) -> TextQuery:
        """The :class:`TextQuery` of a "search" filter.

        Raises:
            BertdeskError: not a "search" filter, empty text, or an invalid regular expression.
        """
        if self.kind != "search":
            raise BertdeskError(f"A {self.kind!r} row filter has no search text.")
        return TextQuery(self.text, regex=self.regex)


class RowWalker:
    """Steps through the rows of ``project`` that ``row_filter`` selects.

    Args:
        project: an open project.
        row_filter: which rows to walk.

    Raises:
        LabelError: a "label" filter names a label the project does not have.
    """

    def __init__(self, project: Project, row_filter: RowFilter) -> None:
        self.project = project
        self.row_filter = row_filter
        self._sample: list[int] = []
        self._index: dict[int, int] = {}
        self._query = row_filter.query() if row_filter.kind == "search" else None
        if row_filter.kind == "label":
            project.label_set.id_of(row_filter.label or "")  # fail now, with the label's name
        if row_filter.kind == "random":
            size = min(row_filter.sample_size, project.row_count)
            self._sample = random.Random(row_filter.seed).sample(range(project.row_count), size)
        if row_filter.kind == "uncertain":
            self._sample = _uncertain_order(project, row_filter.uncertainty)
        if row_filter.kind == "suspicious":
            self._sample = [s.row_id for s in suspects_left(project)]
        self._index = {row: i for i, row in enumerate(self._sample)}

    @property
    def scans(self) -> bool:
        """True when a step may read many rows (a text search): slow enough for a worker thread."""
        return self._query is not None

    def first_row(self, **search: Any) -> int | None:
        """The first row to show, or None when nothing matches (``search``: as for :meth:`step`)."""
        return self.step(None, **search)

    def next_row(self, after: int | None, **search: Any) -> int | None:
        """The next matching row after ``after`` (None: from the start), or None at the end."""
        return self.step(after, **search)

    def previous_row(self, before: int | None, **search: Any) -> int | None:
        """The matching row before ``before`` (None: from the end), or None at the start."""
        return self.step(before, backward=True, **search)

    def step(
        self,
        row: int | None,
        *,
        backward: bool = False,
        budget: SearchBudget = SearchBudget(),
        cancel: CancelToken | None = None,
        on_progress: ProgressCallback = no_progress,
    ) -> int | None:
        """The next (``backward``: previous) row of the walk from ``row``; None past the end.

        ``budget``, ``cancel`` and ``on_progress`` apply to a text search (:attr:`scans`); other
        steps are one indexed query and ignore them.

        Raises:
            SearchTooSlow: a text search ran past ``budget`` (the message names the row).
            Cancelled: ``cancel`` was set during a text search.
        """
        kind = self.row_filter.kind
        if kind in ("random", "uncertain", "suspicious"):
            return self._step_sample(row, backward=backward)
        if kind == "all":
            return self.project.next_row_matching(row, backward=backward)
        if kind == "search":
            return self.project.next_row_matching(
                row, pattern=self._query, backward=backward, budget=budget, cancel=cancel, on_progress=on_progress
            )
        if kind == "label":
            return self.project.next_row_matching(row, label=self.row_filter.label, backward=backward)
        return self.project.next_row_matching(row, labelled=kind == "labelled", backward=backward)

    def _step_sample(self, row: int | None, *, backward: bool) -> int | None:
        if not self._sample:
            return None
        if row is None:
            return self._sample[-1] if backward else self._sample[0]
        index = self._index.get(row)
        if index is None:
            return None
        index += -1 if backward else 1
        return self._sample[index] if 0 <= index < len(self._sample) else None

    def position(self, row: int) -> int | None:
        """1-based place of ``row`` among the walked rows, when that is cheap to know; else None."""
        kind = self.row_filter.kind
        if kind == "all":
            return row + 1
        if kind in ("random", "uncertain", "suspicious"):
            index = self._index.get(row)
            return None if index is None else index + 1
        return None

    @property
    def total(self) -> int | None:
        """How many rows the walk holds right now, when that is cheap to know; else None."""
        kind = self.row_filter.kind
        project = self.project
        if kind == "all":
            return project.row_count
        if kind in ("random", "uncertain", "suspicious"):
            return len(self._sample)
        if kind == "labelled":
            return project.labelled_count
        if kind == "unlabelled":
            return project.row_count - project.labelled_count
        if kind == "label":
            return project.label_counts().get(self.row_filter.label or "", 0)
        return None


def suspects_left(project: Project) -> list[Suspect]:
    """The latest label review's suspects not yet relabelled or kept, most suspicious first.

    Raises:
        BertdeskError: no label review yet (the message says how to make one).
    """
    review = project.label_review()
    if review is None:
        raise BertdeskError("No label review yet: Labels > Find Suspicious Labels checks every label against the others.")
    return open_suspects(review, project.labels(), project.reviewed_rows())


def _uncertain_order(project: Project, method: str) -> list[int]:
    """Unlabelled rows with a stored prediction of the active run, most uncertain first."""
    from bertdesk.core.project.uncertainty import most_uncertain_first

    table = project.predictions()
    if table is None or not len(table):
        raise BertdeskError("No predictions yet: train a model, then predict (Predict panel), to label the most uncertain rows first.")
    return most_uncertain_first(table.row_ids, table.probabilities, method=method, labelled=project.labels())

"""Does this text match this query? Plain or regex, case-insensitive, within a time budget.

The one matcher behind every text search and filter (the Label panel's "Show: Search", the
Predict panel's text filter): a user-typed regular expression can backtrack for minutes on one
row (``(a|aa)+$`` on sixty a's and a "!"), so

* plain text is a case-insensitive substring test (``casefold``), which cannot blow up;
* a regex runs on the ``regex`` package with a per-row ``timeout`` (it counts this process's
  CPU seconds) and raises :class:`SearchTooSlow` naming the row, instead of hanging;
* a scan over many rows also has an overall wall-clock budget and checks a cancel token, so a
  pattern that is merely slow on every row stops with a message too.

``regex`` is imported on the first regex query: plain search and start-up do not pay for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress

if TYPE_CHECKING:
    import regex as regex_module

__all__ = ["PER_ROW_SECONDS", "TOTAL_SECONDS", "SearchBudget", "SearchTooSlow", "TextQuery", "scan_rows"]

PER_ROW_SECONDS = 0.05  # CPU time one row's regex may take; ordinary patterns take microseconds
TOTAL_SECONDS = 60.0  # wall time one scan may take (a regex over a million rows takes a few s)
FIRST_CHUNK = 64  # rows read first: most next matches are near, so the first read stays short
MAX_CHUNK = 20_000  # rows read per lock hold, later on
_CHECK_EVERY = 512  # plain search: rows between looks at the clock and the cancel token


class SearchTooSlow(BertdeskError):
    """A regex took longer than its budget on one row, or a scan longer than its overall budget.

    Attributes:
        row: the 0-based row where it happened (None when matching one text on its own).
    """

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class SearchBudget:
    """How long a search may take.

    Attributes:
        per_row: CPU seconds one row's regex may take (the ``regex`` package's ``timeout``).
        total: wall seconds a whole scan may take.
    """

    per_row: float = PER_ROW_SECONDS
    total: float = TOTAL_SECONDS


@lru_cache(maxsize=32)
def _compile(pattern: str) -> regex_module.Pattern[str]:
    import regex

    try:
        return regex.compile(pattern, regex.IGNORECASE)
    except regex.error as err:
        raise BertdeskError(f"The search is not a valid regular expression: {err}.") from None


@dataclass(frozen=True)
class TextQuery:
    """A search the user typed: plain text (case-insensitive substring) or a regular expression.

    Args:
        text: what to look for; must not be empty.
        regex: treat ``text`` as a regular expression (case-insensitive, ``regex`` package syntax,
            which accepts everything Python's ``re`` does).

    Raises:
        BertdeskError: empty text or an invalid regular expression (one line).
    """

    text: str
    regex: bool = False
    _needle: str = field(init=False, repr=False, compare=False)
    _pattern: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.text:
            raise BertdeskError("Type something to search for.")
        object.__setattr__(self, "_needle", self.text.casefold())
        object.__setattr__(self, "_pattern", _compile(self.text) if self.regex else None)

    def matches(self, text: str, *, timeout: float = PER_ROW_SECONDS) -> bool:
        """True when ``text`` contains the query.

        Raises:
            SearchTooSlow: the regex ran longer than ``timeout`` CPU seconds on ``text``.
        """
        return self._matches(text, timeout, None)

    def _matches(self, text: str | None, timeout: float, row: int | None) -> bool:
        if not text:
            return False
        if self._pattern is None:
            return self._needle in text.casefold()
        try:
            return self._pattern.search(text, timeout=timeout) is not None
        except TimeoutError:
            where = "" if row is None else f" on row {row + 1:,}"
            raise SearchTooSlow(f"This pattern takes too long{where} (over {timeout * 1000:.0f} ms); simplify it.", row=row) from None

    def mask(self, texts: Sequence[str], *, budget: SearchBudget = SearchBudget(), cancel: CancelToken | None = None) -> np.ndarray:
        """bool[n]: which of ``texts`` match (row numbers in errors are positions in ``texts``).

        Raises:
            SearchTooSlow: one text took longer than ``budget.per_row``, or all longer than ``budget.total``.
            Cancelled: ``cancel`` was set.
        """
        out = np.zeros(len(texts), dtype=bool)
        deadline = time.monotonic() + budget.total
        for start in range(0, len(texts), MAX_CHUNK):
            part = texts[start : start + MAX_CHUNK]
            hits = self._scan(part, start, range(len(part)), budget, deadline, cancel, first_only=False)
            out[[start + i for i in hits]] = True
        return out

    def _scan(
        self,
        texts: Sequence[str | None],
        offset: int,
        order: range,
        budget: SearchBudget,
        deadline: float,
        cancel: CancelToken | None,
        *,
        first_only: bool,
    ) -> list[int]:
        """Positions in ``texts`` (visited in ``order``) that match; stops at the first when ``first_only``."""
        hits: list[int] = []
        if self._pattern is None:
            needle = self._needle
            for count, i in enumerate(order):
                if count % _CHECK_EVERY == 0:
                    _check(deadline, cancel, budget, offset + i)
                text = texts[i]
                if text and needle in text.casefold():
                    hits.append(i)
                    if first_only:
                        break
            return hits
        for i in order:  # a regex costs microseconds a row anyway: look at the clock every row
            _check(deadline, cancel, budget, offset + i)
            if self._matches(texts[i], budget.per_row, offset + i):
                hits.append(i)
                if first_only:
                    break
        return hits


def _check(deadline: float, cancel: CancelToken | None, budget: SearchBudget, row: int) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()
    if time.monotonic() > deadline:
        raise SearchTooSlow(
            f"The search stopped after {budget.total:g} s at row {row + 1:,} without finding a match; simplify the pattern.", row=row
        )


def scan_rows(
    read: Callable[[int, int], Sequence[str | None]],
    query: TextQuery,
    *,
    start: int,
    row_count: int,
    backward: bool = False,
    budget: SearchBudget = SearchBudget(),
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback = no_progress,
) -> int | None:
    """The first row after ``start`` (``backward``: the last before it) whose text matches ``query``.

    Args:
        read: ``read(first, last)`` returns the texts of rows ``first .. last-1`` in order (it may
            take a lock; it is called once per chunk, and matching happens outside it).
        query: what to look for.
        start: the row to start from, excluded (-1: from the first row; ``row_count``: backward from the last).
        row_count: rows 0 .. row_count-1 exist.
        backward: search towards row 0.
        budget: per-row and overall time limits.
        cancel: checked while scanning.
        on_progress: told how many rows have been looked at (once per chunk).

    Returns:
        The row id, or None when no row in that direction matches.

    Raises:
        SearchTooSlow: a row's regex took longer than ``budget.per_row``, or the scan longer than ``budget.total``.
        Cancelled: ``cancel`` was set.
    """
    deadline = time.monotonic() + budget.total
    looked = 0
    total = start if backward else row_count - start - 1
    for first, last in _chunks(start, row_count, backward):
        texts = read(first, last)
        order = range(len(texts) - 1, -1, -1) if backward else range(len(texts))
        hits = query._scan(texts, first, order, budget, deadline, cancel, first_only=True)
        if hits:
            return first + hits[0]
        looked += last - first
        on_progress(Progress(looked, max(total, 0), f"Searching… {looked:,} rows looked at"))
    return None


def _chunks(start: int, row_count: int, backward: bool) -> Iterator[tuple[int, int]]:
    """Row ranges ``(first, last)`` walking away from ``start``, small first (the usual match is
    near) and growing fourfold up to MAX_CHUNK."""
    size = FIRST_CHUNK
    if backward:
        last = min(start, row_count)
        while last > 0:
            first = max(last - size, 0)
            yield first, last
            last, size = first, min(size * 4, MAX_CHUNK)
    else:
        first = max(start + 1, 0)
        while first < row_count:
            last = min(first + size, row_count)
            yield first, last
            first, size = last, min(size * 4, MAX_CHUNK)

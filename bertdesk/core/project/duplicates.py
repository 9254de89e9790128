"""Rows whose text duplicates the text of given rows (for "also label exact duplicates")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bertdesk.core.project.file import Project


def rows_with_same_text(project: Project, row_ids: Sequence[int]) -> list[int]:
    """``row_ids`` plus every row whose text equals one of theirs after trimming whitespace.

    Reads the text column once (one pass over a million rows is a second or two).

    Returns:
        Sorted, distinct row ids (the given ones included).

    Raises:
        ProjectError: a row id is out of range.
    """
    wanted = {int(r) for r in row_ids}
    if not wanted:
        return []
    every = project.texts()
    if max(wanted) >= len(every) or min(wanted) < 0:
        project.texts(list(wanted))  # raises the project's own "no row N" error
    keys = {every[r].strip() for r in wanted}
    return [i for i, text in enumerate(every) if i in wanted or text.strip() in keys]

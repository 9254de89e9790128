"""Row look-ups for walking a project one row at a time (the labelling view).

Each function answers "the first row after ``row`` (or the last before it) that matches" with
one short query on the project's connection, so stepping through a million-row project stays
well under the 50 ms a key press may take. They run inside the caller's read lock
(:meth:`~bertdesk.core.project.Project.next_row_matching`).

Unlabelled rows are found from the compact ``labels`` table only (the first gap in its row
ids), never by reading the snapshot. Text search reads the text column a range of rows at a
time from the snapshot (:class:`~bertdesk.core.project.snapshot.Snapshot`) and matches it
outside the lock, in Python, within a time budget (:mod:`bertdesk.core.project.text_search`).
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence

from bertdesk.core.errors import ProjectError


def checked_row_ids(row_ids: Sequence[int], row_count: int) -> array[int]:
    """``row_ids`` sorted and unique, each checked to be a row of a project with ``row_count`` rows.

    Raises:
        ProjectError: a row id is out of range (the message names it).
    """
    ids = array("q", sorted({int(r) for r in row_ids}))
    if ids and (ids[0] < 0 or ids[-1] >= row_count):
        bad = ids[0] if ids[0] < 0 else ids[-1]
        raise ProjectError(f"There is no row {bad} in this project (it has {row_count:,} rows).")
    return ids


def is_labelled(conn: sqlite3.Connection, row: int) -> bool:
    """True when ``row`` has a label."""
    return conn.execute("SELECT 1 FROM labels WHERE row_id = ?", (row,)).fetchone() is not None


def next_unlabelled(conn: sqlite3.Connection, after: int, row_count: int) -> int | None:
    """The first unlabelled row id greater than ``after`` (None past the end)."""
    start = after + 1
    if start >= row_count:
        return None
    if not is_labelled(conn, start):
        return start
    # ``start`` is labelled: the answer is one past the end of its run of labelled rows.
    found = conn.execute(
        "SELECT l.row_id + 1 FROM labels l WHERE l.row_id >= ? "
        "AND NOT EXISTS (SELECT 1 FROM labels m WHERE m.row_id = l.row_id + 1) ORDER BY l.row_id LIMIT 1",
        (start,),
    ).fetchone()
    return None if found is None or found[0] >= row_count else int(found[0])


def previous_unlabelled(conn: sqlite3.Connection, before: int, row_count: int) -> int | None:
    """The last unlabelled row id smaller than ``before`` (None before the start)."""
    start = min(before, row_count) - 1
    if start < 0:
        return None
    if not is_labelled(conn, start):
        return start
    found = conn.execute(
        "SELECT l.row_id - 1 FROM labels l WHERE l.row_id <= ? "
        "AND NOT EXISTS (SELECT 1 FROM labels m WHERE m.row_id = l.row_id - 1) ORDER BY l.row_id DESC LIMIT 1",
        (start,),
    ).fetchone()
    return None if found is None or found[0] < 0 else int(found[0])


def step_labelled(conn: sqlite3.Connection, row: int, label_key: int | None, *, backward: bool) -> int | None:
    """The nearest labelled row after (or before) ``row``, optionally only with ``label_key``."""
    where, order = ("row_id < ?", "DESC") if backward else ("row_id > ?", "ASC")
    args: tuple[int, ...] = (row,)
    if label_key is not None:
        where += " AND label_key = ?"
        args += (label_key,)
    found = conn.execute(f"SELECT row_id FROM labels WHERE {where} ORDER BY row_id {order} LIMIT 1", args).fetchone()
    return None if found is None else int(found[0])

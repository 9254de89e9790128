"""The SQL of the two label tables: ``label_set`` (the names, their order and colours) and ``labels``.

Every label edit goes through these three functions: :func:`read_label_set` and :func:`read_rows`
read the state an edit starts from, :func:`apply_state` writes the state it ends in (and, for undo
and redo, the state before or after). They run inside the caller's transaction and never commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

from bertdesk.core.project.undo import LabelRow, RowStates, Uniform

# Above this many touched rows, reading the whole labels table once beats thousands of
# small IN (...) queries.
_SCAN_THRESHOLD = 20_000
_IN_CHUNK = 900  # stays under SQLite's historical 999-variable limit


@dataclass(frozen=True)
class LabelDef:
    """One row of the ``label_set`` table."""

    key: int
    name: str
    position: int
    color: str | None


def read_label_set(conn: sqlite3.Connection) -> tuple[LabelDef, ...]:
    """The ``label_set`` table in display order."""
    rows = conn.execute("SELECT key, name, position, color FROM label_set ORDER BY position, key").fetchall()
    return tuple(LabelDef(*row) for row in rows)


def read_rows(conn: sqlite3.Connection, row_ids: Sequence[int]) -> RowStates:
    """The current label state of the labelled rows among ``row_ids`` (sorted, unique)."""
    query = "SELECT row_id, label_key, source, updated_at FROM labels"
    if not row_ids:
        return RowStates()
    first, last = row_ids[0], row_ids[-1]
    if last - first + 1 == len(row_ids):  # a contiguous block, e.g. "select all"
        return RowStates(conn.execute(f"{query} WHERE row_id BETWEEN ? AND ? ORDER BY row_id", (first, last)).fetchall())
    if len(row_ids) > _SCAN_THRESHOLD:
        wanted = set(row_ids)
        rows = conn.execute(f"{query} WHERE row_id BETWEEN ? AND ? ORDER BY row_id", (first, last)).fetchall()
        return RowStates([row for row in rows if row[0] in wanted])
    found: list[LabelRow] = []
    for start in range(0, len(row_ids), _IN_CHUNK):
        chunk = tuple(row_ids[start : start + _IN_CHUNK])
        marks = ",".join("?" * len(chunk))
        found.extend(conn.execute(f"{query} WHERE row_id IN ({marks})", chunk))
    found.sort()
    return RowStates(found)


def apply_state(
    conn: sqlite3.Connection, touched: Sequence[int], rows: RowStates | Uniform, label_set: tuple[LabelDef, ...] | None
) -> None:
    """Make the database hold ``rows`` for ``touched`` and ``label_set`` (if given).

    Runs inside the caller's transaction. The order keeps every foreign key valid at each
    statement: first add/update label-set entries, then rewrite rows, then drop entries
    that no longer exist (no row points at them any more).
    """
    if label_set is not None:
        conn.executemany(
            "INSERT INTO label_set(key, name, position, color) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET name = excluded.name, position = excluded.position, "
            "color = excluded.color",
            [(d.key, d.name, d.position, d.color) for d in label_set],
        )
    # An upsert, not INSERT OR REPLACE: REPLACE deletes and re-inserts, ~4x slower in bulk.
    insert = (
        "INSERT INTO labels(row_id, label_key, source, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(row_id) DO UPDATE SET label_key = excluded.label_key, "
        "source = excluded.source, updated_at = excluded.updated_at"
    )
    if isinstance(rows, Uniform):
        if rows.key is None:
            conn.executemany("DELETE FROM labels WHERE row_id = ?", ((r,) for r in touched))
        else:
            key, source, when = rows.key, rows.source, rows.updated_at
            conn.executemany(insert, zip(touched, repeat(key), repeat(source), repeat(when)))
    else:
        # Rows labelled in the target state are replaced; the rest of the touched rows
        # must end up unlabelled.
        labelled = set(rows.row_ids)
        conn.executemany("DELETE FROM labels WHERE row_id = ?", ((r,) for r in touched if r not in labelled))
        conn.executemany(insert, iter(rows))
    if label_set is not None:
        keep = {d.key for d in label_set}
        gone = [(key,) for (key,) in conn.execute("SELECT key FROM label_set") if key not in keep]
        conn.executemany("DELETE FROM label_set WHERE key = ?", gone)

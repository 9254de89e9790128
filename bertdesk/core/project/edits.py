"""Each label edit described as an undoable :class:`~bertdesk.core.project.undo.Change`.

The functions here only *describe* an edit (reading the current state inside the caller's
transaction); ``Project`` then applies the change with :func:`~bertdesk.core.project.label_tables.apply_state`
and records it for undo. Validation happens here, before anything is written.
"""

from __future__ import annotations

import sqlite3
import time
from array import array
from collections.abc import Sequence

from bertdesk.core.errors import LabelError
from bertdesk.core.project.label_set import normalise_label
from bertdesk.core.project.label_tables import LabelDef, read_rows
from bertdesk.core.project.schema import LABEL_SOURCES
from bertdesk.core.project.undo import Change, RowStates, Uniform


def clean_name(raw: str) -> str:
    """A label name as stored: trimmed; raises :class:`LabelError` when nothing is left."""
    if not isinstance(raw, str):
        raise LabelError(f"A label name must be text, not {type(raw).__name__}.")
    name = normalise_label(raw)
    if not name:
        raise LabelError("A label name cannot be empty.")
    return name


def lookup(defs: Sequence[LabelDef], name: str) -> LabelDef | None:
    """The entry called ``name`` (case-sensitive), or None.

    An exact match wins; otherwise ``name`` is cleaned like every stored name
    (:func:`normalise_label`), so "pos\u200b" as typed or pasted finds "pos".
    """
    for wanted in (name, normalise_label(name) if isinstance(name, str) else name):
        for entry in defs:
            if entry.name == wanted:
                return entry
    return None


def find(defs: Sequence[LabelDef], name: str) -> LabelDef:
    """Like :func:`lookup`, but a missing label raises :class:`LabelError`."""
    entry = lookup(defs, name)
    if entry is None:
        raise LabelError(f"There is no label named {name!r}.")
    return entry


def _renumber(defs: Sequence[LabelDef]) -> tuple[LabelDef, ...]:
    # Positions are the class ids, so they must stay 0..n-1 with no gaps.
    return tuple(LabelDef(d.key, d.name, i, d.color) for i, d in enumerate(defs))


def _rows_text(touched: Sequence[int]) -> str:
    # Row numbers as the user sees them in the table (1-based), not internal row ids.
    return f"row {touched[0] + 1}" if len(touched) == 1 else f"{len(touched):,} rows"


def _rows_of(conn: sqlite3.Connection, keys: Sequence[int]) -> RowStates:
    marks = ",".join("?" * len(keys))
    query = f"SELECT row_id, label_key, source, updated_at FROM labels WHERE label_key IN ({marks}) ORDER BY row_id"
    return RowStates(conn.execute(query, tuple(keys)))


def assign(
    conn: sqlite3.Connection, defs: tuple[LabelDef, ...], touched: array[int], label: str | None, source: str, new_key: int
) -> Change | None:
    """Give every row in ``touched`` the label ``label`` (None clears); None if nothing changes.

    An unknown label name is appended to the label set as part of the same undo step.
    """
    name = None if label is None else normalise_label(label) or None
    set_after: tuple[LabelDef, ...] | None = None
    key: int | None = None
    if name is not None:
        existing = next((d for d in defs if d.name == name), None)
        if existing is None:
            set_after = (*defs, LabelDef(new_key, name, len(defs), None))
            key = new_key
        else:
            key = existing.key
    before = read_rows(conn, touched)
    if set_after is None:
        if key is None and len(before) == 0:
            return None
        code = LABEL_SOURCES.index(source)
        if (
            key is not None
            and len(before) == len(touched)
            and all(k == key for k in before.keys)
            and all(s == code for s in before.sources)
        ):
            return None
    where = _rows_text(touched)
    if name is None:
        text = f"Clear label of {where}" if len(touched) == 1 else f"Clear labels of {where}"
    else:
        text = f'Label {where} "{name}"'
    return Change(text, touched, before, Uniform(key, source, time.time()), defs if set_after else None, set_after)


def add(defs: tuple[LabelDef, ...], raw: str, color: str | None, new_key: int) -> Change | None:
    """Append a label; None if it already exists (adding twice is harmless)."""
    name = clean_name(raw)
    if any(d.name == name for d in defs):
        return None
    after = (*defs, LabelDef(new_key, name, len(defs), color))
    return Change(f'Add label "{name}"', array("q"), RowStates(), RowStates(), defs, after)


def rename(defs: tuple[LabelDef, ...], old: str, raw_new: str) -> Change | None:
    """Rename ``old``; every row follows because rows point at the label's key, not its name."""
    entry = find(defs, old)
    new = clean_name(raw_new)
    if new == entry.name:
        return None
    if any(d.name == new for d in defs):
        raise LabelError(f"Cannot rename {entry.name!r} to {new!r}: that label exists already (merge them instead).")
    after = tuple(LabelDef(d.key, new, d.position, d.color) if d.key == entry.key else d for d in defs)
    return Change(f'Rename label "{entry.name}" to "{new}"', array("q"), RowStates(), RowStates(), defs, after)


def merge(conn: sqlite3.Connection, defs: tuple[LabelDef, ...], into: str, others: Sequence[str]) -> Change | None:
    """Relabel the rows of ``others`` as ``into`` (keeping source and time) and drop ``others``."""
    target = find(defs, into)
    drop = {find(defs, name).key for name in others} - {target.key}
    if not drop:
        return None
    before = _rows_of(conn, sorted(drop))
    after = RowStates((row_id, target.key, source, when) for row_id, _, source, when in before)
    set_after = _renumber([d for d in defs if d.key not in drop])
    names = ", ".join(f'"{d.name}"' for d in defs if d.key in drop)
    return Change(f'Merge {names} into "{target.name}"', before.row_ids, before, after, defs, set_after)


def delete(conn: sqlite3.Connection, defs: tuple[LabelDef, ...], name: str) -> Change:
    """Remove ``name`` from the set; its rows become unlabelled."""
    entry = find(defs, name)
    before = _rows_of(conn, [entry.key])
    set_after = _renumber([d for d in defs if d.key != entry.key])
    return Change(f'Delete label "{entry.name}"', before.row_ids, before, Uniform(None, "human", time.time()), defs, set_after)


def reorder(defs: tuple[LabelDef, ...], names: Sequence[str]) -> Change | None:
    """Put the labels in the order ``names`` (which must name each label exactly once)."""
    entries = [lookup(defs, name) for name in names]
    keys = [entry.key for entry in entries if entry is not None]
    if len(keys) != len(names) or sorted(keys) != sorted(d.key for d in defs):
        raise LabelError("The new label order must list every label exactly once.")
    after = _renumber([entry for entry in entries if entry is not None])
    if after == defs:
        return None
    return Change("Reorder labels", array("q"), RowStates(), RowStates(), defs, after)


def recolor(defs: tuple[LabelDef, ...], name: str, color: str | None) -> Change | None:
    """Set (or with None/"" clear) the display colour of ``name``."""
    entry = find(defs, name)
    color = color.strip() if isinstance(color, str) and color.strip() else None
    if entry.color == color:
        return None
    after = tuple(LabelDef(d.key, d.name, d.position, color) if d.key == entry.key else d for d in defs)
    return Change(f'Change colour of label "{entry.name}"', array("q"), RowStates(), RowStates(), defs, after)

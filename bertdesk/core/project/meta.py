"""The one typed reader for values stored in a project file's ``meta`` table (and other JSON cells).

A project file is a plain SQLite database that any tool can edit, a sync tool can mangle and a
failing disk can damage, so nothing read back from it is trusted: each value is checked for
its type and against the rest of the file, and the first bad one raises a one-line
:class:`~bertdesk.core.errors.ProjectError` ("reviews.bertdesk: the column list (meta
'columns') is invalid: ...") that the CLI turns into exit code 2 and the app into its error
dialog, instead of a ``TypeError`` surfacing from deep inside a panel.

This module reads only; :func:`bertdesk.core.project.schema.write_meta` writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bertdesk.core.errors import ProjectError

__all__ = ["ProjectMeta", "invalid_value", "read_project_meta", "read_schema_version", "stored_json"]

_ADVICE = "the project file was damaged or changed by another program"
# What each key holds, in words, for the messages.
_WHAT = {
    "schema_version": "the format version",
    "columns": "the column list",
    "row_count": "the row count",
    "text_column": "the text column",
    "label_column": "the label column",
    "source": "the source description",
}


def _shown(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def invalid_value(path: Path, what: str, why: str) -> ProjectError:
    """``<file>: <what> is invalid (<why>); <advice>.`` as a :class:`ProjectError`."""
    return ProjectError(f"{path.name}: {what} is invalid ({why}); {_ADVICE}.")


def _meta_error(path: Path, key: str, why: str) -> ProjectError:
    return invalid_value(path, f"{_WHAT.get(key, key)} (meta {key!r})", why)


def stored_json(path: Path, what: str, value: object, expected: type | tuple[type, ...]) -> Any:
    """Decode one stored JSON text and check that it holds an ``expected`` (``list``, ``dict``, ``str``...).

    Raises:
        ProjectError: not text, not JSON, or JSON of another type; ``what`` names the value.
    """
    if not isinstance(value, str):
        raise invalid_value(
            path, what, f"expected JSON text, found {'NULL' if value is None else type(value).__name__ + ' ' + _shown(value)}"
        )
    try:
        decoded = json.loads(value)
    except ValueError as err:
        raise invalid_value(path, what, f"not JSON: {err}") from None
    # bool is an int to Python; a stored ``true`` is never a count.
    if not isinstance(decoded, expected) or (expected is int and isinstance(decoded, bool)):
        raise invalid_value(path, what, f"expected {_kind(expected)}, found {_shown(decoded)}")
    return decoded


def _kind(expected: type | tuple[type, ...]) -> str:
    names = {list: "a list", dict: "an object", str: "text", int: "a whole number", type(None): "null"}
    return " or ".join(names.get(kind, kind.__name__) for kind in (expected if isinstance(expected, tuple) else (expected,)))


def read_schema_version(meta: Mapping[str, object], path: Path) -> int:
    """The ``schema_version`` meta value (plain text, e.g. ``"1"``) as a positive int."""
    value = meta.get("schema_version")
    if value is None:
        raise _meta_error(path, "schema_version", "it is missing")
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    if not text.strip().isdigit() or int(text) < 1:
        raise _meta_error(path, "schema_version", f"expected a whole number, found {_shown(value)}")
    return int(text)


@dataclass(frozen=True)
class ProjectMeta:
    """The checked ``meta`` of a project (see :mod:`bertdesk.core.project.schema` for the layout)."""

    columns: list[str]
    row_count: int
    text_column: str
    label_column: str | None
    source: dict[str, Any]


def read_raw_meta(conn: sqlite3.Connection) -> dict[str, object]:
    """Every ``meta`` entry as stored, values untouched (text, or whatever a tool put there)."""
    return {str(key): value for key, value in conn.execute("SELECT key, value FROM meta")}


def read_project_meta(conn: sqlite3.Connection, path: Path, *, stored_columns: int, stored_rows: int) -> ProjectMeta:
    """Read, decode and cross-check the project's description.

    Checks: ``columns`` is a list of distinct names, one per column of the stored table
    (``stored_columns``); ``row_count`` is a whole number equal to ``stored_rows``; ``text_column``
    (and ``label_column`` unless null) is one of the columns; ``source`` is an object.

    Raises:
        ProjectError: the first missing or invalid value, in one line naming the file.
    """
    meta = read_raw_meta(conn)

    def value(key: str, expected: type | tuple[type, ...], default: str | None = None) -> Any:
        if key not in meta and default is None:
            raise _meta_error(path, key, "it is missing")
        raw = meta.get(key, default)
        return stored_json(path, f"{_WHAT[key]} (meta {key!r})", raw, expected)

    columns = value("columns", list)
    if not all(isinstance(name, str) for name in columns):
        raise _meta_error(path, "columns", f"expected a list of names, found {_shown(columns)}")
    if len(set(columns)) != len(columns):
        raise _meta_error(path, "columns", "a column name appears twice")
    if stored_columns != len(columns):
        raise _meta_error(path, "columns", f"it names {len(columns)} columns, the table stores {stored_columns}")
    row_count = value("row_count", int)
    if row_count != stored_rows:
        raise _meta_error(path, "row_count", f"it says {row_count:,} rows, the table holds {stored_rows:,}")
    text_column = value("text_column", str)
    if text_column not in columns:
        raise _meta_error(path, "text_column", f"{_shown(text_column)} is not one of the columns")
    label_column = value("label_column", (str, type(None)), "null")
    if label_column is not None and label_column not in columns:
        raise _meta_error(path, "label_column", f"{_shown(label_column)} is not one of the columns")
    source = value("source", dict, "{}")
    return ProjectMeta(columns, row_count, text_column, label_column, source)

"""How a source column was typed, and how to give an exported column that type back.

The project snapshot keeps every cell as the text the user saw (``00123`` stays ``00123``),
so types live beside it: when a whole column of an .xlsx sheet holds numbers (or dates, or
booleans), or a Parquet column has a numeric/date/boolean type, the reader records that
column's *type* (:data:`ColumnType`). An export turns such a column's text back into typed
values (:func:`typed_column`), so numbers leave as numbers and dates as dates. Columns of a
CSV, and mixed or text columns anywhere, are ``"text"``: they are exported as the text they
were, never guessed at.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ColumnType = Literal["text", "integer", "number", "decimal", "bool", "date", "datetime"]
TYPED: tuple[str, ...] = ("integer", "number", "decimal", "bool", "date", "datetime")
# Where a reader puts the column types on the arrow table it returns (schema metadata).
ARROW_METADATA_KEY = b"bertdesk.column_types"


def cells_type(values: Iterable[Any]) -> ColumnType:
    """The type of a workbook column from its cells' Python values ("" = an empty cell).

    Typed only when every non-empty cell has that type: numbers -> "number", booleans ->
    "bool", dates -> "date" (or "datetime" when one of them has a time). Anything mixed,
    any text, or no value at all -> "text".
    """
    found: set[str] = set()
    for value in values:
        if isinstance(value, str):
            if value == "":
                continue
            return "text"
        kind = type(value)
        if kind is bool:
            found.add("bool")
        elif kind in (int, float):
            found.add("number")
        elif isinstance(value, dt.datetime):
            found.add("date" if value.time() == dt.time(0) and value.tzinfo is None else "datetime")
        elif isinstance(value, dt.date):
            found.add("date")
        else:
            return "text"  # times of day, durations, errors...: kept as text
        if len(found) > 1 and found != {"date", "datetime"}:
            return "text"
    if not found:
        return "text"
    return "datetime" if "datetime" in found else found.pop()  # type: ignore[return-value]


def arrow_type(kind: pa.DataType) -> ColumnType:
    """The type of a Parquet column from its arrow type."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    kinds: tuple[tuple[Callable[[pa.DataType], bool], ColumnType], ...] = (
        (pa.types.is_boolean, "bool"),
        (pa.types.is_integer, "integer"),
        (pa.types.is_floating, "number"),
        (pa.types.is_decimal, "decimal"),
        (pa.types.is_date, "date"),
        (pa.types.is_timestamp, "datetime"),
    )
    return next((name for test, name in kinds if test(kind)), "text")


def attach(table: pa.Table, types: Sequence[str]) -> pa.Table:
    """``table`` with ``types`` (one per column) recorded in its schema metadata."""
    return table.replace_schema_metadata({ARROW_METADATA_KEY: json.dumps(list(types)).encode()})


def attached(table: pa.Table) -> tuple[str, ...]:
    """The column types :func:`attach` recorded on ``table`` (all "text" when none)."""
    raw = (table.schema.metadata or {}).get(ARROW_METADATA_KEY)
    types = tuple(json.loads(raw)) if raw else ()
    return types if len(types) == table.num_columns else ("text",) * table.num_columns


def typed_frame(frame: pd.DataFrame, types: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` (text) with each column named in ``types`` turned back into typed values."""
    out = frame.copy()
    for name, kind in types.items():
        if name in out.columns and kind in TYPED:
            out[name] = typed_column(out[name], kind)
    return out


def typed_column(texts: pd.Series, kind: str) -> pd.Series:
    """A text column as ``kind`` values (empty text -> missing).

    If any cell does not parse (a snapshot changed by hand, a format this version does not
    know), the column is returned unchanged: exporting the text beats losing a value.
    """
    import pandas as pd

    values = [None if v is None or v == "" else str(v) for v in texts.tolist()]
    try:
        parsed = [None if v is None else _PARSERS[kind](v) for v in values]
    except (ValueError, ArithmeticError, KeyError):
        return texts
    dtype = {"integer": "Int64", "number": "Float64", "bool": "boolean"}.get(kind, "object")
    try:
        return pd.Series(pd.array(parsed, dtype=dtype), index=texts.index, name=texts.name)
    except (ValueError, TypeError, OverflowError):  # e.g. an integer beyond int64
        return texts


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError(text)


def _datetime(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _integer(text: str) -> int:
    return int(text)


_PARSERS: dict[str, Any] = {
    "integer": _integer,
    "number": float,
    "decimal": decimal.Decimal,
    "bool": _bool,
    "date": _date,
    "datetime": _datetime,
}

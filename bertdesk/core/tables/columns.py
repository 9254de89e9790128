"""Column names, the header row and column suggestions for a table of text.

:func:`_unique_names` makes a header usable (no blank or repeated names);
:func:`detect_header_row` finds the header under a title or group-heading preamble;
:func:`drop_empty_edges` drops what Excel leaves around a table (empty rows at the end,
empty columns without a name); :func:`suggest_columns` guesses which column holds the
text and which the labels.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bertdesk.core.tables.encoding import looks_numeric

_SUGGEST_ROWS = 2000


def _unique_names(header: list[str]) -> tuple[str, ...]:
    """Blank names become "Column N"; repeats become "name (2)", "name (3)"."""
    raw = [h if h.strip() else f"Column {i + 1}" for i, h in enumerate(header)]
    if raw and raw[0].startswith("\ufeff"):
        raw[0] = raw[0][1:] or "Column 1"  # a BOM the chosen codec did not consume
    taken: set[str] = set()
    out = []
    for name in raw:
        unique, k = name, 1
        while unique in taken:
            k += 1
            unique = f"{name} ({k})"
        taken.add(unique)
        out.append(unique)
    return tuple(out)


_UNNAMED = re.compile(r"Unnamed: \d+(_level_\d+)?")  # what pandas writes for a blank header cell


def unnamed_columns(header: Sequence[str]) -> tuple[int, ...]:
    """Indices of header cells that name nothing: blank, or pandas' "Unnamed: 5"."""
    return tuple(j for j, name in enumerate(header) if not name.strip(" \t\r\n\ufeff") or _UNNAMED.fullmatch(name.strip()))


# ------------------------------------------------------------------------ header row

_HEADER_SEARCH = 10  # the header is looked for among this many rows at the top
_BELOW = 20  # rows below a candidate that show the table's shape


def detect_header_row(records: Sequence[Sequence[str]]) -> int:
    """Which of the first non-blank rows holds the column names (0-based).

    Rows above the header are a preamble: a title ("Survey export 2024"), a note, or Excel
    group headings ("Source" over A:B, "Annotation" over C:D). Such a row fills at most half
    of the columns the rows below it fill, or (text files) has fewer fields than they do.
    The first row that is not a preamble is the header, if it looks like one (names: filled,
    distinct, not numbers); otherwise the answer is 0, as before detection existed, so that an
    unusual table is never read from a data row.

    Args:
        records: the first non-blank rows, top first, as cell texts.
    """
    for i in range(min(_HEADER_SEARCH, len(records) - 1)):
        row, below = records[i], records[i + 1 : i + 1 + _BELOW]
        width = _mode(_filled(r) for r in below)
        fields = _mode(len(r) for r in below)
        if width < 2:
            return 0
        if _filled(row) * 2 > width and len(row) >= fields:
            return i if i == 0 or _looks_like_header(row, width) else 0
    return 0


def header_note(header_row: int) -> str:
    return (
        f"the column names were found on row {header_row + 1}; the {header_row} row(s) above it "
        "(a title, notes or group headings) were skipped"
    )


def _filled(row: Sequence[str]) -> int:
    return sum(1 for v in row if v.strip())


def _mode(values: Iterable[int]) -> int:
    counts = Counter(values)
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0] if counts else 0


def _looks_like_header(row: Sequence[str], width: int) -> bool:
    names = [v.strip() for v in row if v.strip()]
    return (
        len(names) >= width
        and len(set(names)) == len(names)
        and not any(looks_numeric(v) for v in names)
        and all(len(v) <= 200 for v in names)
    )


# ------------------------------------------------------------------------ empty edges


def drop_empty_edges(table: pa.Table, unnamed: Iterable[int], *, at_end: bool) -> tuple[pa.Table, list[str]]:
    """Drop empty columns that have no name, and (when the whole file was read) the empty
    rows at its end, as Excel leaves them (",,,," lines, "Unnamed: 5" columns).

    A named column, or a row with anything in it or anything after it, is never dropped.

    Returns:
        The table and a one-line note for each kind of thing dropped.
    """
    notes = []
    empty = [table.column_names[j] for j in sorted(set(unnamed)) if j < table.num_columns and _all_empty(table.column(j))]
    if empty and len(empty) < table.num_columns:
        table = table.drop_columns(empty)
        shown = ", ".join(empty[:5]) + (", ..." if len(empty) > 5 else "")
        notes.append(f"{len(empty)} empty column(s) without a name were left out ({shown})")
    if at_end:
        rows = _trailing_empty_rows(table)
        if rows:
            table = table.slice(0, table.num_rows - rows)
            notes.append(f"{rows} empty row(s) at the end were left out")
    return table, notes


def _all_empty(column: pa.ChunkedArray) -> bool:
    if len(column) == 0:
        return True
    longest = pc.max(pc.binary_length(column)).as_py()
    return not longest


def _trailing_empty_rows(table: pa.Table) -> int:
    """How many rows at the end of ``table`` have every cell empty."""
    count, end, window = 0, table.num_rows, 64
    while end > 0:
        start = max(0, end - window)
        part = table.slice(start, end - start)
        filled = None
        for column in part.columns:
            has = pc.not_equal(pc.binary_length(column), 0)
            filled = has if filled is None else pc.or_(filled, has)
        flags = filled.to_pylist() if filled is not None else []
        empty = next((k for k, f in enumerate(reversed(flags)) if f), len(flags))
        count += empty
        if empty < len(flags):
            break
        end, window = start, window * 4
    return count


# ------------------------------------------------------------------------ suggestions


def suggest_columns(frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """Suggest the text column and the label column of a table of text.

    The text column has the longest average text, is mostly non-numeric and has many
    distinct values (a name like "text"/"review" helps). The label column has few distinct
    values for the number of rows and short values (a name like "label"/"category"/
    "sentiment" helps a lot). Only a sample of up to 2,000 evenly spaced rows is looked at.

    Returns:
        ``(text_column, label_column)``; either may be None, and they never coincide.
    """
    runs = _sample_runs(len(frame))
    return _suggest(
        {
            str(name): ["" if v is None or v != v else str(v) for a, b in runs for v in frame.iloc[a:b, j].tolist()]
            for j, name in enumerate(frame.columns)
        }
    )


def _sample_runs(n: int) -> list[tuple[int, int]]:
    """Up to 2,000 rows as 20 evenly spaced runs: slices are free, while a scattered take
    over a chunked column is not (~20 ms on a million rows)."""
    if n <= _SUGGEST_ROWS:
        return [(0, n)]
    run = _SUGGEST_ROWS // 20
    return [(int(a), int(a) + run) for a in np.linspace(0, n - run, 20)]


def _suggest(columns: dict[str, list[str]]) -> tuple[str | None, str | None]:
    stats = {name: _column_stats(values) for name, values in columns.items()}
    text_scores = {}
    for name, (filled, distinct, avg_len, numeric) in stats.items():
        ratio = distinct / filled if filled else 0.0
        if filled and numeric < 0.5 and (ratio > 0.2 or avg_len >= 30):
            bonus = 1.5 if _has_hint(name, _TEXT_HINTS) else 1.0
            text_scores[name] = avg_len * (1 - numeric) * (0.25 + 0.75 * ratio) * bonus
    text = max(text_scores, key=text_scores.__getitem__) if text_scores else None
    label_scores = {}
    for name, (filled, distinct, avg_len, numeric) in stats.items():
        if name == text:
            continue
        hint = _has_hint(name, _LABEL_HINTS)
        if not hint and (filled == 0 or distinct >= filled or distinct > 100 or avg_len > 40):
            continue
        ratio = distinct / filled if filled else 0.0
        score = (10.0 if hint else 0.0) + 3 * (1 - ratio) + (1.0 if avg_len <= 20 else 0.0)
        score -= 0.5 * numeric + (2.0 if distinct < 2 else 0.0)
        label_scores[name] = score
    label = max(label_scores, key=label_scores.__getitem__) if label_scores else None
    return text, label


_TEXT_HINTS = (
    "text",
    "review",
    "comment",
    "sentence",
    "content",
    "body",
    "message",
    "description",
    "tweet",
    "feedback",
    "utterance",
    "document",
    "abstract",
    "summary",
)
_LABEL_HINTS = (
    "label",
    "labels",
    "class",
    "category",
    "categories",
    "sentiment",
    "target",
    "tag",
    "tags",
    "topic",
    "intent",
    "y",
    "gold",
    "annotation",
)


def _has_hint(name: str, hints: tuple[str, ...]) -> bool:
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in name).split()
    return any(w in hints for w in words)


def _column_stats(values: list[str]) -> tuple[int, int, float, float]:
    """(filled cells, distinct filled values, average length, fraction numeric)."""
    filled = [v for v in values if v != ""]
    if not filled:
        return 0, 0, 0.0, 0.0
    numeric = sum(1 for v in filled if looks_numeric(v)) / len(filled)
    return len(filled), len(set(filled)), sum(map(len, filled)) / len(filled), numeric

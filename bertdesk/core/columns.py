"""Column names and column suggestions for a table of text.

:func:`_unique_names` makes a header usable (no blank or repeated names);
:func:`suggest_columns` guesses which column holds the text and which the labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bertdesk.core.encoding import looks_numeric

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
    return _suggest({
        str(name): ["" if v is None or v != v else str(v) for a, b in runs for v in frame.iloc[a:b, j].tolist()]
        for j, name in enumerate(frame.columns)
    })


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


_TEXT_HINTS = ("text", "review", "comment", "sentence", "content", "body", "message", "description",
               "tweet", "feedback", "utterance", "document", "abstract", "summary")
_LABEL_HINTS = ("label", "labels", "class", "category", "categories", "sentiment", "target", "tag",
                "tags", "topic", "intent", "y", "gold", "annotation")


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

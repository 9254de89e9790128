"""Each label's colour, the same everywhere it is drawn: label buttons, charts, the map, tables, the matrix.

A label keeps the colour the user gave it in the label-set editor; one without gets a colour
from :data:`PALETTE` chosen by the label's stored key, which never changes when labels are
added, renamed, reordered or deleted, so a label keeps its colour for the life of the project.

The palette is Okabe & Ito's (2008) colour-blind-safe set, ordered so the first labels get the
most distinct colours. It has no pure red: red is what the tables use for "the model disagrees".
"""

from __future__ import annotations

from collections.abc import Iterable

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F", "#999999")
UNLABELLED_COLOR = "#c8c8c8"


def palette_color(index: int) -> str:
    """The palette's colour for a label with stored key (or position) ``index``; cycles past the end."""
    return PALETTE[index % len(PALETTE)]


def display_colors(labels: Iterable[tuple[int, str, str | None]]) -> dict[str, str]:
    """name -> colour for ``(key, name, stored colour or None)`` of each label."""
    return {name: color or palette_color(key - 1) for key, name, color in labels}

"""How a cell's text is shown: one line in the table, the whole text as a plain tooltip."""

from __future__ import annotations

import html

MAX_DISPLAY_CHARS = 300
MAX_TOOLTIP_CHARS = 4000


def display_text(text: str) -> str:
    """One visual line: newlines become a return symbol, long text is cut (the view elides)."""
    if len(text) > MAX_DISPLAY_CHARS:
        text = text[:MAX_DISPLAY_CHARS] + "…"
    if "\n" in text or "\r" in text:
        text = text.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ").replace("\r", " ⏎ ")
    return text


def tooltip_text(text: str) -> str:
    """A tooltip that is always shown as plain text.

    Qt renders a tooltip as rich text when it merely *looks* like HTML, so the text is
    escaped and wrapped in an explicit rich-text block that preserves whitespace.
    """
    if len(text) > MAX_TOOLTIP_CHARS:
        text = text[:MAX_TOOLTIP_CHARS] + "…"
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


def short_label(name: str, width: int = 12) -> str:
    """A label name cut to ``width`` characters (an ellipsis last), to fit under a bar or a matrix column."""
    return name if len(name) <= width else name[: width - 1] + "…"

"""Saliency: the text itself, each word shaded by how much it moved the prediction.

The original text is inserted run by run through a ``QTextCursor`` with a background per word
(no HTML is ever parsed, so the text stays plain), and Qt's text layout handles CJK and
right-to-left scripts as in any editor.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit, QWidget

from bertdesk.gui.widgets.chinese_font import with_chinese_fallback

SHADE = (214, 39, 40)  # red: "this word mattered"


def word_spans(offsets: Sequence[tuple[int, int]], groups: Sequence[Sequence[int]]) -> list[tuple[int, int] | None]:
    """Character span of each word group in the text; ``None`` for special tokens."""
    spans: list[tuple[int, int] | None] = []
    for group in groups:
        starts = [offsets[i][0] for i in group if offsets[i][1] > offsets[i][0]]
        ends = [offsets[i][1] for i in group if offsets[i][1] > offsets[i][0]]
        spans.append((min(starts), max(ends)) if starts else None)
    return spans


class SaliencyView(QTextEdit):
    """Read-only text with per-word shading; ``shades`` keeps what was drawn, for tests."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        font = with_chinese_fallback(self.font())
        font.setPointSize(font.pointSize() + 3)
        self.setFont(font)
        self.shades: list[tuple[int, int, float]] = []  # (start, end, strength 0..1)

    def show_message(self, message: str) -> None:
        self.shades = []
        self.setPlainText(message)

    def show_saliency(self, text: str, spans: Sequence[tuple[int, int] | None], scores: np.ndarray) -> None:
        """``text`` with the words at ``spans`` shaded by ``scores`` (scaled to the largest)."""
        self.clear()
        self.shades = []
        cursor = QTextCursor(self.document())
        plain = QTextCharFormat()
        position = 0
        words = sorted((span, float(score)) for span, score in zip(spans, scores) if span is not None)
        # Scaled to the strongest word shown: [CLS] and [SEP] often score high but are not text.
        top = max((score for _, score in words), default=0.0)
        for (start, end), score in words:
            if start < position:
                continue  # overlapping spans cannot happen with one tokenizer pass; be safe anyway
            if start > position:
                cursor.insertText(text[position:start], plain)
            strength = score / top if top > 0 else 0.0
            shaded = QTextCharFormat()
            shaded.setBackground(QColor(*SHADE, int(round(20 + 200 * strength))))
            shaded.setToolTip(self.tr("{percent:.0f} % of the strongest word").format(percent=strength * 100))
            cursor.insertText(text[start:end], shaded)
            self.shades.append((start, end, strength))
            position = end
        if position < len(text):
            cursor.insertText(text[position:], plain)
        self.moveCursor(QTextCursor.MoveOperation.Start)

"""The token view (after BertViz's head view): tokens in two columns joined by lines.

Left column: the attending tokens (queries); right column: the attended tokens (keys). A
line's width and opacity follow the weight. Hovering a token on the left shows only where it
looks; hovering one on the right shows only what looks at it. Tokens are drawn with
``QPainter.drawText`` (plain text; Qt's text engine handles CJK and right-to-left scripts).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from bertdesk.gui.widgets.attention_heatmap import display_token
from bertdesk.gui.widgets.chinese_font import with_chinese_fallback

ROW = 18
MARGIN = 8
LINK_GAP = 220  # horizontal room for the lines
# Without a hover, each query shows its strongest links only: 512 x 512 lines are unreadable
# and slow to paint.
TOP_LINKS = 6
MIN_WEIGHT = 0.01


class AttentionTokenView(QWidget):
    """Two columns of tokens; lines show one attention matrix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFont(with_chinese_fallback(self.font()))  # tokens of a Chinese model in Chinese forms
        self.matrix = np.zeros((0, 0), np.float32)
        self.row_tokens: list[str] = []
        self.col_tokens: list[str] = []
        self.colour = QColor("#1f77b4")
        self._hover: tuple[str, int] | None = None  # ("q" | "k", index)
        self._links: list[tuple[int, int, float]] = []
        self._scale = 1.0
        self._text_width = 80

    def set_matrix(self, matrix: np.ndarray, row_tokens: Sequence[str], col_tokens: Sequence[str], scale_max: float | None = None) -> None:
        """Show ``matrix`` (queries x keys); line strength is weight / ``scale_max`` (default: the max)."""
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self.row_tokens, self.col_tokens = list(row_tokens), list(col_tokens)
        self._scale = float(scale_max or (self.matrix.max() if self.matrix.size else 1.0)) or 1.0
        self._hover = None
        links: list[tuple[int, int, float]] = []
        if self.matrix.size:
            k = min(TOP_LINKS, self.matrix.shape[1])
            top = np.argpartition(-self.matrix, k - 1, axis=1)[:, :k]
            for q in range(self.matrix.shape[0]):
                for key in top[q]:
                    weight = float(self.matrix[q, key])
                    if weight >= MIN_WEIGHT:
                        links.append((q, int(key), weight))
        links.sort(key=lambda link: link[2])  # strongest drawn last, on top
        self._links = links
        metrics = QFontMetrics(self.font())
        longest = max((metrics.horizontalAdvance(t) for t in self.row_tokens + self.col_tokens), default=40)
        self._text_width = min(240, longest + 8)
        self.setFixedHeight(2 * MARGIN + ROW * max(len(self.row_tokens), len(self.col_tokens), 1))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(2 * self._text_width + LINK_GAP + 2 * MARGIN, self.height())

    def _columns(self) -> tuple[float, float]:
        """x of the left column's right edge and of the right column's left edge."""
        centre = self.width() / 2
        return centre - LINK_GAP / 2, centre + LINK_GAP / 2

    def _token_at(self, x: float, y: float) -> tuple[str, int] | None:
        index = int((y - MARGIN) // ROW)
        left, right = self._columns()
        if left - self._text_width <= x <= left and 0 <= index < len(self.row_tokens):
            return "q", index
        if right <= x <= right + self._text_width and 0 <= index < len(self.col_tokens):
            return "k", index
        return None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if not self.matrix.size:
            painter.setPen(QColor("#777"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("Explain a text to see its tokens."))
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, right = self._columns()
        if self._hover is None:
            links = self._links
        elif self._hover[0] == "q":
            q = self._hover[1]
            links = [(q, k, float(w)) for k, w in enumerate(self.matrix[q]) if w >= MIN_WEIGHT / 2]
        else:
            k = self._hover[1]
            links = [(q, k, float(w)) for q, w in enumerate(self.matrix[:, k]) if w >= MIN_WEIGHT / 2]
        exposed = event.rect()
        for q, k, weight in links:
            y1, y2 = MARGIN + (q + 0.5) * ROW, MARGIN + (k + 0.5) * ROW
            if max(y1, y2) < exposed.top() or min(y1, y2) > exposed.bottom():
                continue
            strength = min(1.0, weight / self._scale)
            colour = QColor(self.colour)
            colour.setAlphaF(0.1 + 0.85 * strength)
            painter.setPen(QPen(colour, 0.5 + 4.5 * strength))
            painter.drawLine(QPointF(left + 4, y1), QPointF(right - 4, y2))
        highlighted = self._highlighted()
        for column, tokens, x, align in (
            ("q", self.row_tokens, left - self._text_width, Qt.AlignmentFlag.AlignRight),
            ("k", self.col_tokens, right, Qt.AlignmentFlag.AlignLeft),
        ):
            for i, token in enumerate(tokens):
                rect = QRectF(x, MARGIN + i * ROW, self._text_width - 6, ROW)
                if not exposed.intersects(rect.toAlignedRect()):
                    continue
                if (column, i) in highlighted:
                    painter.fillRect(rect, QColor(31, 119, 180, 60))
                painter.setPen(QColor("#111"))
                painter.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine, display_token(token))
        painter.end()

    def _highlighted(self) -> set[tuple[str, int]]:
        if self._hover is None:
            return set()
        side, index = self._hover
        if side == "q":
            return {("q", index)} | {("k", k) for k, w in enumerate(self.matrix[index]) if w >= MIN_WEIGHT * 5}
        return {("k", index)} | {("q", q) for q, w in enumerate(self.matrix[:, index]) if w >= MIN_WEIGHT * 5}

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        hover = self._token_at(event.position().x(), event.position().y())
        if hover != self._hover:
            self._hover = hover
            self.update()

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._hover is not None:
            self._hover = None
            self.update()

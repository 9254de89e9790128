"""The Predict panel's "Words" view: what each predicted label is about.

For each predicted label, its most characteristic words and two-word phrases (computed in core
by ``bertdesk.core.review.label_words.label_words``; the panel runs it as a job), each a
link-styled button showing how many of the label's rows contain it: clicking one (or Tab to it and press Space or Enter) emits
``term_clicked(label, term)``, and the panel filters its table to those rows.

It only draws what it is given; the panel decides what and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QLayoutItem, QPushButton, QScrollArea, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from bertdesk.core.review.label_words import LabelWords

# Notes for show_note, translated where shown (context "LabelWordsView").
PREDICT_FIRST = QT_TRANSLATE_NOOP(
    "LabelWordsView", "Predict first: each predicted label's most characteristic words and phrases will be listed here."
)
WORKING = QT_TRANSLATE_NOOP("LabelWordsView", "Finding the words that set each label apart…")
MIN_CONTRAST = 4.5  # WCAG AA for normal text: a label's own colour is darkened until its name reads this well


def _plain(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # label names and words are data, never markup
    label.setWordWrap(wrap)
    return label


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1: the same, 21: black on white)."""

    def luminance(color: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_color(color: str, background: QColor) -> QColor:
    """``color`` itself when text in it reads well on ``background``, else the same hue darker (or lighter on a dark background)."""
    result = QColor(color)
    if not result.isValid():
        return QColor(background.lightness() > 127 and "#000000" or "#ffffff")
    dark_background = background.lightness() <= 127
    for _ in range(20):
        if contrast_ratio(result, background) >= MIN_CONTRAST:
            break
        result = result.lighter(115) if dark_background else result.darker(115)
    return result


class FlowLayout(QLayout):
    """Lays its widgets out left to right, wrapping onto the next line (after Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 2) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in ``rect`` (only measure unless ``move``); return the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        gap = self.spacing()
        for item in self._items:
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:  # wrap, unless first on its line
                x, y, line = area.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class TermButton(QPushButton):
    """A word shown as a link: a click, Space or Enter activates it."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The palette's link colour, underlined; a focus frame so the keyboard's place shows.
        self.setStyleSheet(
            "QPushButton { color: palette(link); text-decoration: underline; border: 1px solid transparent;"
            " padding: 1px 3px; background: transparent; text-align: left; }"
            " QPushButton:hover { background: palette(alternate-base); }"
            " QPushButton:focus { border: 1px dotted palette(text); }"
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        super().keyPressEvent(event)


class LabelWordsView(QWidget):
    """Per predicted label: its name (in its colour) and its characteristic terms as links.

    Signals:
        term_clicked(str, str): the label and the term the user chose.
    """

    term_clicked = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = _plain(QCoreApplication.translate("LabelWordsView", PREDICT_FIRST))
        self.note.setStyleSheet("color: #555;")
        self.explain = _plain(
            self.tr(
                "The words and two-word phrases that most set the rows predicted as each label apart from the rest"
                " (log-odds with an informative prior). Click one to list those rows."
            )
        )
        self.explain.setStyleSheet("color: #555;")
        self.content = QWidget()
        self._sections = QVBoxLayout(self.content)
        self._sections.setContentsMargins(0, 0, 4, 0)
        self._sections.setSpacing(6)
        self._sections.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.content)
        # Tab from the tab bar goes straight to the first word (the scroll area took the focus first).
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.explain)
        layout.addWidget(self.note)
        layout.addWidget(self.scroll, 1)
        # (label, term) -> its button, in the order shown
        self.buttons: dict[tuple[str, str], TermButton] = {}
        self.headers: dict[str, QLabel] = {}
        self.show_note(QCoreApplication.translate("LabelWordsView", PREDICT_FIRST))

    def _clear(self) -> None:
        while self._sections.count() > 1:  # all but the final stretch
            item = self._sections.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self.buttons = {}
        self.headers = {}

    def show_note(self, text: str) -> None:
        """Only ``text`` (nothing to list: predict first, working, too few rows, a failure)."""
        self._clear()
        self.note.setText(text)
        self.note.setVisible(bool(text))
        self.explain.setVisible(False)

    def show_terms(self, words: Mapping[str, LabelWords], colors: Mapping[str, str], order: Sequence[str] = (), note: str = "") -> None:
        """One section per label of ``words`` (in ``order`` first, then by name), with ``note`` above them."""
        self._clear()
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.explain.setVisible(True)
        names = [n for n in order if n in words] + sorted(n for n in words if n not in order)
        background = self.palette().color(QPalette.ColorRole.Window)
        for name in names:
            self._sections.insertWidget(self._sections.count() - 1, self._section(words[name], colors, background))

    def _section(self, words: LabelWords, colors: Mapping[str, str], background: QColor) -> QWidget:
        name, count = words.label, words.rows
        section = QWidget()
        box = QVBoxLayout(section)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        head = QHBoxLayout()
        head.setSpacing(6)
        color = colors.get(name, "#999999")
        swatch = QLabel()
        swatch.setFixedSize(12, 12)
        swatch.setStyleSheet(f"background: {QColor(color).name()}; border: 1px solid #666;")
        header = _plain(self.tr("{label}  ·  {count:,} rows predicted").format(label=name, count=count))
        header.setStyleSheet(f"color: {readable_color(color, background).name()}; font-weight: bold;")
        self.headers[name] = header
        head.addWidget(swatch, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(header, 1)
        box.addLayout(head)
        if not words.terms:
            empty = _plain(self.tr("No word stands out: too few of its rows share one."))
            empty.setStyleSheet("color: #777;")
            box.addWidget(empty)
            return section
        flow_widget = QWidget()
        flow = FlowLayout(flow_widget)
        for found in words.terms:
            term = found.term
            button = TermButton(f"{term.text} ({found.containing:,})")
            inside = found.containing - term.rows
            button.setToolTip(
                self.tr("{containing:,} of the {count:,} rows predicted “{label}” contain “{term}”").format(
                    containing=found.containing, count=count, label=name, term=term.text
                )
                + (self.tr(" ({inside:,} inside longer words)").format(inside=inside) if inside > 0 else "")
                + self.tr("; log-odds z = {score:.1f} against the other labels. Click to list them.").format(score=term.score)
            )
            button.setAccessibleName(f"{term.text}, {name}")
            button.clicked.connect(lambda _checked=False, label=name, text=term.text: self.term_clicked.emit(label, text))
            flow.addWidget(button)
            self.buttons[(name, term.text)] = button
        box.addWidget(flow_widget)
        return section

"""The Train panel's line about label noise: suggest a label review, loudly when many labels look wrong.

A model learns the mistakes in its labels, so before (re)training the panel says what the
latest label review found, and offers the review: quietly when there is none yet or little
noise, as a warning when the estimated share of wrong labels is at least :data:`NOISY`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from bertdesk.core.project.label_review_record import LabelReview
from bertdesk.gui.widgets.notices import WARNING_STYLE
from bertdesk.gui.widgets.review_bar import noise_summary

__all__ = ["NOISY", "LabelCheckNotice"]

# At this estimated share of wrong labels, reviewing them is worth more than another run:
# Northcutt et al. (2021) report test-accuracy gains from cleaning at noise rates of 10% and up,
# and around 5% the review still finds dozens of rows in a few hundred.
NOISY = 0.05


class LabelCheckNotice(QWidget):
    """One line and one button: "Check labels" / "Review suspicious labels".

    Signals:
        review_requested: the user wants to check or review the labels (the window opens the
            Label panel's suspicious-labels view, running a fast review when there is none).
    """

    review_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.button = QPushButton()
        self.button.clicked.connect(self.review_requested.emit)
        # The line above its button: beside it, a warning wrapped into a narrow column in the settings pane.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addLayout(row)
        self.show_review(None, open_count=0)

    @property
    def warns(self) -> bool:
        """True while the line is a warning (many labels look wrong)."""
        return bool(self.text.styleSheet())

    def show_review(self, review: LabelReview | None, *, open_count: int) -> None:
        """Say what ``review`` found (None: offer one); ``open_count``: suspects not yet looked at."""
        if review is None:
            self.text.setStyleSheet("")
            self.text.setText(self.tr("Some labels may be wrong, and a model learns their mistakes."))
            self.button.setText(self.tr("Check labels"))
            return
        noisy = review.estimated_noise >= NOISY and open_count > 0
        self.text.setStyleSheet(WARNING_STYLE if noisy else "")
        summary = noise_summary(review)
        if noisy:
            self.text.setText(
                self.tr(
                    "Label review: {summary}. Review the {count:,} suspicious rows before training: a model learns their mistakes."
                ).format(summary=summary, count=open_count)
            )
        else:
            self.text.setText(self.tr("Label review: {summary}; {count:,} suspicious rows left.").format(summary=summary, count=open_count))
        self.button.setText(self.tr("Review suspicious labels"))

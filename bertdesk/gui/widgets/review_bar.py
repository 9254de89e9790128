"""The Label panel's bar for the label review: start one, watch it run, see what it found.

Three states, one widget: no review yet (what it does and two buttons), running (a progress bar
and Cancel), and done ("40 suspicious · 5 reviewed · about 12% of the labels look wrong"). The
panel owns the job (bertdesk/gui/jobs.py); this widget only shows and asks.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from bertdesk.core.progress import Progress
from bertdesk.core.project.label_review_record import LabelReview

__all__ = ["ReviewBar", "noise_summary"]


def noise_summary(review: LabelReview) -> str:
    """'about 12% of the 600 labels look wrong, most in "bug" (20%)'."""
    worst = max(review.noise_by_label.items(), key=lambda item: item[1], default=None)
    text = f"about {review.estimated_noise:.0%} of the {review.labelled_rows:,} labels look wrong"
    if worst is not None and worst[1] > 0:
        text += f', most in "{worst[0]}" ({worst[1]:.0%})'
    return text


class ReviewBar(QWidget):
    """Start a label review, follow it, and read its counts.

    Signals:
        review_requested(str): the user asked for a review in this mode ("fast" or "thorough").
        cancel_requested: the user asked to stop the running review.
    """

    review_requested = Signal(str)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewBar")
        self.setStyleSheet("#reviewBar { background: #f3eefc; border-radius: 4px; }")
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.fast_button = QPushButton("Find suspicious labels")
        self.fast_button.setToolTip(
            "Fast: embeds every labelled text with the model and checks each label against a classifier "
            "trained on the other labels (5 folds). Seconds to a minute."
        )
        self.thorough_button = QPushButton("Thorough")
        self.thorough_button.setToolTip("Fine-tunes the model 5 times, each without one fifth of the labels: better, much slower.")
        self.cancel_button = QPushButton("Cancel")
        self.fast_button.clicked.connect(lambda: self.review_requested.emit("fast"))
        self.thorough_button.clicked.connect(lambda: self.review_requested.emit("thorough"))
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        for widget in (self.progress, self.fast_button, self.thorough_button, self.cancel_button):
            if isinstance(widget, QPushButton):
                widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys keep labelling
            layout.addWidget(widget)
        self.show_review(None, open_count=0, reviewed=0)

    def show_review(self, review: LabelReview | None, *, open_count: int, reviewed: int) -> None:
        """Show what the latest review found (None: that there is none yet)."""
        self._running(False)
        if review is None:
            self.text.setText("Which labels look wrong? The review checks every label against what the other labels teach the model.")
            self.fast_button.setText("Find suspicious labels")
            return
        self.fast_button.setText("Check again")
        done = "all looked at" if open_count == 0 else f"{open_count:,} suspicious"
        self.text.setText(f"{done} · {reviewed:,} reviewed · {noise_summary(review)} ({review.mode} check)")

    def show_started(self, mode: str) -> None:
        """A review in ``mode`` is running."""
        self._running(True)
        self.progress.setRange(0, 0)
        self.text.setText(f"Checking the labels ({mode})…  Esc cancels")

    def show_progress(self, progress: Progress) -> None:
        """Move the bar (``progress.total`` 0: busy, no known end)."""
        if progress.total > 0:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(min(progress.done, progress.total))
        if progress.message:
            self.text.setText(f"{progress.message}  Esc cancels")

    def _running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.fast_button.setVisible(not running)
        self.thorough_button.setVisible(not running)

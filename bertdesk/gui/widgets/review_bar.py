"""The Label panel's bar for the label review: start one, watch it run, see what it found.

Three states, one widget: no review yet (what it does and two buttons), running (a progress bar
and Cancel), and done ("40 suspicious · 5 reviewed · about 12% of the labels look wrong"). The
panel owns the job (bertdesk/gui/jobs.py); this widget only shows and asks.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from bertdesk.core.progress import Progress
from bertdesk.core.project.label_review_record import LabelReview

__all__ = ["ReviewBar", "noise_summary"]

# A review's mode ("fast", "thorough": data) as the bar names it; translated where shown.
MODE_NAMES = {"fast": QT_TRANSLATE_NOOP("ReviewBar", "fast"), "thorough": QT_TRANSLATE_NOOP("ReviewBar", "thorough")}


def _mode_name(mode: str) -> str:
    return QCoreApplication.translate("ReviewBar", MODE_NAMES[mode]) if mode in MODE_NAMES else mode


def noise_summary(review: LabelReview) -> str:
    """'about 12% of the 600 labels look wrong, most in "bug" (20%)'."""
    worst = max(review.noise_by_label.items(), key=lambda item: item[1], default=None)
    if worst is not None and worst[1] > 0:
        return QCoreApplication.translate(
            "ReviewBar", 'about {share:.0%} of the {labels:,} labels look wrong, most in "{label}" ({label_share:.0%})'
        ).format(share=review.estimated_noise, labels=review.labelled_rows, label=worst[0], label_share=worst[1])
    return QCoreApplication.translate("ReviewBar", "about {share:.0%} of the {labels:,} labels look wrong").format(
        share=review.estimated_noise, labels=review.labelled_rows
    )


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
        self.fast_button = QPushButton(self.tr("Find suspicious labels"))
        self.fast_button.setToolTip(
            self.tr(
                "Fast: embeds every labelled text with the model and checks each label against a classifier "
                "trained on the other labels (5 folds). Seconds to a minute."
            )
        )
        self.thorough_button = QPushButton(self.tr("Thorough"))
        self.thorough_button.setToolTip(self.tr("Fine-tunes the model 5 times, each without one fifth of the labels: better, much slower."))
        self.cancel_button = QPushButton(self.tr("Cancel"))
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
            self.text.setText(
                self.tr("Which labels look wrong? The review checks every label against what the other labels teach the model.")
            )
            self.fast_button.setText(self.tr("Find suspicious labels"))
            return
        self.fast_button.setText(self.tr("Check again"))
        done = self.tr("all looked at") if open_count == 0 else self.tr("{count:,} suspicious").format(count=open_count)
        self.text.setText(
            self.tr("{done} · {reviewed:,} reviewed · {summary}").format(done=done, reviewed=reviewed, summary=noise_summary(review))
        )
        self.text.setToolTip(
            self.tr("From a {mode} check of {labels:,} labels, {when}. Rows relabelled or kept since are done.").format(
                mode=_mode_name(review.mode),
                labels=review.labelled_rows,
                when=time.strftime("%Y-%m-%d %H:%M", time.localtime(review.created_at)),
            )
        )

    def show_started(self, mode: str) -> None:
        """A review in ``mode`` is running."""
        self._running(True)
        self.progress.setRange(0, 0)
        self.text.setText(self.tr("Checking the labels ({mode})…  Esc cancels").format(mode=_mode_name(mode)))

    def show_progress(self, progress: Progress) -> None:
        """Move the bar (``progress.total`` 0: busy, no known end)."""
        if progress.total > 0:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(min(progress.done, progress.total))
        if progress.message:  # the review's own report (core, English: shared with the CLI)
            self.text.setText(self.tr("{message}  Esc cancels").format(message=progress.message))

    def _running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.fast_button.setVisible(not running)
        self.thorough_button.setVisible(not running)

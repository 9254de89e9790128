"""Keeps the Predict panel's Words view in step with the predictions it shows.

The words of 100k rows take seconds (``bertdesk.core.review.label_words``), so they are found as
a background job in the panel's runner (slot "words", newest request wins), once per set of
predictions, and only when asked while the Words tab is open; a relabel, which leaves the
predictions as they are, finds nothing again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject

from bertdesk.core.project import prediction_analysis as views
from bertdesk.gui.dialogs.errors import error_message
from bertdesk.gui.jobs import JobKind, JobRunner
from bertdesk.gui.widgets.predict_words import PREDICT_FIRST, WORKING, LabelWordsView

if TYPE_CHECKING:
    from bertdesk.core.review.label_words import LabelWords

WORDS_PER_LABEL = 12  # terms listed per predicted label
WORD_MIN_ROWS = 3  # a term is listed when at least this many of the label's rows hold it
SLOT = "words"


class LabelWordsFinder(QObject):
    """Finds the words of a prediction frame (as a job) and shows them, or what to do instead, in ``view``.

    Args:
        view: where they are shown.
        jobs: the panel's job runner (the job runs in its slot "words").
        order: the labels of a frame in the order the panel lists them.
        palette: each label's display colour, for label names.
    """

    def __init__(
        self,
        view: LabelWordsView,
        jobs: JobRunner,
        *,
        order: Callable[[Any], list[str]],
        palette: Callable[[Sequence[str]], dict[str, str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view, self.jobs = view, jobs
        self._order, self._palette = order, palette
        self._frame: Any = None  # the frame whose words are shown (or being found)
        self._words: dict[str, LabelWords] | None = None

    def forget(self) -> None:
        """Drop what was found (another project): the next :meth:`show` finds the words again."""
        self.jobs.forget(SLOT)
        self._frame, self._words = None, None

    def show(self, frame: Any, *, wanted: bool, loading: bool = False) -> None:
        """Show ``frame``'s words; found now (as a job) if ``wanted`` and not found for this frame yet.

        ``frame`` None or empty: the view says to predict first (or that predictions are ``loading``).
        """
        if frame is None or len(frame) == 0:
            self.forget()
            self.view.show_note(
                self.tr("Loading the predictions…") if loading else QCoreApplication.translate("LabelWordsView", PREDICT_FIRST)
            )
            return
        if frame is self._frame or not wanted:
            return  # found already (or being found); or found when the tab is opened
        self._frame, self._words = frame, None
        predicted = frame[views.PREDICTED]
        if predicted.nunique() < 2:
            self.jobs.forget(SLOT)
            self.view.show_note(
                self.tr(
                    "Every row shown is predicted “{label}”: a label's words are those that set its rows apart"
                    " from other labels' rows. Predict more rows first."
                ).format(label=predicted.iloc[0])
            )
            return
        # Plain lists for the worker: the frame stays the UI thread's (a relabel edits it).
        texts, labels = frame[views.TEXT].tolist(), predicted.tolist()

        def work(*, on_progress: Any, cancel: Any) -> Any:
            from bertdesk.core.review.label_words import label_words

            return label_words(texts, labels, top=WORDS_PER_LABEL, min_rows=WORD_MIN_ROWS)

        def done(words: dict[str, LabelWords]) -> None:
            if frame is self._frame:
                self._words = words
                self.redraw()

        def failed(err: BaseException) -> None:
            if frame is self._frame:
                self._frame = None  # opening the tab again tries again
                self.view.show_note(self.tr("The words could not be found: {error}").format(error=error_message(err)[0]))

        self.view.show_note(QCoreApplication.translate("LabelWordsView", WORKING))
        # Not cancellable: the count does not stop half-way, so Esc is left to the panel's own work.
        self.jobs.start(
            SLOT,
            work,
            title=self.tr("Finding each label's words"),
            kind=JobKind.BACKGROUND,
            cancellable=False,
            on_done=done,
            on_failed=failed,
        )

    def redraw(self) -> None:
        """Draw the words found again (a label's colour changed); nothing when none are found."""
        words, frame = self._words, self._frame
        if words is None or frame is None:
            return
        if not any(w.terms for w in words.values()):
            self.view.show_note(
                self.tr(
                    "Too few rows per label: a word is listed when at least {min_rows} rows predicted as a label contain it,"
                    " and more often than other labels' rows do. Predict more rows."
                ).format(min_rows=WORD_MIN_ROWS)
            )
            return
        order = self._order(frame)
        self.view.show_terms(words, self._palette(order + [n for n in words if n not in order]), order)

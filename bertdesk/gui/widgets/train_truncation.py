"""How many labelled texts the chosen max length will cut: counted in the background.

When most texts are cut the line becomes a warning that cannot be missed, with a button that
sets the max length which keeps most of them whole (one click, then Start).

The same count, with the same tokenizer, measures how much of the text the model cannot read
([UNK] tokens, :mod:`bertdesk.core.ml.vocabulary_coverage`): above the threshold a second line
warns that the text is probably in a language the model's vocabulary does not cover.

Counting needs the model's tokenizer (and so transformers), so it runs as a background job
(bertdesk/gui/jobs.py), debounced while the user edits the settings; a newer request cancels
an older count and drops its answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from bertdesk.gui.jobs import JobKind, JobRunner
from bertdesk.gui.widgets.notices import STRONG_WARNING_STYLE
from bertdesk.gui.widgets.unreadable_text import train_warning

if TYPE_CHECKING:
    from bertdesk.core.ml.truncation import Truncation
    from bertdesk.core.ml.vocabulary_coverage import Coverage
    from bertdesk.core.project import Project

DEBOUNCE_MS = 400


QUIET_STYLE = "QLabel { color: #555; }"
LOUD_STYLE = STRONG_WARNING_STYLE


def _count(model: str, project: Project, max_length: int, *, on_progress: Any, cancel: Any) -> tuple[Truncation, Coverage, str]:
    from bertdesk.core.ml.models import load_tokenizer, resolve_model_source
    from bertdesk.core.ml.training_data import data_from_project
    from bertdesk.core.ml.truncation import check_truncation
    from bertdesk.core.ml.vocabulary_coverage import measure

    texts = data_from_project(project).texts  # reads every labelled text: off the GUI thread
    tokenizer = load_tokenizer(resolve_model_source(model))
    cancel.raise_if_cancelled()
    truncation = check_truncation(tokenizer, texts, max_length)
    cancel.raise_if_cancelled()
    return truncation, measure(tokenizer, texts), project.text_column


def truncation_text(result: Truncation) -> str | None:
    """:meth:`Truncation.describe` as the GUI shows it: the same words in English, translatable
    (core's line is shared with the CLI and stays English)."""
    if not result.truncated:
        return None
    share = 100.0 * result.truncated / max(result.total, 1)
    if result.suggested:
        fix = QCoreApplication.translate("TruncationLabel", "use {n} tokens to keep most whole").format(n=result.suggested)
    else:
        fix = QCoreApplication.translate("TruncationLabel", "raise Max length to keep more")
    return QCoreApplication.translate(
        "TruncationLabel", "{cut} of {total} texts ({share:.0f}%) are longer than {n} tokens and will be cut; {fix}."
    ).format(cut=result.truncated, total=result.total, share=share, n=result.max_length, fix=fix)


class TruncationLabel(QWidget):
    """'12 of 360 texts (3%) are longer than 128 tokens and will be cut' (or that all fit); when
    most are cut, a warning with a "Use N tokens" button (:attr:`max_length_chosen`)."""

    max_length_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setStyleSheet(QUIET_STYLE)
        self.fix_button = QPushButton()
        self.fix_button.setToolTip(self.tr("Set Max length to keep most texts whole (training takes longer per row)"))
        self.fix_button.clicked.connect(self._on_fix_button_clicked)
        self.fix_button.hide()
        self._suggested: int | None = None
        # Text the model cannot read: a warning of its own, shown only above the threshold.
        self.unreadable = QLabel()
        self.unreadable.setTextFormat(Qt.TextFormat.PlainText)
        self.unreadable.setWordWrap(True)
        self.unreadable.setStyleSheet(LOUD_STYLE)
        self.unreadable.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.unreadable)
        self.jobs = JobRunner(self)
        self._pending: tuple[str, Project, int] | None = None
        self._max_length = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._start)

    def check(self, model: str, project: Project | None, max_length: int) -> None:
        """Count (after a short pause for more edits) how many labelled texts of ``project``
        exceed ``max_length``; ``None`` clears the line."""
        self._pending = (model, project, max_length) if project is not None else None
        if self._pending is None:
            self.setText("")
            self.show_unreadable(None)
            return
        self._timer.start()

    def _start(self) -> None:
        if self._pending is None:
            return
        model, project, max_length = self._pending
        self._pending = None
        self.setText(self.tr("Counting texts longer than {n} tokens…").format(n=max_length))
        self._max_length = max_length
        # Background: a hint, nobody's work. A count that fails only leaves the line empty.
        self.jobs.start(
            "truncation",
            lambda on_progress, cancel: _count(model, project, max_length, on_progress=on_progress, cancel=cancel),
            kind=JobKind.BACKGROUND,
            on_done=self._show,
            on_failed=self._on_failed,
            show_failure=False,
        )

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str, *, loud: bool = False, suggested: int | None = None) -> None:  # noqa: N802 - QLabel's name
        """Show ``text``; ``loud`` as a warning, with a button offering ``suggested`` tokens."""
        self.label.setText(text)
        self.label.setStyleSheet(LOUD_STYLE if loud else QUIET_STYLE)
        self._suggested = suggested
        self.fix_button.setText(self.tr("Use {n} tokens").format(n=suggested) if suggested else "")
        self.fix_button.setVisible(suggested is not None)

    def is_loud(self) -> bool:
        return self.label.styleSheet() == LOUD_STYLE

    def show_unreadable(self, message: str | None) -> None:
        """The warning that the model cannot read much of the text, or nothing (None)."""
        self.unreadable.setText(message or "")
        self.unreadable.setVisible(bool(message))

    def unreadable_text(self) -> str:
        return self.unreadable.text() if not self.unreadable.isHidden() else ""

    def _show(self, found: tuple[Truncation, Coverage, str]) -> None:
        result, coverage, column = found
        self.show_unreadable(train_warning(coverage, column))
        note = truncation_text(result)
        if note is None:
            self.setText(self.tr("All {total} labelled texts fit in {n} tokens.").format(total=result.total, n=result.max_length))
            return
        # A few long texts cut is normal; most of them cut is a weak model in the making.
        self.setText(note, loud=result.most_cut, suggested=result.suggested)

    def _on_fix_button_clicked(self) -> None:
        if self._suggested is not None:
            self.max_length_chosen.emit(self._suggested)

    def _on_failed(self, _err: BaseException) -> None:
        self.setText("")
        self.show_unreadable(None)

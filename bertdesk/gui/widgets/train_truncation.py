"""How many labelled texts the chosen max length will cut: counted in the background.

Counting needs the model's tokenizer (and so transformers), so it runs as a background job
(bertdesk/gui/jobs.py), debounced while the user edits the settings; a newer request cancels
an older count and drops its answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from bertdesk.gui.jobs import JobKind, JobRunner

if TYPE_CHECKING:
    from bertdesk.core.project import Project

DEBOUNCE_MS = 400


def _count(model: str, project: Project, max_length: int, *, on_progress: Any, cancel: Any) -> tuple[int, int]:
    from bertdesk.core.ml.models import load_tokenizer, resolve_model_source
    from bertdesk.core.ml.training import count_truncated
    from bertdesk.core.ml.training_data import data_from_project

    texts = data_from_project(project).texts  # reads every labelled text: off the GUI thread
    tokenizer = load_tokenizer(resolve_model_source(model))
    cancel.raise_if_cancelled()
    return count_truncated(tokenizer, texts, max_length), len(texts)


class TruncationLabel(QLabel):
    """'12 of 360 texts (3%) are longer than 128 tokens and will be cut' (or that all fit)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setStyleSheet("color: #555;")
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
            return
        self._timer.start()

    def _start(self) -> None:
        if self._pending is None:
            return
        model, project, max_length = self._pending
        self._pending = None
        self.setText(f"Counting texts longer than {max_length} tokens…")
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

    def _show(self, result: tuple[int, int]) -> None:
        from bertdesk.core.ml.training import describe_truncation

        truncated, total = result
        max_length = self._max_length
        self.setText(describe_truncation(truncated, total, max_length) or f"All {total} labelled texts fit in {max_length} tokens.")

    def _on_failed(self, _err: BaseException) -> None:
        self.setText("")

"""The GUI's one job runner: every callable that leaves the UI thread goes through here.

After Orange3's ``ConcurrentWidgetMixin`` and Picard's ``run_task``, but as a small object a
panel *owns* (``self.jobs = JobRunner(self, show_line=...)``) rather than a mixin: panels are
built and tested on their own, without a main window, and a mixin would tie every panel's
class hierarchy to the runner. The main window owns one runner for its own work (import, open,
save a copy, bulk labels) and listens to the panels' runners for failures.

What the runner owns, so panels don't:

* **slots**: one job per slot name ("predict", "search", ...). Starting a job in a busy slot
  cancels the previous one and drops its late results: the newest request wins.
* **kind**: :attr:`JobKind.USER_WORK` (closing the window asks first) or
  :attr:`JobKind.BACKGROUND` (warm-up, device list, counts: nobody's work, never asked about).
* **cancel**: ``cancel()`` asks the running cancellable jobs to stop (the window's Esc).
* **failures, one way**: the one-line :func:`error_message` goes to the panel's message area
  (``show_line``) and out through :attr:`JobRunner.failed`; the main window puts that line in
  the status bar with a "Details…" button that opens the error dialog. A runner with no message
  area (the window's own) opens the dialog straight away, as the line would have nowhere to stay.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from bertdesk.core.errors import BertdeskError
from bertdesk.gui.dialogs.errors import error_message
from bertdesk.gui.workers import Job

log = logging.getLogger(__name__)


class JobKind(enum.Enum):
    USER_WORK = "user work"  # closing the window asks to cancel it
    BACKGROUND = "background"  # nobody's work: closing cancels it without asking


class JobRunner(QObject):
    """Runs a panel's jobs: one per slot, newest request wins, one way to show failure."""

    progressed = Signal(str, object)  # slot, Progress (the current job's only)
    busy_changed = Signal(bool)  # any slot running / none
    failed = Signal(str, str, object)  # title, one-line message, the error

    def __init__(self, parent: QObject | None = None, *, show_line: Callable[[str], None] | None = None) -> None:
        super().__init__(parent)
        self._slots: dict[str, Job] = {}
        self._show_line = show_line

    # -- asking --------------------------------------------------------------------------------
    def start(
        self,
        slot: str,
        fn: Callable[..., Any],
        *,
        title: str = "",
        kind: JobKind = JobKind.USER_WORK,
        cancellable: bool = True,
        on_done: Callable[[Any], None] | None = None,
        on_progress: Callable[[Any], None] | None = None,
        on_failed: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        show_failure: bool = True,
    ) -> Job:
        """Run ``fn(on_progress=..., cancel=...)`` on a worker thread in ``slot``.

        A job already in ``slot`` is cancelled and forgotten: none of its hooks run any more.
        ``on_failed`` runs before the failure is shown (to record it); ``show_failure=False``
        leaves showing it to the caller. ``on_finished`` runs last, after any other hook, and
        only for the slot's current job.
        """
        old = self._slots.pop(slot, None)
        if old is not None:
            old.cancel()
        # No Qt parent: a Job keeps itself alive until its thread ends (workers._RUNNING), and a
        # parent deleted first would destroy a running QThread. The hooks hang on a binding that
        # IS this runner's child, so Qt drops them if the panel goes away while the job runs.
        job = Job(fn, name=slot)
        job.kind = kind
        job.cancellable = cancellable
        job.title = title or slot
        was_busy = self.busy()
        self._slots[slot] = job
        binding = _Binding(self, slot, job, on_done, on_progress, on_failed, on_cancelled, on_finished, show_failure)
        job.progressed.connect(binding.progressed)
        job.succeeded.connect(binding.succeeded)
        job.failed.connect(binding.failed)
        job.cancelled.connect(binding.cancelled)
        job.finished.connect(binding.finished)
        job.start()
        if not was_busy:
            self.busy_changed.emit(True)
        return job

    def _is_current(self, slot: str, job: Job) -> bool:
        return self._slots.get(slot) is job

    def _finished(self, slot: str, job: Job, on_finished: Callable[[], None] | None) -> None:
        if not self._is_current(slot, job):
            return
        del self._slots[slot]
        if on_finished is not None:
            on_finished()
        if not self.busy():
            self.busy_changed.emit(False)

    def job(self, slot: str) -> Job | None:
        """The slot's current job, or None."""
        return self._slots.get(slot)

    def busy(self, slot: str | None = None) -> bool:
        return bool(self._slots) if slot is None else slot in self._slots

    def cancel(self, slot: str | None = None) -> bool:
        """Ask the cancellable job in ``slot`` (None: in every slot) to stop; True if one was asked.

        The job stays in its slot until it answers, so its ``on_cancelled`` hook still runs.
        """
        jobs = list(self._slots.values()) if slot is None else [j for j in (self._slots.get(slot),) if j is not None]
        asked = [job for job in jobs if job.cancellable]
        for job in asked:
            job.cancel()
        return bool(asked)

    def forget(self, slot: str) -> None:
        """Cancel the slot's job and drop whatever it still reports (a superseded request)."""
        job = self._slots.pop(slot, None)
        if job is not None:
            job.cancel()
            if not self.busy():
                self.busy_changed.emit(False)

    # -- the one way to show a failure ----------------------------------------------------------
    def show_failure(self, title: str, err: BaseException) -> str:
        """Show ``err`` as its one line in the panel's message area and announce it; return the line."""
        message, detail = error_message(err)
        if not isinstance(err, BertdeskError):
            log.error("%s failed: %s", title, detail)
        if self._show_line is not None:
            self._show_line(message)
        self.failed.emit(title, message, err)
        return message


class _Binding(QObject):
    """One job's hooks; they run only while the job is its slot's current one (newest wins)."""

    def __init__(
        self,
        runner: JobRunner,
        slot: str,
        job: Job,
        on_done: Any,
        on_progress: Any,
        on_failed: Any,
        on_cancelled: Any,
        on_finished: Any,
        show: bool,
    ) -> None:
        super().__init__(runner)
        self._runner, self._slot, self._job = runner, slot, job
        self._on_done, self._on_progress, self._on_failed = on_done, on_progress, on_failed
        self._on_cancelled, self._on_finished, self._show = on_cancelled, on_finished, show

    def _current(self) -> bool:
        return self._runner._is_current(self._slot, self._job)

    @Slot(object)
    def progressed(self, progress: Any) -> None:
        if self._current():
            if self._on_progress is not None:
                self._on_progress(progress)
            self._runner.progressed.emit(self._slot, progress)

    @Slot(object)
    def succeeded(self, result: Any) -> None:
        if self._current() and self._on_done is not None:
            self._on_done(result)

    @Slot(object)
    def failed(self, err: BaseException) -> None:
        if not self._current():
            return
        if self._on_failed is not None:
            self._on_failed(err)
        if self._show:
            self._runner.show_failure(self._job.title, err)

    @Slot()
    def cancelled(self) -> None:
        if self._current() and self._on_cancelled is not None:
            self._on_cancelled()

    @Slot()
    def finished(self) -> None:
        self._runner._finished(self._slot, self._job, self._on_finished)
        self.deleteLater()


def blocking_jobs(jobs: list[Job]) -> list[Job]:
    """The jobs closing the window must ask about: user work still working that nobody has
    cancelled yet (a cancelled job is only winding down, and an answered one only waits for its
    thread to end: asking "cancel it?" about either makes no sense)."""
    return [job for job in jobs if job.kind is not JobKind.BACKGROUND and not job.token.is_set() and not job.answered()]

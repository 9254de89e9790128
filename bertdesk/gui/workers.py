"""Run a core job on a QThread and turn its callbacks into Qt signals.

The runner's internal worker: panels ask :class:`bertdesk.gui.jobs.JobRunner`, which alone
builds a Job. A core job is a plain callable that accepts ``on_progress`` and ``cancel``
keyword arguments (see ``bertdesk.core.progress``). ``start()`` runs it on a worker
thread; the :class:`Job` emits, on the GUI thread:

* ``progressed(Progress)`` -- throttled at the source (about 10 a second);
* ``succeeded(object)`` -- the job's return value;
* ``failed(BaseException)`` -- a ``BertdeskError`` (one-line message) or anything unexpected;
* ``cancelled()`` -- the job raised ``Cancelled`` after ``Job.cancel()``;
* ``finished()`` -- always, last.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from bertdesk.core.errors import Cancelled
from bertdesk.core.progress import CancelToken, Throttle

log = logging.getLogger(__name__)

# Jobs keep themselves alive until their thread has finished: a Job dropped by its caller
# must not be garbage-collected while its thread still runs (Qt would abort the process).
_RUNNING: set[Job] = set()


class _Worker(QObject):
    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    done = Signal()

    def __init__(self, fn: Callable[..., Any], cancel: CancelToken, interval: float, answered: threading.Event) -> None:
        super().__init__()
        self._fn = fn
        self._cancel = cancel
        self._throttle = Throttle(self.progressed.emit, interval)
        self._answered = answered

    @Slot()
    def run(self) -> None:
        # ``answered`` is set before the outcome is sent: by the time the GUI thread handles it
        # (a project shown, say), the job already counts as done, however late its thread ends.
        try:
            result = self._fn(on_progress=self._throttle, cancel=self._cancel)
        except Cancelled:
            self._answered.set()
            self.cancelled.emit()
        except BaseException as err:  # noqa: BLE001 - reported to the GUI, never lost
            if not isinstance(err, Exception):
                log.exception("job aborted")
            self._answered.set()
            self.failed.emit(err)
        else:
            self._answered.set()
            self.succeeded.emit(result)
        finally:
            self._answered.set()
            self.done.emit()


class Job(QObject):
    """Handle on a job running on its own QThread."""

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: Callable[..., Any], *, name: str = "job", interval: float = 0.1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        # Set by the runner (bertdesk/gui/jobs.py), which is the only place that builds a Job.
        self.kind: Any = None  # jobs.JobKind; None counts as user work
        self.cancellable = True
        self.title = name
        self.token = CancelToken()
        self._thread = QThread()
        self._thread.setObjectName(f"bertdesk-{name}")
        self._answered = threading.Event()
        self._worker = _Worker(fn, self.token, interval, self._answered)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        # Queued connections: the worker's signals are delivered on this object's (GUI) thread.
        self._worker.progressed.connect(self.progressed)
        self._worker.succeeded.connect(self.succeeded)
        self._worker.failed.connect(self.failed)
        self._worker.cancelled.connect(self.cancelled)
        # Direct: QThread.quit() is thread-safe, and a queued call would never run while the GUI
        # thread blocks in wait() at shutdown.
        self._worker.done.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self._on_thread_finished)

    def start(self) -> Job:
        _RUNNING.add(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop; it answers at its next check of the cancel token."""
        self.token.cancel()

    def answered(self) -> bool:
        """Its work is over and its outcome sent (it stays in running_jobs() until its thread
        has ended and the GUI thread has handled ``finished``)."""
        return self._answered.is_set()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread ends (for shutdown and tests only, never on a normal path)."""
        return self._thread.wait(msecs)

    @Slot()
    def _on_thread_finished(self) -> None:
        _RUNNING.discard(self)
        self.finished.emit()


def running_jobs() -> list[Job]:
    return list(_RUNNING)

"""Progress reports and cooperative cancellation, shared by every long core job."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bertdesk.core.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """One progress report.

    Attributes:
        done: units finished so far (rows, bytes, steps...).
        total: units in all, or 0 when unknown (the UI shows a busy bar).
        message: what is happening, for a status line.
        metrics: optional numbers (loss, accuracy...) for live plots.
    """

    done: int
    total: int
    message: str = ""
    metrics: dict[str, float] | None = None

    @property
    def fraction(self) -> float | None:
        return None if self.total <= 0 else min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """A progress callback that ignores every report."""


class CancelToken:
    """Set from any thread to ask a running job to stop; the job checks it between units."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class Throttle:
    """Forward at most one report per ``interval`` seconds (plus always the last one).

    Progress is throttled at the source so a fast loop cannot flood the GUI's event queue.
    Reports carrying ``metrics`` always pass: they are points on a live plot (a logged loss, a
    validation score), emitted a few hundred times per run at most, and a dropped one is a
    missing point.
    """

    def __init__(self, callback: ProgressCallback, interval: float = 0.1) -> None:
        self._callback = callback
        self._interval = interval
        self._last = 0.0

    def __call__(self, progress: Progress, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or progress.metrics or now - self._last >= self._interval or (progress.total and progress.done >= progress.total):
            self._last = now
            self._callback(progress)


def format_duration(seconds: float | None) -> str:
    """``42s``, ``3m 07s``, ``1h 05m``; empty for a missing or negative value."""
    if not isinstance(seconds, (int, float)) or seconds < 0:
        return ""
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, whole = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {whole:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"

"""A guard that turns a hang into a test failure, so a regression cannot stall CI.

``with no_hang(seconds):`` arms ``signal.alarm`` on the main thread; if the block is still running
when it fires, :class:`Hung` is raised inside it. Python's regular-expression engines check for
signals while they backtrack, so even a runaway match is interrupted. Where SIGALRM does not exist
(Windows) the block simply runs unguarded.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Hung(AssertionError):
    """The guarded block was still running when its time ran out."""


@contextmanager
def no_hang(seconds: int) -> Iterator[None]:
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(_signum: int, _frame: object) -> None:
        raise Hung(f"still running after {seconds} s: this would hang the app")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

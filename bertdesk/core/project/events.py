"""What changed in a project, announced to whoever listens (the GUI's panels, a script).

A :class:`~bertdesk.core.project.Project` owns one :class:`ChangeHub`; every edit that
commits announces one or more typed messages after the commit, whoever made it (the GUI
thread, a background job, undo/redo). Listeners re-read what they show instead of being told
by hand by whoever made the edit. After glue's ``glue/core/hub.py``, kept small: a listener
subscribes to one message type (or all of them) with a plain callback.

Threads: a callback runs on the thread that made the change, after the change is committed
and the project's lock released, so it may read the project. It must be quick and must not
wait for another thread; the GUI hands each message to its own thread with a queued signal
(bertdesk/gui/project_events.py). Callbacks are held weakly when they are bound methods, so
a listener that goes away needs no goodbye; a callback that raises is logged and skipped: the
edit is on disk already and the other listeners still hear of it.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

log = logging.getLogger(__name__)

Cause = Literal["edit", "undo", "redo"]


@dataclass(frozen=True)
class LabelsChanged:
    """The labels of ``rows`` (sorted row ids) changed: set, cleared or relabelled."""

    rows: Sequence[int]
    step: str  # the undo step, e.g. 'Label row 13 "positive"'
    cause: Cause = "edit"

    @property
    def first(self) -> int:
        return int(self.rows[0]) if len(self.rows) else 0

    @property
    def last(self) -> int:
        return int(self.rows[-1]) if len(self.rows) else 0


@dataclass(frozen=True)
class LabelSetChanged:
    """Labels were added, renamed, merged, deleted, reordered or recoloured (rows may show new names)."""

    step: str
    cause: Cause = "edit"


@dataclass(frozen=True)
class HistoryChanged:
    """The undo history moved: ask the project's ``can_undo``/``undo_text`` (and redo) for what
    Edit > Undo and Redo would do now (read when handled, so a late message never shows a stale step)."""


@dataclass(frozen=True)
class RunsChanged:
    """A training run was recorded, updated (status, scores, folder) or deleted."""

    run_id: int


@dataclass(frozen=True)
class ActiveRunChanged:
    """Another run (or none) is now the one whose model predicts and explains."""

    run_id: int | None


@dataclass(frozen=True)
class PredictionsChanged:
    """Run ``run_id``'s stored predictions were written or cleared."""

    run_id: int


@dataclass(frozen=True)
class LabelReviewChanged:
    """A new label review was stored (ask the project's ``label_review()`` for it)."""


Message = LabelsChanged | LabelSetChanged | HistoryChanged | RunsChanged | ActiveRunChanged | PredictionsChanged | LabelReviewChanged
M = TypeVar("M", bound=Message)


class ChangeHub:
    """Delivers each announced message to the callbacks subscribed to its type."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[type | None, Callable[[], Callable[[Any], None] | None]]] = []

    def subscribe(self, callback: Callable[[M], None], kind: type[M] | None = None) -> Callable[[], None]:
        """Call ``callback(message)`` for every message of type ``kind`` (None: every message).

        Returns:
            A function that ends the subscription.
        """
        ref: Callable[[], Callable[[Any], None] | None]
        if hasattr(callback, "__self__") and hasattr(callback, "__func__"):
            ref = weakref.WeakMethod(callback)
        else:
            ref = lambda: callback  # noqa: E731 - a plain function is held strongly
        entry = (kind, ref)
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)

        return unsubscribe

    def announce(self, *messages: Message) -> None:
        """Deliver ``messages`` in order (on the calling thread)."""
        with self._lock:
            subscribers = list(self._subscribers)
        dead = []
        for message in messages:
            for entry in subscribers:
                kind, ref = entry
                if kind is not None and not isinstance(message, kind):
                    continue
                callback = ref()
                if callback is None:
                    dead.append(entry)
                    continue
                try:
                    callback(message)
                except Exception:  # the edit is committed: one broken listener must not undo that
                    log.exception("A listener of %s failed", type(message).__name__)
        if dead:
            with self._lock:
                self._subscribers = [e for e in self._subscribers if e not in dead]

    def clear(self) -> None:
        """Forget every subscriber (the project closed)."""
        with self._lock:
            self._subscribers.clear()


class AnnouncingLock:
    """The project's re-entrant lock, which also holds back messages until it is let go.

    An edit queues its messages with :meth:`announce_on_release` while it holds the lock; they
    are delivered, in commit order, when the thread's outermost ``with`` block ends, so no
    listener ever runs while the project is locked (it may read the project; it can never
    deadlock against a worker waiting for the lock).
    """

    def __init__(self, hub: ChangeHub) -> None:
        self._hub = hub
        self._lock = threading.RLock()
        self._local = threading.local()

    def __enter__(self) -> AnnouncingLock:
        self._lock.acquire()
        self._local.depth = getattr(self._local, "depth", 0) + 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._local.depth -= 1
        pending: list[Message] = []
        if self._local.depth == 0:
            pending, self._local.pending = getattr(self._local, "pending", []), []
        self._lock.release()
        if pending:
            self._hub.announce(*pending)

    def announce_on_release(self, *messages: Message) -> None:
        """Deliver ``messages`` once this thread lets go of the lock (at once if it does not hold it)."""
        if getattr(self._local, "depth", 0) == 0:
            self._hub.announce(*messages)
            return
        if not hasattr(self._local, "pending"):
            self._local.pending = []
        self._local.pending.extend(messages)

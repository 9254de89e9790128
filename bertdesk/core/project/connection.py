"""The one SQLite connection of an open project: its lock, read and write transactions, closing.

Every store of a project (:mod:`~bertdesk.core.project.label_store`, :mod:`~bertdesk.core.project.runs`,
:mod:`~bertdesk.core.project.settings`, :mod:`~bertdesk.core.project.predictions`) shares one
:class:`ProjectConnection`, so one re-entrant lock serialises every thread's access and each edit is
one transaction, whichever store makes it. It also carries the project's :attr:`~ProjectConnection.events`:
a store announces each committed edit there (:meth:`ProjectConnection.announce`), and the messages
reach the listeners once the lock is let go (:mod:`bertdesk.core.project.events`).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from bertdesk.core.errors import ProjectError
from bertdesk.core.project.events import AnnouncingLock, ChangeHub, Message


class ProjectConnection:
    """One SQLite connection shared by all threads, serialised by a re-entrant lock.

    Args:
        path: the project file.
        conn: an open, validated connection (``check_same_thread=False``, autocommit mode).
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        # What changed, for whoever listens: every store announces its committed edits here.
        self.events = ChangeHub()
        # Re-entrant: a method holding the lock may call another public method. Messages
        # announced while it is held are delivered when the outermost holder lets go.
        self.lock = AnnouncingLock(self.events)
        self._on_close: list[Callable[[], None]] = []

    def announce(self, *messages: Message) -> None:
        """Tell the listeners of a committed change, once this thread lets go of the lock."""
        self.lock.announce_on_release(*messages)

    def on_close(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` when the file closes (a store dropping what it keeps in memory)."""
        self._on_close.append(forget)

    def close(self) -> None:
        """Close the file (SQLite folds the WAL back into it). Safe to call twice."""
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                for forget in self._on_close:
                    forget()
        self.events.clear()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._conn is None

    def db(self) -> sqlite3.Connection:
        """The open connection (the caller holds :attr:`lock`)."""
        if self._conn is None:
            raise ProjectError(f"The project {self.path.name} is closed.")
        return self._conn

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and yield the connection; a SQLite failure becomes a one-line ProjectError."""
        with self.lock:
            try:
                yield self.db()
            except sqlite3.Error as err:
                raise ProjectError(f"Could not read {self.path.name}: {err}.", detail=str(err)) from err

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction, committed when the block ends, rolled back if it raises."""
        # With WAL + synchronous=FULL, COMMIT returns only after the WAL is fsynced: that is
        # the "saved" promise.
        with self.lock:
            conn = self.db()
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException as err:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(err, sqlite3.Error):
                    raise ProjectError(f"Could not save to {self.path.name}: {err}.", detail=str(err)) from err
                raise

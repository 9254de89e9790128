"""Settings the app keeps per project (e.g. the Train panel's last choices), in the ``settings`` table."""

from __future__ import annotations

from bertdesk.core.project.connection import ProjectConnection


class SettingsStore:
    """Text values by key, each written durably in its own transaction."""

    def __init__(self, db: ProjectConnection) -> None:
        self._db = db

    def get(self, key: str, default: str | None = None) -> str | None:
        """A per-project setting stored by the app, or ``default``."""
        with self._db.read() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            return default if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        """Store a per-project setting (durably)."""
        with self._db.write() as conn:
            conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, str(value)))

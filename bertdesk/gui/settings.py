"""Persistent GUI settings (QSettings, INI format) with a version and a migration hook.

Tests and portable installs set ``BERTDESK_SETTINGS_DIR`` so the user's real settings are
never touched.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

SETTINGS_VERSION = 1
MAX_RECENT = 10


def open_settings() -> QSettings:
    folder = os.environ.get("BERTDESK_SETTINGS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(Path(folder) / "bertdesk.ini"), QSettings.Format.IniFormat)
    else:
        settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "bertdesk", "bertdesk")
    migrate(settings)
    return settings


def migrate(settings: QSettings) -> None:
    """Bring settings written by an older bertdesk up to :data:`SETTINGS_VERSION`."""
    version = int(settings.value("settingsVersion", 0) or 0)
    if version < 1:
        # Version 0 = nothing written yet; nothing to convert.
        settings.setValue("settingsVersion", SETTINGS_VERSION)


class AppSettings:
    """Typed access to the keys the GUI uses."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings or open_settings()

    # -- recent files ------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.qsettings.value("recentFiles", [])
        if isinstance(value, str):  # QSettings returns a bare string for a one-item list in INI
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent_file(self, path: str | Path) -> list[str]:
        path = str(Path(path).resolve())
        files = [path] + [f for f in self.recent_files() if f != path]
        files = files[:MAX_RECENT]
        self.qsettings.setValue("recentFiles", files)
        self.qsettings.sync()
        return files

    def remove_recent_file(self, path: str) -> None:
        self.qsettings.setValue("recentFiles", [f for f in self.recent_files() if f != path])

    def clear_recent_files(self) -> None:
        self.qsettings.setValue("recentFiles", [])

    # -- window ---------------------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self.qsettings.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)
        self.qsettings.sync()

    # -- folders --------------------------------------------------------------------------
    def last_dir(self) -> str:
        return str(self.qsettings.value("lastDir", "") or str(Path.home()))

    def set_last_dir(self, folder: str | Path) -> None:
        self.qsettings.setValue("lastDir", str(folder))

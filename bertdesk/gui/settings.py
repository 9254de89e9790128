"""Persistent GUI settings (QSettings, INI format), versioned, upgraded step by step.

Tests and portable installs set ``BERTDESK_SETTINGS_DIR`` so the user's real settings are
never touched.

The layout has a version (``settingsVersion``). :func:`migrate` runs, in order, each step of
:data:`UPGRADES` newer than the stored version and records the version after each one, so
every step runs once: an upgrade interrupted half-way resumes where it stopped. Settings
written by a newer bertdesk (a higher version) are left exactly as they are. After MusicBrainz
Picard's ``picard/config_upgrade.py``. To change the layout, add a step and raise
:data:`SETTINGS_VERSION`; never edit a released step.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

VERSION_KEY = "settingsVersion"
MAX_RECENT = 10
RECENT_KEY = "files/recent"
LAST_DIR_KEY = "files/lastDir"
LANGUAGE_KEY = "interface/language"


def open_settings() -> QSettings:
    folder = os.environ.get("BERTDESK_SETTINGS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(Path(folder) / "bertdesk.ini"), QSettings.Format.IniFormat)
    else:
        settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "bertdesk", "bertdesk")
    migrate(settings)
    return settings


def _upgrade_to_1(settings: QSettings) -> None:
    """Version 0 is "nothing written yet": nothing to convert."""


def _upgrade_to_2(settings: QSettings) -> None:
    """The files the user worked with move from the top level into a ``files`` group
    (``recentFiles`` -> ``files/recent``, ``lastDir`` -> ``files/lastDir``), next to ``window/``;
    a one-file list that INI stored as a bare string becomes a list."""
    for old, new in (("recentFiles", RECENT_KEY), ("lastDir", LAST_DIR_KEY)):
        if settings.contains(old):
            value = settings.value(old)
            if new == RECENT_KEY and isinstance(value, str):
                value = [value] if value else []
            if not settings.contains(new):
                settings.setValue(new, value)
            settings.remove(old)


# (version it brings the settings to, the step), oldest first.
UPGRADES: tuple[tuple[int, Callable[[QSettings], None]], ...] = ((1, _upgrade_to_1), (2, _upgrade_to_2))
SETTINGS_VERSION = UPGRADES[-1][0]


def stored_version(settings: QSettings) -> int:
    """The layout version the settings were written in (0: none, or unreadable)."""
    try:
        return int(settings.value(VERSION_KEY, 0) or 0)
    except (TypeError, ValueError):
        log.warning("Settings %s: %s is not a number; upgrading from the start.", settings.fileName(), VERSION_KEY)
        return 0


def migrate(settings: QSettings) -> list[int]:
    """Bring settings written by an older bertdesk up to :data:`SETTINGS_VERSION`.

    Returns:
        The versions whose upgrade step ran (empty when the settings were current or newer).
    """
    version = stored_version(settings)
    if version > SETTINGS_VERSION:
        return []  # written by a newer bertdesk: its layout is not ours to change
    ran = []
    for target, step in UPGRADES:
        if version < target:
            step(settings)
            settings.setValue(VERSION_KEY, target)  # recorded per step: a step never runs twice
            ran.append(target)
    if ran:
        settings.sync()
    return ran


class AppSettings:
    """Typed access to the keys the GUI uses."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings or open_settings()

    # -- recent files ------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.qsettings.value(RECENT_KEY, [])
        if isinstance(value, str):  # QSettings returns a bare string for a one-item list in INI
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent_file(self, path: str | Path) -> list[str]:
        path = str(Path(path).resolve())
        files = [path] + [f for f in self.recent_files() if f != path]
        files = files[:MAX_RECENT]
        self.qsettings.setValue(RECENT_KEY, files)
        self.qsettings.sync()
        return files

    def remove_recent_file(self, path: str) -> None:
        self.qsettings.setValue(RECENT_KEY, [f for f in self.recent_files() if f != path])

    def clear_recent_files(self) -> None:
        self.qsettings.setValue(RECENT_KEY, [])

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

    # -- language -------------------------------------------------------------------------
    def language(self) -> str:
        """The interface language chosen in View > Language ("" = follow the system)."""
        return str(self.qsettings.value(LANGUAGE_KEY, "") or "")

    def set_language(self, language: str) -> None:
        self.qsettings.setValue(LANGUAGE_KEY, language)
        self.qsettings.sync()

    # -- folders --------------------------------------------------------------------------
    def last_dir(self) -> str:
        return str(self.qsettings.value(LAST_DIR_KEY, "") or str(Path.home()))

    def set_last_dir(self, folder: str | Path) -> None:
        self.qsettings.setValue(LAST_DIR_KEY, str(folder))

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from bertdesk.gui.settings import AppSettings, migrate


@pytest.fixture
def app_settings(tmp_path: Path) -> AppSettings:
    qs = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    migrate(qs)
    return AppSettings(qs)


@pytest.fixture
def window(qtbot, app_settings: AppSettings, tmp_path: Path):
    from bertdesk.gui.main_window import MainWindow

    win = MainWindow(settings=app_settings, data_dir=tmp_path / "appdata")
    qtbot.addWidget(win)
    win.show()
    yield win
    for job in list(__import__("bertdesk.gui.workers", fromlist=["running_jobs"]).running_jobs()):
        job.cancel()
        job.wait()
    if win.project is not None:
        win.project.close()
        win.project = None


def wait_for_job(qtbot, window, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: window.current_job is None, timeout=timeout)

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from bertdesk.gui.settings import AppSettings, migrate

# A modal dialog nobody answers blocks the test for ever (CI then dies at its time limit with no
# word of why). One left open this long is closed by the watchdog below and fails the test.
MODAL_PATIENCE_S = 20
# A job a test leaves running is cancelled after it, so it cannot block a later test's window
# (closing a window asks about running user work, in a modal box).
LEAKED_JOB_WAIT_MS = 60_000


def _dialog_text(widget: QDialog) -> str:
    if isinstance(widget, QMessageBox):
        return f"{widget.windowTitle()!r}: {widget.text()} {widget.informativeText()}".strip()
    return f"{type(widget).__name__} {widget.windowTitle()!r}"


@pytest.fixture(autouse=True)
def no_unanswered_dialogs(qapp):
    """Close any modal dialog left open for MODAL_PATIENCE_S and fail the test, naming it."""
    seen: dict[int, float] = {}
    stuck: list[str] = []

    def watch() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, QDialog):
            return
        first = seen.setdefault(id(widget), time.monotonic())
        if time.monotonic() - first >= MODAL_PATIENCE_S:
            stuck.append(_dialog_text(widget))
            widget.reject()

    timer = QTimer()
    timer.setInterval(1000)
    timer.timeout.connect(watch)
    timer.start()
    yield
    timer.stop()
    if stuck:
        pytest.fail(f"a modal dialog was left unanswered: {'; '.join(stuck)}")


@pytest.fixture(autouse=True)
def no_leaked_jobs():
    """Cancel and wait for whatever jobs the test left running (see LEAKED_JOB_WAIT_MS)."""
    yield
    from bertdesk.gui.workers import running_jobs

    for job in list(running_jobs()):
        job.cancel()
    for job in list(running_jobs()):
        job.wait(LEAKED_JOB_WAIT_MS)


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

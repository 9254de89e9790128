"""Composition root of the GUI: logging, excepthook, QApplication, MainWindow."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("bertdesk")


def _install_excepthook() -> None:
    """An unexpected error in a slot is logged and shown, not a silent abort."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: object) -> None:
        log.error("unhandled error", exc_info=(exc_type, exc, tb))  # type: ignore[arg-type]
        try:
            from PySide6.QtCore import QCoreApplication
            from PySide6.QtWidgets import QApplication

            from bertdesk.gui.dialogs.errors import show_error

            if QApplication.instance() is not None:
                show_error(QApplication.activeWindow(), QCoreApplication.translate("ErrorDialog", "Unexpected error"), exc)
        except Exception:  # noqa: BLE001 - never raise from the excepthook
            pass

    sys.excepthook = hook


def _schedule_warm_up(window: object) -> None:
    """Pre-load torch and transformers on a worker thread once the window is up (see core/warmup.py)."""
    from PySide6.QtCore import QTimer

    from bertdesk.gui.jobs import JobKind

    def start() -> None:
        from bertdesk.core.ml.warmup import warm_up

        # Background work: closing the window never asks about it; a failure only costs the
        # head start (the first real job loads torch itself), so it is logged, not shown.
        window.jobs.start(  # type: ignore[attr-defined]
            "warm-up",
            lambda on_progress, cancel: warm_up(),
            kind=JobKind.BACKGROUND,
            cancellable=False,
            show_failure=False,
            on_failed=lambda err: log.warning("warm-up failed: %s", err),
        )

    QTimer.singleShot(1500, start)


def _install_translators(app: Any) -> None:
    """The interface language: View > Language's choice, else the system locale's."""
    from bertdesk.gui.i18n import chosen_language, install_translators
    from bertdesk.gui.settings import AppSettings

    install_translators(app, chosen_language(AppSettings().language()))


def _remove_leftovers() -> None:
    """Scratch folders a killed training left in the temp dir (only dead processes', see core/leftovers.py)."""
    from bertdesk.core.leftovers import remove_dead_trainer_folders

    removed = remove_dead_trainer_folders()
    if removed:
        log.info("removed %d scratch folder(s) left by killed trainings", len(removed))


def main(argv: Sequence[str] = ()) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from PySide6.QtWidgets import QApplication

    from bertdesk.gui.main_window import MainWindow, app_icon

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("bertdesk")
    app.setOrganizationName("bertdesk")
    app.setDesktopFileName("bertdesk")
    app.setWindowIcon(app_icon())
    _install_translators(app)
    _install_excepthook()
    _remove_leftovers()
    window = MainWindow()
    window.show()
    if os.environ.get("BERTDESK_STARTUP_PROBE"):
        # benchmarks/startup.py: report when the window is on screen, then quit.
        from PySide6.QtCore import QTimer

        def report() -> None:
            print(f"window-shown {time.time():.6f}", flush=True)
            app.quit()

        QTimer.singleShot(0, report)
    else:
        _schedule_warm_up(window)
    for arg in argv:
        if not arg.startswith("-") and Path(arg).exists():
            window.open_path(arg)
            break
    code = app.exec()
    _leave_now(window, code)
    return code  # not reached


def _leave_now(window: Any, code: int) -> None:
    """Exit without tearing the interpreter down.

    By now the window has closed: its jobs are stopped and the project file is closed (every
    label was on disk already). What remains is Python freeing torch's and transformers'
    modules one object at a time, which kept the process alive 1.5 s here and 3-4 s on a
    user's laptop after the window had gone, with nothing on screen to say why. So the
    settings and logs are flushed and the process ends at once.
    """
    if window.isVisible():  # quit by other means than closing it (the startup probe, a logout)
        window.close_for_quit()  # stops the jobs (without asking: it is too late) and closes the project
    if window.project is not None:
        window.project.close()
    window.settings.qsettings.sync()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

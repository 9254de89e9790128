"""Esc is one shortcut in the window: it stops the work of the panel in view (issue: Esc did
nothing while training, 'QAction::event: Ambiguous shortcut overload: Esc')."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from bertdesk.core.project import Project
from bertdesk.gui.main_window import MainWindow
from tests.tiny_model import tiny_texts


@pytest.fixture
def opened(qtbot, window: MainWindow, tmp_path: Path) -> MainWindow:
    texts, labels = tiny_texts(40)
    Project.create(
        tmp_path / "p.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    ).close()
    window.open_path(str(tmp_path / "p.bertdesk"))
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    return window


def test_esc_cancels_training_in_the_window(qtbot, opened: MainWindow, monkeypatch, tiny_encoder_dir: Path, qtlog) -> None:
    from bertdesk.gui.panels import train_panel as train_module

    started = threading.Event()

    def until_cancelled(data, config, out_dir, *, on_progress, cancel):
        started.set()
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.02)

    monkeypatch.setattr(train_module, "_train", until_cancelled)
    opened.show_panel(opened.sidebar.row(opened.sidebar.findItems("Train", Qt.MatchFlag.MatchExactly)[0]))
    panel = opened.train_panel
    panel.settings.set_model_source(str(tiny_encoder_dir))
    panel.start_training()
    qtbot.waitUntil(started.is_set, timeout=20_000)
    for target in (panel.start_button, panel.settings, opened.sidebar):  # wherever the focus is
        target.setFocus()
        if panel.is_training():
            with qtbot.waitSignal(panel.training_changed, timeout=10_000, check_params_cb=lambda busy: not busy):
                qtbot.keyClick(opened.focusWidget() or opened, Qt.Key.Key_Escape)
    assert not panel.is_training() and opened.project.runs()[-1].status == "cancelled"
    assert not [m for m in qtlog.records if "Ambiguous shortcut" in m.message]


def test_esc_stops_the_data_panels_filter(qtbot, opened: MainWindow, monkeypatch) -> None:
    import bertdesk.core.project.row_views as row_views

    started = threading.Event()

    def until_cancelled(project, view, *, on_progress, cancel, **_):
        started.set()
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.02)

    monkeypatch.setattr(row_views, "view_rows", until_cancelled)
    panel = opened.data_panel
    panel.show_combo.setCurrentIndex(panel.show_combo.findData("unlabelled"))
    qtbot.waitUntil(started.is_set, timeout=10_000)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not panel.jobs.busy(), timeout=10_000)
    assert panel.view_label.text() == "Stopped."

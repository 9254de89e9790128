"""Reopening a project resumes where the user left off: the same panel, Label view and row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from bertdesk.core.project import Project
from bertdesk.gui.main_window import MainWindow


@pytest.fixture
def path(tmp_path: Path) -> Path:
    labels = ["a" if i % 3 == 0 else "b" if i % 3 == 1 else "" for i in range(30)]
    frame = pd.DataFrame({"text": [f"text {i}" for i in range(30)], "label": labels})
    Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label").close()
    return tmp_path / "p.bertdesk"


def _open(qtbot, window: MainWindow, path: Path) -> None:
    window.open_path(str(path))
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)


def test_reopening_resumes_the_panel_view_and_row(qtbot, window: MainWindow, path: Path) -> None:
    _open(qtbot, window, path)
    label = window.label_panel
    window.show_panel_widget(label)
    label.filter_combo.setCurrentIndex(label.filter_index("unlabelled"))
    label.filter_combo.activated.emit(label.filter_combo.currentIndex())
    for _ in range(3):
        qtbot.keyClick(label, Qt.Key.Key_Space)  # unlabelled rows 2, 5, 8, 11 (0-based): now on 11
    assert label.current_row == 11
    window.close_project()
    assert window.project is None
    _open(qtbot, window, path)
    assert window.current_panel() is window.label_panel
    assert window.label_panel.filter_choice() == ("unlabelled", None) and window.label_panel.current_row == 11
    qtbot.keyClick(window.label_panel, Qt.Key.Key_Space)
    assert window.label_panel.current_row == 14  # the view goes on from there


def test_a_place_that_no_longer_fits_falls_back_to_the_start(qtbot, window: MainWindow, path: Path) -> None:
    _open(qtbot, window, path)
    label = window.label_panel
    window.show_panel_widget(label)
    label.filter_combo.setCurrentIndex(label.filter_index("label", "b"))
    label.filter_combo.activated.emit(label.filter_combo.currentIndex())
    window.close_project()
    with Project.open(path) as project:
        project.delete_label("b")  # the view it was left on is gone
    _open(qtbot, window, path)
    assert window.current_panel() is window.label_panel
    assert window.label_panel.filter_choice() == ("all", None) and window.label_panel.current_row == 0


def test_quitting_remembers_too_and_the_data_panel_is_the_default(qtbot, window: MainWindow, path: Path, app_settings) -> None:
    _open(qtbot, window, path)
    assert window.current_panel() is window.data_panel  # never left anywhere: the Data panel
    window.show_panel_widget(window.train_panel)
    window.close()
    second = MainWindow(settings=app_settings, data_dir=path.parent / "appdata2")
    qtbot.addWidget(second)
    second.show()
    _open(qtbot, second, path)
    assert second.current_panel() is second.train_panel
    second.close()

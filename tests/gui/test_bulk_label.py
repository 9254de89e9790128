"""Bulk labelling in the Data panel: selected rows, context menu, duplicates, one undo step."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel

from bertdesk.core.project import Project
from tests.gui.conftest import wait_for_job

TEXTS = ["alpha", "beta", "alpha ", "gamma", "beta", "delta"]


@pytest.fixture
def opened(qtbot, window, tmp_path: Path):
    path = tmp_path / "bulk.bertdesk"
    frame = pd.DataFrame({"text": TEXTS, "label": ["x", "", "", "", "", "y"]})
    Project.create(path, frame, text_column="text", label_column="label").close()
    window.open_path(path)
    wait_for_job(qtbot, window)
    assert window.project is not None
    return window


def select(panel, *spans: tuple[int, int]) -> None:
    model, selection = panel.table.model(), QItemSelection()
    last = model.columnCount() - 1
    for top, bottom in spans:
        selection.select(model.index(top, 0), model.index(bottom, last))
    panel.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_selected_rows_from_ranges(opened) -> None:
    panel = opened.data_panel
    select(panel, (3, 4), (0, 1))
    assert panel.selected_rows() == [0, 1, 3, 4] and panel.selected_count() == 4
    assert panel.bulk_caption.text() == "Label 4 selected rows as"
    panel.table.selectAll()
    assert panel.selected_rows() == list(range(6)) and panel.bulk_apply_button.isEnabled()


def test_bulk_assign_is_one_undo_step(qtbot, opened) -> None:
    window, panel = opened, opened.data_panel
    project = window.project
    select(panel, (1, 3))
    panel.bulk_combo.setCurrentText("y")
    panel.bulk_apply_button.click()
    wait_for_job(qtbot, window)  # bulk labels always run as a job (no row threshold)
    assert [project.label_of(r) for r in range(6)] == ["x", "y", "y", "y", None, "y"]
    assert "5 labelled" in panel.summary_label.text()
    assert window.project.undo_steps == 1
    window.undo()
    assert [project.label_of(r) for r in range(6)] == ["x", None, None, None, None, "y"]
    window.redo()
    assert project.label_of(2) == "y"


def test_context_menu_labels_and_clears(qtbot, opened) -> None:
    window, panel = opened, opened.data_panel
    project = window.project
    select(panel, (0, 0), (4, 5))
    menu = panel.build_context_menu()
    sub = menu.actions()[0].menu()
    assert [a.text() for a in sub.actions() if a.text()] == ["x", "y", "Clear label"]
    next(a for a in sub.actions() if a.text() == "x").trigger()
    wait_for_job(qtbot, window)
    assert [project.label_of(r) for r in (0, 4, 5)] == ["x", "x", "x"]
    next(a for a in sub.actions() if a.text() == "Clear label").trigger()
    wait_for_job(qtbot, window)
    assert project.labelled_count == 0
    assert window.project.undo_steps == 2
    window.undo()
    assert [project.label_of(r) for r in (0, 4, 5)] == ["x", "x", "x"]
    window.undo()
    assert [project.label_of(r) for r in range(6)] == ["x", None, None, None, None, "y"]


def test_new_label_name_is_added(qtbot, opened) -> None:
    window, panel = opened, opened.data_panel
    select(panel, (3, 3))
    panel.bulk_combo.setCurrentText("  fresh ")
    panel.bulk_apply_button.click()
    wait_for_job(qtbot, window)
    assert window.project.label_of(3) == "fresh"
    assert "fresh" in window.project.label_set.names
    assert [panel.bulk_combo.itemText(i) for i in range(panel.bulk_combo.count())] == ["x", "y", "fresh"]
    assert window.label_panel.label_buttons[-1].text() == "3  fresh"


def test_also_label_exact_duplicates(qtbot, opened) -> None:
    window, panel = opened, opened.data_panel
    project = window.project
    panel.duplicates_check.setChecked(True)
    select(panel, (0, 1))  # "alpha" and "beta": rows 2 ("alpha ") and 4 follow
    panel.request_bulk_label("y")
    wait_for_job(qtbot, window)
    assert [project.label_of(r) for r in range(6)] == ["y", "y", "y", None, "y", "y"]
    assert window.project.undo_steps == 1
    window.undo()
    assert [project.label_of(r) for r in range(6)] == ["x", None, None, None, None, "y"]


def test_big_selection_runs_as_a_job(qtbot, opened, monkeypatch) -> None:
    window, panel = opened, opened.data_panel
    panel.table.selectAll()
    panel.request_bulk_label(None)
    wait_for_job(qtbot, window)
    assert window.project.labelled_count == 0
    assert window.project.undo_steps == 1
    window.undo()
    assert window.project.labelled_count == 2

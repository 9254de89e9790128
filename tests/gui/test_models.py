"""Every table model passes Qt's model tester; the dataset model is lazy and plain-text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt

from bertdesk.core.project import Project
from bertdesk.gui.models.dataset_model import PAGE_ROWS, DatasetTableModel
from bertdesk.gui.models.frame_model import FrameTableModel


def make_project(tmp_path: Path, n: int = 1000) -> Project:
    frame = pd.DataFrame(
        {
            "id": [f"{i:05d}" for i in range(n)],
            "text": [f"<b>row {i}</b>\nsecond line" if i % 7 == 0 else f"row {i}" for i in range(n)],
            "label": ["pos" if i % 3 == 0 else ("neg" if i % 3 == 1 else "") for i in range(n)],
        }
    )
    return Project.create(tmp_path / "t.bertdesk", frame, text_column="text", label_column="label")


def test_dataset_model_passes_qtmodeltester(qtmodeltester, tmp_path: Path) -> None:
    project = make_project(tmp_path, 50)
    model = DatasetTableModel(project)
    qtmodeltester.check(model, force_py=True)
    project.close()


def test_frame_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = FrameTableModel()
    model.set_frame(pd.DataFrame({"a": ["1", "2"], "b": ["x", "<i>y</i>"]}))
    qtmodeltester.check(model, force_py=True)
    model.set_frame(None)
    assert model.rowCount() == 0 and model.columnCount() == 0


def test_dataset_model_shows_labels_and_cells_lazily(tmp_path: Path, monkeypatch) -> None:
    project = make_project(tmp_path, 1000)
    model = DatasetTableModel(project)
    calls: list[tuple[int, int]] = []
    original = project.fetch_rows
    monkeypatch.setattr(project, "fetch_rows", lambda s, c: (calls.append((s, c)), original(s, c))[1])
    assert model.rowCount() == 1000 and model.columnCount() == 4
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Label"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "text"
    assert model.data(model.index(0, 0)) == "pos"
    assert model.data(model.index(2, 0)) == ""
    assert model.data(model.index(5, 1)) == "00005"
    # HTML-looking text is shown as-is; the newline becomes a visible symbol on one line.
    assert model.data(model.index(0, 2)) == "<b>row 0</b> ⏎ second line"
    tooltip = model.data(model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;row 0&lt;/b&gt;" in tooltip and "<b>" not in tooltip
    model.data(model.index(999, 1))
    assert calls == [(0, PAGE_ROWS), (3 * PAGE_ROWS, PAGE_ROWS)]  # one query a page, only pages asked for
    model.data(model.index(1, 1))
    assert len(calls) == 2  # cached
    project.close()


def test_refresh_labels_shows_new_label(tmp_path: Path, qtbot) -> None:
    project = make_project(tmp_path, 10)
    model = DatasetTableModel(project)
    assert model.data(model.index(2, 0)) == ""
    project.set_label(2, "pos")
    with qtbot.waitSignal(model.dataChanged):
        model.refresh_labels(2, 2)
    assert model.data(model.index(2, 0)) == "pos"
    project.close()

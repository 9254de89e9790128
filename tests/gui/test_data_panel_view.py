"""Data panel: sort by any column with header clicks, filter with "Show", and act on the rows shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from bertdesk.core.project import Project
from bertdesk.gui.panels.data_panel import DataPanel
from tests.core.test_row_views import six_rows


@pytest.fixture
def project(tmp_path: Path):
    proj = Project.create(tmp_path / "p.bertdesk", six_rows(), text_column="text", label_column="topic")
    yield proj
    proj.close()


@pytest.fixture
def panel(qtbot, project: Project) -> DataPanel:
    widget = DataPanel()
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.set_project(project)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _click_header(qtbot, panel: DataPanel, column: int) -> None:
    header = panel.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def _shown(panel: DataPanel) -> list[int]:
    """Row numbers (1-based) as the vertical header shows them, top to bottom."""
    model = panel.model
    return [int(model.headerData(r, Qt.Orientation.Vertical)) for r in range(model.rowCount())]


def _wait_idle(qtbot, panel: DataPanel) -> None:
    qtbot.waitUntil(lambda: not panel.jobs.busy(), timeout=10_000)


def test_header_clicks_sort_ascending_descending_then_file_order(qtbot, panel: DataPanel) -> None:
    id_column = 1  # column 0 is the label
    _click_header(qtbot, panel, id_column)
    _wait_idle(qtbot, panel)
    assert _shown(panel) == [2, 6, 1, 4, 5, 3]  # 9, 9, 10, 100, 1200 as numbers; the empty cell last
    assert panel.model.data(panel.model.index(0, 2)) == "apple pie"
    _click_header(qtbot, panel, id_column)
    _wait_idle(qtbot, panel)
    assert _shown(panel) == [5, 4, 1, 2, 6, 3]
    _click_header(qtbot, panel, id_column)
    _wait_idle(qtbot, panel)
    assert _shown(panel) == [1, 2, 3, 4, 5, 6] and not panel.model.is_filtered_or_sorted


def test_show_filters_and_the_rows_shown_are_the_ones_acted_on(qtbot, panel: DataPanel, project: Project) -> None:
    panel.show_combo.setCurrentIndex(panel.show_combo.findData("unlabelled"))
    _wait_idle(qtbot, panel)
    assert _shown(panel) == [3, 6] and "2 of 6 rows" in panel.view_label.text()
    # Select the second row shown and label it: project row 5 (0-based), not table row 1.
    panel.table.selectRow(1)
    requests: list[tuple[list[int], str | None, bool]] = []
    panel.bulk_label_requested.connect(lambda rows, label, dup: requests.append((rows, label, dup)))
    panel.request_bulk_label("a")
    assert requests == [([5], "a", False)]
    explained: list[int] = []
    panel.explain_requested.connect(explained.append)
    panel.table.doubleClicked.emit(panel.model.index(1, 2))
    assert explained == [5]


def test_label_and_text_filters(qtbot, panel: DataPanel) -> None:
    panel.show_combo.setCurrentIndex(panel.show_combo.findData("label"))
    _wait_idle(qtbot, panel)
    assert panel.value_combo.isVisible() and [panel.value_combo.itemText(i) for i in range(panel.value_combo.count())] == ["b", "a"]
    assert _shown(panel) == [1, 5]  # label "b"
    panel.show_combo.setCurrentIndex(panel.show_combo.findData("text"))
    assert panel.search_edit.isVisible()
    qtbot.keyClicks(panel.search_edit, "BANANA")
    qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
    _wait_idle(qtbot, panel)
    assert _shown(panel) == [1, 5]
    # Sorted by text within the filter, descending after two clicks.
    _click_header(qtbot, panel, 2)
    _wait_idle(qtbot, panel)
    _click_header(qtbot, panel, 2)
    _wait_idle(qtbot, panel)
    assert _shown(panel) == [1, 5]  # "Banana split" > "banana bread"
    panel.show_combo.setCurrentIndex(0)
    _wait_idle(qtbot, panel)
    assert _shown(panel) == [6, 3, 1, 5, 4, 2]  # every row again, still sorted by text, descending


def test_a_label_set_elsewhere_shows_in_a_sorted_view(qtbot, panel: DataPanel, project: Project) -> None:
    _click_header(qtbot, panel, 1)
    _wait_idle(qtbot, panel)
    project.set_label(2, "a")
    panel.model.refresh_labels(2, 2)
    table_row = panel.model.table_row(2)
    assert table_row == 5 and panel.model.data(panel.model.index(table_row, 0)) == "a"


def test_labels_carry_their_colour_in_the_table(qtbot, panel: DataPanel, project: Project) -> None:
    colors = project.display_colors()
    model = panel.model
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole).name().lower() == colors["b"].lower()
    assert model.data(model.index(2, 0), Qt.ItemDataRole.DecorationRole) is None  # unlabelled: no swatch
    project.set_label_color("b", "#123456")
    model.refresh_labels(0, 0)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole).name() == "#123456"

"""Table model over a project's snapshot: lazy, one page of rows fetched at a time.

A 1,000,000-row project costs nothing up front: Qt asks ``data()`` only for visible cells,
and those come from a small LRU cache of row pages filled by one range query each.

Filtered or sorted, the model shows the rows of an order computed in core
(:func:`bertdesk.core.project.row_views.view_rows`): table row ``i`` is project row
``order[i]``, and the vertical header keeps showing each row's own number.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from bertdesk.gui.models.cells import display_text, tooltip_text

if TYPE_CHECKING:  # project.py pulls in pandas; the window must open without it
    from bertdesk.core.project import Project

PAGE_ROWS = 256
MAX_PAGES = 64
LABEL_HEADER = QT_TRANSLATE_NOOP("DatasetTableModel", "Label")  # the header shows it translated

Index = QModelIndex | QPersistentModelIndex


class DatasetTableModel(QAbstractTableModel):
    """Column 0 is the row's current label; columns 1.. are the snapshot's columns."""

    def __init__(self, project: Project | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._columns: list[str] = []
        self._rows = 0
        self._order: np.ndarray | None = None  # table row -> project row id; None: file order
        self._colors: dict[str, str] | None = None  # label -> colour, read again after label changes
        self._pages: OrderedDict[int, tuple[list[tuple[str, ...]], dict[int, str]]] = OrderedDict()
        self._bold = QFont()
        self._bold.setBold(True)
        self.set_project(project)

    # -- public -----------------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self._project

    def set_project(self, project: Project | None) -> None:
        self.beginResetModel()
        self._project = project
        self._columns = list(project.columns) if project else []
        self._rows = project.row_count if project else 0
        self._order = None
        self._pages.clear()
        self._colors = None
        self.endResetModel()

    def set_order(self, order: np.ndarray | None) -> None:
        """Show the project rows ``order`` lists, in that order (None: every row in file order)."""
        self.beginResetModel()
        self._order = None if order is None else np.asarray(order, dtype=np.int64)
        self._rows = (len(self._order) if self._order is not None else self._project.row_count) if self._project else 0
        self.endResetModel()

    def row_id(self, row: int) -> int:
        """The project row shown at table row ``row``."""
        return int(self._order[row]) if self._order is not None else row

    def table_row(self, row_id: int) -> int | None:
        """Where project row ``row_id`` is shown, or None when the filter hides it."""
        if self._order is None:
            return row_id if 0 <= row_id < self._rows else None
        found = np.flatnonzero(self._order == row_id)
        return int(found[0]) if len(found) else None

    @property
    def is_filtered_or_sorted(self) -> bool:
        return self._order is not None

    def refresh_labels(self, first_row: int = 0, last_row: int | None = None) -> None:
        """Labels changed (for rows first..last): drop cached pages and repaint the label column."""
        if not self._rows:
            return
        last = (self._project.row_count if self._project else self._rows) - 1 if last_row is None else last_row
        self._colors = None  # a label may have been added, recoloured or renamed
        for page in range(first_row // PAGE_ROWS, last // PAGE_ROWS + 1):
            self._pages.pop(page, None)
        if self._order is not None:  # the rows may be anywhere in the table: repaint the column
            first_row, last = 0, self._rows - 1
        self.dataChanged.emit(self.index(first_row, 0), self.index(last, 0), [Qt.ItemDataRole.DisplayRole])

    def column_name(self, column: int) -> str:
        return LABEL_HEADER if column == 0 else self._columns[column - 1]

    # -- Qt overrides -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() or self._project is None else len(self._columns) + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._project is None:
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(self._cell(row, column))
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self._cell(row, column)
            return tooltip_text(text) if text else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return QBrush(QColor("#1f5f8b"))
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            color = self._label_colors().get(self._cell(row, 0))  # the label's colour, as everywhere
            return QColor(color) if color else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < self._rows:
                return str(self.row_id(section) + 1)  # the row's own number, however sorted
            return None
        if self._project is None or not 0 <= section < len(self._columns) + 1:
            return None
        name = self.column_name(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("DatasetTableModel", LABEL_HEADER) if section == 0 else name
        if role == Qt.ItemDataRole.FontRole and (section == 0 or name == self._project.text_column):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == 0:
                return self.tr("The label stored in the project for this row")
            if name == self._project.text_column:
                return self.tr("The text column: what the model reads")
        return None

    # -- cache ----------------------------------------------------------------------------
    def _label_colors(self) -> dict[str, str]:
        if self._colors is None:
            self._colors = self._project.display_colors() if self._project is not None else {}
        return self._colors

    def _cell(self, table_row: int, column: int) -> str:
        row = self.row_id(table_row)
        rows, labels = self._page(row // PAGE_ROWS)
        offset = row % PAGE_ROWS
        if column == 0:
            return labels.get(row, "")
        values = rows[offset] if offset < len(rows) else ()
        return values[column - 1] if column - 1 < len(values) else ""

    def _page(self, page: int) -> tuple[list[tuple[str, ...]], dict[int, str]]:
        cached = self._pages.get(page)
        if cached is not None:
            self._pages.move_to_end(page)
            return cached
        assert self._project is not None
        start = page * PAGE_ROWS
        entry = (self._project.fetch_rows(start, PAGE_ROWS), self._project.labels_in_range(start, PAGE_ROWS))
        self._pages[page] = entry
        if len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return entry

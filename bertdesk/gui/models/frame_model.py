"""Read-only table model over a small pandas DataFrame (the import dialog's preview)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from bertdesk.gui.models.cells import display_text, tooltip_text

Index = QModelIndex | QPersistentModelIndex


class FrameTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._rows: list[tuple[str, ...]] = []
        self._highlight: set[str] = set()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_frame(self, frame: Any | None) -> None:
        """Show ``frame`` (a DataFrame of strings) or nothing."""
        self.beginResetModel()
        if frame is None:
            self._columns, self._rows = [], []
        else:
            self._columns = [str(c) for c in frame.columns]
            self._rows = [tuple("" if v is None else str(v) for v in row) for row in frame.itertuples(index=False, name=None)]
        self.endResetModel()

    def set_highlighted_columns(self, names: set[str]) -> None:
        self._highlight = set(names)
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        text = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(text)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_text(text) if text else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section]
        if role == Qt.ItemDataRole.FontRole and self._columns[section] in self._highlight:
            return self._bold
        return None

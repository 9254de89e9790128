"""Table model over the Predict panel's frame (see ``bertdesk.core.project.prediction_analysis``).

Columns: row number, text, human label, predicted label, confidence, one probability per
class. Cells are plain text; ``sort()`` reorders a positions array (the frame is never copied),
and ``set_visible()`` shows the subset a filter picked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from bertdesk.core.project.prediction_analysis import CONFIDENCE, LABEL, PREDICTED, TEXT, probability_columns
from bertdesk.gui.models.cells import display_text, tooltip_text

Index = QModelIndex | QPersistentModelIndex
ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the project row id of a table row
DISAGREE_COLOR = QColor("#b03a2e")


class PredictionTableModel(QAbstractTableModel):
    """Read-only, sortable view of a prediction frame."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._frame: Any = None
        self.colors: dict[str, str] = {}  # label -> colour (the project's display colours)
        self._columns: list[tuple[str, str]] = []  # (header, frame column)
        self._positions = np.zeros(0, dtype=np.int64)  # frame rows shown, in display order
        self._row_ids = np.zeros(0, dtype=np.int64)
        self._cache: dict[str, np.ndarray] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- content -----------------------------------------------------------------------------
    def set_frame(self, frame: Any | None) -> None:
        """Show ``frame`` (from ``prediction_frame``) or nothing; every row visible."""
        self.beginResetModel()
        self._frame = frame
        if frame is None:
            self._columns, self._cache = [], {}
            self._row_ids = np.zeros(0, dtype=np.int64)
            self._positions = np.zeros(0, dtype=np.int64)
        else:
            probs = probability_columns(frame)
            self._columns = [
                (self.tr("Row"), ""),
                (self.tr("Text"), TEXT),
                (self.tr("Label"), LABEL),
                (self.tr("Predicted"), PREDICTED),
                (self.tr("Confidence"), CONFIDENCE),
            ]
            self._columns += [(f"P({name[2:]})", name) for name in probs]
            # Column arrays fetched once: data() is called per visible cell on every repaint.
            self._cache = {name: frame[name].to_numpy() for _h, name in self._columns if name}
            self._row_ids = frame.index.to_numpy(dtype=np.int64)
            self._positions = np.arange(len(frame), dtype=np.int64)
        self.endResetModel()
        if self._sort is not None and frame is not None:
            self.sort(*self._sort)

    def set_visible(self, mask: np.ndarray | None) -> None:
        """Show only rows where ``mask`` is True (None: all), keeping the current sort."""
        if self._frame is None:
            return
        self.beginResetModel()
        n = len(self._frame)
        self._positions = np.arange(n, dtype=np.int64) if mask is None else np.flatnonzero(np.asarray(mask, dtype=bool))
        self.endResetModel()
        if self._sort is not None:
            self.sort(*self._sort)

    def show_order(self, row_ids: list[int]) -> None:
        """Show exactly ``row_ids``, in that order (e.g. most uncertain first); clears the sort."""
        if self._frame is None:
            return
        where = {rid: i for i, rid in enumerate(self._row_ids.tolist())}
        self.beginResetModel()
        self._sort = None
        self._positions = np.asarray([where[r] for r in row_ids if r in where], dtype=np.int64)
        self.endResetModel()

    def row_id(self, row: int) -> int:
        """The project row id shown on table row ``row``."""
        return int(self._row_ids[self._positions[row]])

    def row_of(self, row_id: int) -> int | None:
        """The table row showing project row ``row_id``, or None when it is filtered out."""
        hits = np.flatnonzero(self._row_ids[self._positions] == int(row_id))
        return int(hits[0]) if hits.size else None

    def visible_row_ids(self) -> list[int]:
        return self._row_ids[self._positions].tolist()

    # -- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else int(self._positions.shape[0])

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.rowCount()) or not (0 <= index.column() < self.columnCount()):
            return None
        position = int(self._positions[index.row()])
        header, name = self._columns[index.column()]
        if role == ROW_ID_ROLE:
            return int(self._row_ids[position])
        if role == Qt.ItemDataRole.TextAlignmentRole and (not name or name == CONFIDENCE or name.startswith("p_")):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and name in (LABEL, PREDICTED):
            color = self.colors.get(self._cache[name][position])  # the label's colour, as everywhere
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.ForegroundRole and name == PREDICTED:
            label = self._cache[LABEL][position]
            if label and label != self._cache[PREDICTED][position]:
                return DISAGREE_COLOR
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if not name:
            return str(int(self._row_ids[position]) + 1)  # rows are numbered from 1 for people
        value = self._cache[name][position]
        if name == CONFIDENCE or name.startswith("p_"):
            return f"{float(value) * 100:.1f}%"
        text = "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_text(text) if name == TEXT and text else None
        return display_text(text)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return self._columns[section][0] if 0 <= section < len(self._columns) else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns) or self._frame is None:
            return
        self._sort = (column, order)
        name = self._columns[column][1]
        keys = self._row_ids if not name else self._cache[name]
        # Start from frame (row) order so ties keep row order whatever the previous sort was.
        base = np.sort(self._positions)
        visible = keys[base]
        if visible.dtype == object:
            visible = np.array([("" if v is None else str(v)).casefold() for v in visible], dtype=object)
        # Rank the keys, then a stable sort: ties keep row order in both directions.
        if visible.dtype == object:
            ranks = np.unique(visible, return_inverse=True)[1].reshape(-1)
        else:
            ranks = visible.astype(np.float64)  # numbers sort as they are (no need to rank)
        if order == Qt.SortOrder.DescendingOrder:
            ranks = -ranks
        order_idx = np.argsort(ranks, kind="stable")
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self.row_id(i.row()) for i in old]
        self._positions = base[order_idx]
        new_rows = {rid: r for r, rid in enumerate(self._row_ids[self._positions].tolist())}
        self.changePersistentIndexList(old, [self.index(new_rows[rid], i.column()) for rid, i in zip(old_ids, old)])
        self.layoutChanged.emit()

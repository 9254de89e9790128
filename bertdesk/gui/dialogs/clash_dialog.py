"""Offer to merge labels that differ only in case or surrounding whitespace."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QGridLayout, QLabel, QVBoxLayout, QWidget


class LabelClashDialog(QDialog):
    """One row per clash group: [x] merge  'Positive' (120), 'positive' (3)  into [Positive v]."""

    def __init__(self, groups: list[list[str]], counts: dict[str, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Labels that look the same"))
        intro = QLabel(
            self.tr(
                "These imported labels differ only in upper/lower case or spaces. "
                "Merge each group into one label, or keep them apart. Nothing is merged unless you choose it."
            )
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        self._rows: list[tuple[QCheckBox, QComboBox, list[str]]] = []
        for i, group in enumerate(groups):
            names = self.tr(",  ").join(
                self.tr("“{label}” ({count:,} rows)").format(label=name, count=counts.get(name, 0)) for name in group
            )
            check = QCheckBox()
            check.setChecked(True)
            text = QLabel()
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setText(names)
            target = QComboBox()
            # Default target: the most used spelling.
            for name in sorted(group, key=lambda n: -counts.get(n, 0)):
                target.addItem(name, name)
            grid.addWidget(check, i, 0)
            grid.addWidget(text, i, 1)
            grid.addWidget(QLabel(self.tr("into")), i, 2)
            grid.addWidget(target, i, 3)
            self._rows.append((check, target, group))
        buttons = QDialogButtonBox()
        buttons.addButton(self.tr("Merge selected"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Keep all apart"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(buttons)

    def merges(self) -> list[tuple[str, list[str]]]:
        """(into, others) for every ticked group."""
        result = []
        for check, target, group in self._rows:
            if check.isChecked():
                into = target.currentData()
                result.append((into, [n for n in group if n != into]))
        return result

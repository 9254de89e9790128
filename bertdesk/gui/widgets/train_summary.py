"""What training will learn from: labelled rows per label, and what to fix first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from bertdesk.core.project.label_hygiene import check_labels

if TYPE_CHECKING:
    from bertdesk.core.project import Project

WARNING_STYLE = "color: #9a5b00;"
REASON_STYLE = "color: #b00020; font-weight: bold;"


def _plain(text: str = "", style: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    return label


def training_blocker(counts: dict[str, int]) -> str:
    """Why training cannot start, or "" when it can."""
    with_rows = [name for name, n in counts.items() if n > 0]
    if not with_rows:
        return "No labelled rows yet: label some rows (at least two different labels) first."
    if len(with_rows) < 2:
        return f"Only one label ({with_rows[0]!r}) has labelled rows; a classifier needs at least two: label some rows with another label."
    return ""


class TrainSummaryWidget(QWidget):
    """Counts per label, warnings (near-duplicates, small classes) and the reason Start is off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _plain("Labelled rows", "font-weight: bold;")
        self.counts_grid = QGridLayout()
        self.counts_grid.setHorizontalSpacing(12)
        self.counts_grid.setVerticalSpacing(1)
        self.counts_grid.setColumnStretch(0, 1)
        self.warnings_label = _plain("", WARNING_STYLE)
        self.reason_label = _plain("", REASON_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(self.counts_grid)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.reason_label)
        self.counts: dict[str, int] = {}
        self.warnings: list[str] = []
        self.reason = ""
        self.show_project(None)

    def show_project(self, project: Project | None) -> str:
        """Show ``project``'s counts and warnings; return the reason training cannot start ("" if it can)."""
        self.counts = project.label_counts() if project is not None else {}
        while self.counts_grid.count():
            item = self.counts_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        rows = list(self.counts.items())
        for row, (name, n) in enumerate(rows):
            name_label = _plain(name)
            name_label.setWordWrap(False)
            count_label = _plain(f"{n:,}")
            count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if n == 0:
                name_label.setStyleSheet("color: palette(mid);")
                count_label.setStyleSheet("color: palette(mid);")
            self.counts_grid.addWidget(name_label, row, 0)
            self.counts_grid.addWidget(count_label, row, 1)
        total = sum(self.counts.values())
        if rows:
            self.counts_grid.addWidget(_plain("total", "font-style: italic;"), len(rows), 0)
            total_label = _plain(f"{total:,}", "font-style: italic;")
            total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.counts_grid.addWidget(total_label, len(rows), 1)

        self.warnings = []
        if project is not None:
            for issue in check_labels(self.counts):
                n = self.counts.get(issue.labels[0], 0) if issue.labels else 0
                if issue.kind == "too_few" and n == 0:
                    self.warnings.append(f"“{issue.labels[0]}” has no labelled rows: it will be left out of the model.")
                else:
                    self.warnings.append(issue.message + (f" {issue.fix}" if issue.fix else ""))
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in self.warnings))
        self.warnings_label.setVisible(bool(self.warnings))
        self.reason = "Open a project to train a model." if project is None else training_blocker(self.counts)
        self.reason_label.setText(self.reason)
        self.reason_label.setVisible(bool(self.reason))
        return self.reason

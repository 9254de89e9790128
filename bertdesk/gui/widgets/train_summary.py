"""What training will learn from: labelled rows per label, and what to fix first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from bertdesk.core.project.label_hygiene import MIN_EXAMPLES, HygieneIssue, _quote, check_labels

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
        return QCoreApplication.translate(
            "TrainSummaryWidget", "No labelled rows yet: label some rows (at least two different labels) first."
        )
    if len(with_rows) < 2:
        return QCoreApplication.translate(
            "TrainSummaryWidget",
            "Only one label ({label!r}) has labelled rows; a classifier needs at least two: label some rows with another label.",
        ).format(label=with_rows[0])
    return ""


def _rows(n: int) -> str:
    return (
        QCoreApplication.translate("TrainSummaryWidget", "1 row")
        if n == 1
        else QCoreApplication.translate("TrainSummaryWidget", "{n:,} rows").format(n=n)
    )


def issue_text(issue: HygieneIssue, counts: dict[str, int], min_examples: int = MIN_EXAMPLES) -> str:
    """The GUI's translatable version of ``issue.message`` and its fix (the same words in English):
    core's text is shared with the CLI and stays English."""
    if issue.kind == "near_duplicate" and issue.labels:
        into, others = issue.labels[0], issue.labels[1:]
        listed = ", ".join(
            QCoreApplication.translate("TrainSummaryWidget", "{label} ({rows})").format(label=_quote(n), rows=_rows(counts.get(n, 0)))
            for n in issue.labels
        )
        return QCoreApplication.translate(
            "TrainSummaryWidget", "{labels} look the same: they differ only in case or spaces. Merge {others} into {into}."
        ).format(labels=listed, others=", ".join(_quote(n) for n in others), into=_quote(into))
    if issue.kind == "too_few" and issue.labels:
        name = _quote(issue.labels[0])
        n = counts.get(issue.labels[0], 0)
        if n == 0:
            have = QCoreApplication.translate("TrainSummaryWidget", "No rows are labelled {label};").format(label=name)
        elif n == 1:
            have = QCoreApplication.translate("TrainSummaryWidget", "Only 1 row is labelled {label};").format(label=name)
        else:
            have = QCoreApplication.translate("TrainSummaryWidget", "Only {n:,} rows are labelled {label};").format(n=n, label=name)
        needs = QCoreApplication.translate("TrainSummaryWidget", "a class needs at least {n} examples to learn from.").format(
            n=min_examples
        )
        more = min_examples - n
        if more == 1:
            fix = QCoreApplication.translate("TrainSummaryWidget", "Label 1 more row {label}, or merge it into another label.")
        else:
            fix = QCoreApplication.translate("TrainSummaryWidget", "Label {n} more rows {label}, or merge it into another label.")
        # Three sentences, joined the way the language joins them (Chinese: no spaces).
        return QCoreApplication.translate("TrainSummaryWidget", "{count} {needs} {fix}").format(
            count=have, needs=needs, fix=fix.format(n=more, label=name)
        )
    return issue.message + (f" {issue.fix}" if issue.fix else "")  # a kind this version does not know


class TrainSummaryWidget(QWidget):
    """Counts per label, warnings (near-duplicates, small classes) and the reason Start is off."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = _plain(self.tr("Labelled rows"), "font-weight: bold;")
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
            self.counts_grid.addWidget(_plain(self.tr("total"), "font-style: italic;"), len(rows), 0)
            total_label = _plain(f"{total:,}", "font-style: italic;")
            total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.counts_grid.addWidget(total_label, len(rows), 1)

        self.warnings = []
        if project is not None:
            for issue in check_labels(self.counts):
                n = self.counts.get(issue.labels[0], 0) if issue.labels else 0
                if issue.kind == "too_few" and n == 0:
                    self.warnings.append(
                        self.tr("“{label}” has no labelled rows: it will be left out of the model.").format(label=issue.labels[0])
                    )
                else:
                    self.warnings.append(issue_text(issue, self.counts))
        self.warnings_label.setText("\n".join(f"⚠ {w}" for w in self.warnings))
        self.warnings_label.setVisible(bool(self.warnings))
        self.reason = self.tr("Open a project to train a model.") if project is None else training_blocker(self.counts)
        self.reason_label.setText(self.reason)
        self.reason_label.setVisible(bool(self.reason))
        return self.reason

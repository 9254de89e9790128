"""Edit the label set: add, rename, merge, delete, reorder and colour labels; hygiene checks.

Every edit goes through the project: one step of its undo history (Edit > Undo reverts it),
announced by the project to every panel. :attr:`LabelSetDialog.label_set_changed` says that an
edit made here really changed something. The dialog itself follows what the project
announces (labelling elsewhere, undo/redo), so its counts and checks stay current.

The methods that do the work (:meth:`~LabelSetDialog.add_label`, :meth:`~LabelSetDialog.rename`,
:meth:`~LabelSetDialog.merge`, :meth:`~LabelSetDialog.delete`, :meth:`~LabelSetDialog.move`,
:meth:`~LabelSetDialog.set_color`) ask nothing; the buttons ask first and then call them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.errors import BertdeskError, LabelError
from bertdesk.core.project.label_hygiene import MIN_EXAMPLES, HygieneIssue, check_labels
from bertdesk.core.project.label_set import normalise_label
from bertdesk.gui.dialogs.errors import show_error
from bertdesk.gui.project_events import ProjectEvents
from bertdesk.gui.widgets.label_chart import DEFAULT_COLOR

if TYPE_CHECKING:
    from bertdesk.core.project import Project

NAME_ROLE = Qt.ItemDataRole.UserRole


def delete_confirmation_text(name: str, rows: int) -> str:
    """The question asked before deleting a label, e.g. 'Delete “spam”? 120 rows lose this label.'"""
    if rows == 0:
        consequence = QCoreApplication.translate("LabelSetDialog", "No rows carry this label.")
    elif rows == 1:
        consequence = QCoreApplication.translate("LabelSetDialog", "1 row loses this label.")
    else:
        consequence = QCoreApplication.translate("LabelSetDialog", "{count:,} rows lose this label.").format(count=rows)
    return QCoreApplication.translate("LabelSetDialog", "Delete “{label}”? {consequence}").format(label=name, consequence=consequence)


def color_swatch(color: str | None, size: int = 14) -> QIcon:
    """A small square of ``color`` (the chart's default colour when None) with a thin border."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(QColor("#555555"))
    painter.setBrush(QColor(color or DEFAULT_COLOR))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


def _plain_label(text: str = "", style: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    if style:
        label.setStyleSheet(style)
    return label


class LabelSetDialog(QDialog):
    """The label set as a list (name, rows, colour) with buttons to edit it, and hygiene checks."""

    label_set_changed = Signal()  # an edit made here changed the project

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.events = ProjectEvents(self)
        self.events.set_project(project)
        self.events.labels_changed.connect(lambda _message: self.on_labels_changed())
        self.events.label_set_changed.connect(lambda _message: self.on_labels_changed())
        self.setWindowTitle(self.tr("Label Set"))
        self.resize(620, 520)
        self.hygiene_issues: list[HygieneIssue] = []
        self.hygiene_merge_buttons: list[QPushButton] = []
        self.hygiene_labels: list[QLabel] = []

        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda item: self.ask_rename())

        self.add_button = self._button(self.tr("&Add…"), self.ask_add, self.tr("Add a new label"))
        self.rename_button = self._button(self.tr("&Rename…"), self.ask_rename, self.tr("Rename the selected label; its rows follow"))
        self.merge_button = self._button(
            self.tr("&Merge into…"), self.ask_merge, self.tr("Relabel the rows of the selected labels as another label")
        )
        self.delete_button = self._button(
            self.tr("&Delete"), self.ask_delete, self.tr("Remove the selected label; its rows become unlabelled")
        )
        self.up_button = self._button(
            self.tr("Move &up"), lambda: self._move_selected(-1), self.tr("Move the selected label up (its number key changes)")
        )
        self.down_button = self._button(
            self.tr("Move do&wn"), lambda: self._move_selected(1), self.tr("Move the selected label down (its number key changes)")
        )
        self.color_button = self._button(self.tr("&Colour…"), self.ask_color, self.tr("Choose the selected label's colour"))
        buttons = QVBoxLayout()
        for button in (
            self.add_button,
            self.rename_button,
            self.merge_button,
            self.delete_button,
            None,
            self.up_button,
            self.down_button,
            None,
            self.color_button,
        ):
            if button is None:
                buttons.addSpacing(10)
            else:
                buttons.addWidget(button)
        buttons.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(buttons)

        self.summary_label = _plain_label(style="color: #555;")

        self.hygiene_box = QGroupBox(self.tr("Checks"))
        self.hygiene_rows = QVBoxLayout()
        self.hygiene_rows.setContentsMargins(4, 4, 4, 4)
        holder = QWidget()
        holder.setLayout(self.hygiene_rows)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(holder)
        scroll.setMinimumHeight(90)
        box_layout = QVBoxLayout(self.hygiene_box)
        box_layout.setContentsMargins(6, 6, 6, 6)
        box_layout.addWidget(scroll)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top, 3)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.hygiene_box, 2)
        layout.addWidget(close)
        self.refresh()

    def _button(self, text: str, slot: Callable[[], object], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(lambda checked=False: slot())
        return button

    # -- display ------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The labels in the list, in order."""
        return [self.list.item(i).data(NAME_ROLE) for i in range(self.list.count())]

    def selected_names(self) -> list[str]:
        """The selected labels, in list order."""
        return [self.list.item(i).data(NAME_ROLE) for i in range(self.list.count()) if self.list.item(i).isSelected()]

    def select(self, names: Sequence[str]) -> None:
        """Select exactly ``names`` (those that exist) and make the first one current."""
        wanted = set(names)
        self.list.clearSelection()
        first = True
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(NAME_ROLE) in wanted:
                if first:
                    self.list.setCurrentItem(item)
                    first = False
                item.setSelected(True)

    def refresh(self) -> None:
        """Re-read the label set, counts and colours from the project (keeps the selection)."""
        selected = self.selected_names()
        counts = self.project.label_counts()
        colors = self.project.display_colors()
        self.list.blockSignals(True)
        self.list.clear()
        for i, (name, rows) in enumerate(counts.items(), start=1):
            key = f"{i}. " if i <= 9 else "    "
            count = self.tr("1 row") if rows == 1 else self.tr("{count:,} rows").format(count=rows)
            item = QListWidgetItem(color_swatch(colors.get(name)), f"{key}{name}    ({count})")
            item.setData(NAME_ROLE, name)
            if name in colors:
                tip = self.tr("{label}: {count:,} rows, colour {colour}").format(label=name, count=rows, colour=colors[name])
            else:
                tip = self.tr("{label}: {count:,} rows").format(label=name, count=rows)
            item.setToolTip(tip)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.select(selected)
        labelled = sum(counts.values())
        self.summary_label.setText(
            self.tr("{labels:,} labels; {labelled:,} of {rows:,} rows labelled.").format(
                labels=len(counts), labelled=labelled, rows=self.project.row_count
            )
        )
        self._refresh_hygiene()
        self._update_buttons()

    def on_labels_changed(self) -> None:
        """Labels changed (here, elsewhere, Edit > Undo): show the project as it is now."""
        if self.isVisible() and not self.project.closed:
            self.refresh()

    def _refresh_hygiene(self) -> None:
        while self.hygiene_rows.count():
            item = self.hygiene_rows.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.hygiene_merge_buttons = []
        self.hygiene_labels = []
        self.hygiene_issues = check_labels(self.project)
        if not self.hygiene_issues:
            ok = _plain_label(
                self.tr("No problems found: no look-alike names, every label has at least {count} rows.").format(count=MIN_EXAMPLES),
                "color: #2e7d32;",
            )
            self.hygiene_rows.addWidget(ok)
            self.hygiene_labels.append(ok)
        for issue in self.hygiene_issues:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 2, 0, 2)
            text = _plain_label(("⚠ " if issue.kind == "near_duplicate" else "• ") + issue.message)
            text.setWordWrap(True)
            if issue.fix:
                text.setToolTip(issue.fix)
            line.addWidget(text, 1)
            self.hygiene_labels.append(text)
            if issue.kind == "near_duplicate":
                button = QPushButton(self.tr("Merge into “{label}”").format(label=issue.merge_into))
                button.setAutoDefault(False)
                button.setToolTip(issue.fix or "")
                button.clicked.connect(lambda checked=False, i=issue: self.apply_fix(i))
                line.addWidget(button)
                self.hygiene_merge_buttons.append(button)
            self.hygiene_rows.addWidget(row)
        self.hygiene_rows.addStretch(1)

    def _update_buttons(self) -> None:
        selected = self.selected_names()
        one = len(selected) == 1
        names = self.names()
        self.rename_button.setEnabled(one)
        self.delete_button.setEnabled(one)
        self.color_button.setEnabled(one)
        self.merge_button.setEnabled(bool(selected) and len(names) >= 2)
        self.up_button.setEnabled(one and names.index(selected[0]) > 0)
        self.down_button.setEnabled(one and names.index(selected[0]) < len(names) - 1)

    # -- edits (no questions asked) ----------------------------------------------------------
    def _snapshot(self) -> tuple[tuple[str, ...], dict[str, str], int]:
        return self.project.label_set.names, self.project.display_colors(), self.project.labelled_count

    def _apply(self, title: str, edit: Callable[[], object], select: Sequence[str] = ()) -> bool:
        """Run ``edit`` on the project; show a BertdeskError; emit only if something changed."""
        before = self._snapshot()
        try:
            edit()
        except BertdeskError as err:
            show_error(self, title, err)
            return False
        changed = self._snapshot() != before
        self.refresh()
        if select:
            self.select(select)
        if changed:
            self.label_set_changed.emit()
        return changed

    def add_label(self, name: str, color: str | None = None) -> bool:
        """Add a label at the end. Returns True when the label set changed."""
        return self._apply(self.tr("Cannot add the label"), lambda: self.project.add_label(name, color), [normalise_label(name)])

    def rename(self, old: str, new: str) -> bool:
        """Rename ``old`` to ``new``; its rows follow."""
        return self._apply(self.tr("Cannot rename the label"), lambda: self.project.rename_label(old, new), [normalise_label(new)])

    def merge(self, into: str, others: Sequence[str]) -> bool:
        """Relabel the rows of ``others`` as ``into`` and remove ``others``."""
        others = [n for n in others if n != into]
        if not others:
            return False
        return self._apply(self.tr("Cannot merge the labels"), lambda: self.project.merge_labels(into, others), [into])

    def delete(self, name: str, confirm: bool = False) -> bool:
        """Remove ``name``; its rows become unlabelled. With ``confirm``, ask first."""
        if confirm and not self.confirm_delete(name):
            return False
        return self._apply(self.tr("Cannot delete the label"), lambda: self.project.delete_label(name))

    def move(self, name: str, delta: int) -> bool:
        """Move ``name`` by ``delta`` places (negative: up); clamped to the list."""
        names = list(self.project.label_set.names)
        if name not in names:
            show_error(
                self, self.tr("Cannot move the label"), LabelError(self.tr("There is no label named {label}.").format(label=repr(name)))
            )
            return False
        old = names.index(name)
        new = max(0, min(len(names) - 1, old + delta))
        if new == old:
            return False
        names.insert(new, names.pop(old))
        return self._apply(self.tr("Cannot move the label"), lambda: self.project.reorder_labels(names), [name])

    def set_color(self, name: str, color: QColor | str | None) -> bool:
        """Set the colour of ``name`` (a QColor or "#rrggbb"; None removes it)."""
        value = color.name() if isinstance(color, QColor) else color
        return self._apply(self.tr("Cannot set the colour"), lambda: self.project.set_label_color(name, value), [name])

    def apply_fix(self, issue: HygieneIssue) -> bool:
        """The one-click fix of a hygiene issue (near-duplicates: merge into the most used)."""
        if issue.merge_into is None:
            return False
        return self.merge(issue.merge_into, issue.merge_others)

    # -- buttons (ask, then edit) -------------------------------------------------------------
    def confirm_delete(self, name: str) -> bool:
        try:
            rows = self.project.rows_with_label(name)
        except BertdeskError as err:
            show_error(self, self.tr("Cannot delete the label"), err)
            return False
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Delete label"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(delete_confirmation_text(name, rows))
        box.setInformativeText(self.tr("You can undo this with Edit > Undo."))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    def ask_add(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("Add a label"), self.tr("New label name:"))
        if ok and name.strip():
            self.add_label(name)

    def ask_rename(self) -> None:
        selected = self.selected_names()
        if len(selected) != 1:
            return
        new, ok = QInputDialog.getText(
            self, self.tr("Rename label"), self.tr("New name for “{label}”:").format(label=selected[0]), text=selected[0]
        )
        if ok and new != selected[0]:
            self.rename(selected[0], new)

    def ask_merge(self) -> None:
        selected = self.selected_names()
        names = self.names()
        if not selected or len(names) < 2:
            return
        # Several selected: merge them into one of them. One selected: into another label.
        counts = self.project.label_counts()
        choices = selected if len(selected) >= 2 else [n for n in names if n != selected[0]]
        choices = sorted(choices, key=lambda n: -counts.get(n, 0))
        what = self.tr(", ").join(self.tr("“{label}”").format(label=n) for n in selected)
        into, ok = QInputDialog.getItem(
            self, self.tr("Merge labels"), self.tr("Relabel the rows of {labels} as:").format(labels=what), choices, 0, False
        )
        if ok and into:
            self.merge(into, [n for n in selected if n != into])

    def ask_delete(self) -> None:
        selected = self.selected_names()
        if len(selected) == 1:
            self.delete(selected[0], confirm=True)

    def ask_color(self) -> None:
        selected = self.selected_names()
        if len(selected) != 1:
            return
        name = selected[0]
        initial = QColor(self.project.display_colors().get(name, DEFAULT_COLOR))
        color = QColorDialog.getColor(initial, self, self.tr("Colour of “{label}”").format(label=name))
        if color.isValid():
            self.set_color(name, color)

    def _move_selected(self, delta: int) -> None:
        selected = self.selected_names()
        if len(selected) == 1:
            self.move(selected[0], delta)

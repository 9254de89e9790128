"""Data panel: the welcome page when nothing is open, the project's table when something is."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.project.label_set import normalise_label
from bertdesk.core.project.row_views import LABEL_COLUMN, RowView, Show
from bertdesk.core.resources import resource_path
from bertdesk.gui.jobs import JobKind, JobRunner
from bertdesk.gui.models.dataset_model import DatasetTableModel
from bertdesk.gui.project_events import ProjectEvents
from bertdesk.gui.widgets.notices import STRONG_WARNING_STYLE
from bertdesk.gui.widgets.unreadable_text import coverage_summary, train_warning

if TYPE_CHECKING:
    from bertdesk.core.ml.vocabulary_coverage import Coverage
    from bertdesk.core.project import Project
    from bertdesk.core.project.events import LabelsChanged


def _measure_coverage(project: Project, *, on_progress: object, cancel: object) -> tuple[Coverage, str]:
    """How much of the text column the project's chosen model cannot read (a seeded sample)."""
    from bertdesk.core.ml.vocabulary_coverage import project_coverage
    from bertdesk.core.review.label_review import chosen_model

    return project_coverage(project, str(chosen_model(project))), project.text_column


def _icon(name: str) -> QIcon:
    return QIcon(str(resource_path("icons", f"{name}.svg")))


class WelcomePage(QWidget):
    """What a first-time user sees: open a file, open a project, or try the sample."""

    open_file_requested = Signal()
    open_project_requested = Signal()
    sample_requested = Signal()
    recent_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("Classify the text in your spreadsheets"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        subtitle = QLabel(
            self.tr("Open a CSV, TSV, Excel or Parquet file, label a few rows, train a BERT model, and export the predictions.")
        )
        subtitle.setWordWrap(True)
        subtitle.setStyleSheet("color: #555;")

        # The leading spaces keep the text clear of the icon (the buttons are left-aligned).
        self.open_button = QPushButton(_icon("open"), "  " + self.tr("Open a spreadsheet…"))
        self.open_button.setToolTip("Ctrl+O")
        self.project_button = QPushButton(_icon("data"), "  " + self.tr("Open a project…"))
        self.sample_button = QPushButton(_icon("sample"), "  " + self.tr("Try the sample data"))
        self.sample_button.setToolTip(self.tr("400 customer-feedback messages in four categories, some of them unlabelled"))
        for button in (self.open_button, self.project_button, self.sample_button):
            button.setIconSize(QSize(20, 20))
            button.setMinimumHeight(40)
            button.setMinimumWidth(260)
            button.setStyleSheet("QPushButton { text-align: left; padding-left: 14px; }")
        self.open_button.clicked.connect(self.open_file_requested)
        self.project_button.clicked.connect(self.open_project_requested)
        self.sample_button.clicked.connect(self.sample_requested)

        drop_hint = QLabel(self.tr("…or drop a file anywhere on this window."))
        drop_hint.setStyleSheet("color: #777;")

        self.recent_caption = QLabel(self.tr("Recent"))
        self.recent_caption.setStyleSheet("font-weight: bold;")
        self.recent_list = QListWidget()
        self.recent_list.setMaximumWidth(560)
        self.recent_list.setMinimumHeight(120)
        self.recent_list.itemActivated.connect(lambda item: self.recent_activated.emit(item.data(Qt.ItemDataRole.UserRole)))

        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(18)
        for button in (self.open_button, self.project_button, self.sample_button):
            row = QHBoxLayout()
            row.addWidget(button)
            row.addStretch(1)
            column.addLayout(row)
        column.addWidget(drop_hint)
        column.addSpacing(18)
        column.addWidget(self.recent_caption)
        column.addWidget(self.recent_list)
        column.addStretch(2)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 3)
        outer.addStretch(1)

    def set_recent_files(self, paths: list[str]) -> None:
        self.recent_list.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}    —    {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent_list.addItem(item)
        self.recent_caption.setVisible(bool(paths))
        self.recent_list.setVisible(bool(paths))


SHOW_CHOICES: tuple[tuple[str, Show], ...] = (  # shown translated (context DataPanel)
    (QT_TRANSLATE_NOOP("DataPanel", "All rows"), "all"),
    (QT_TRANSLATE_NOOP("DataPanel", "Unlabelled"), "unlabelled"),
    (QT_TRANSLATE_NOOP("DataPanel", "Labelled"), "labelled"),
    (QT_TRANSLATE_NOOP("DataPanel", "With label"), "label"),
    (QT_TRANSLATE_NOOP("DataPanel", "Predicted as"), "predicted"),
    (QT_TRANSLATE_NOOP("DataPanel", "Text contains"), "text"),
)


class DataPanel(QWidget):
    """The table of the open project (lazy: a million rows scroll smoothly).

    "Show" filters the rows (unlabelled, by label, by predicted label, text) and a click on a
    column header sorts by it (again: descending; a third time: file order). Both are computed
    in core (:mod:`bertdesk.core.project.row_views`) as a background job; Esc cancels it.

    Selected rows can be labelled (or cleared) in bulk from the bar above the table or the
    table's context menu. The panel does not write labels itself: it emits
    ``bulk_label_requested(rows, label or None, also_duplicates)`` and the main window runs
    the one project edit (one undo step) as a job.

    Labels changed anywhere (announced by the project) show at once, hidden or not: that costs
    dropping the cached pages of the touched rows and recounting from the project's tally;
    Qt repaints only what is on screen.
    """

    bulk_label_requested = Signal(object, object, bool)  # list[int] rows (sorted), str | None, bool
    explain_requested = Signal(int)  # row id: a double-click asks the Attention panel to explain it
    similar_requested = Signal(int)  # row id: "Find Similar Rows" from the context menu

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.welcome = WelcomePage()
        self.model = DatasetTableModel(parent=self)
        self.events = ProjectEvents(self)
        self.events.labels_changed.connect(self._on_project_labels_changed)
        self.events.label_set_changed.connect(lambda _message: self._on_project_label_set_changed())
        self.jobs = JobRunner(self, show_line=lambda line: self.view_label.setText(line))
        self._sort: tuple[int, bool] | None = None  # (column, descending)
        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setStyleSheet("padding: 4px 2px;")
        # The model's [UNK] share of the text column, measured in the background once per project.
        self._coverage: Coverage | None = None
        self.unreadable_label = QLabel()
        self.unreadable_label.setWordWrap(True)
        self.unreadable_label.setStyleSheet(STRONG_WARNING_STYLE)
        self.unreadable_label.hide()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Fixed row heights and no content-based sizing: Qt then never touches more than the
        # visible rows, which is what keeps a million-row table instant.
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(24)
        horizontal = self.table.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setDefaultSectionSize(160)
        horizontal.setStretchLastSection(False)
        horizontal.setSectionsClickable(True)
        horizontal.sectionClicked.connect(self._on_header_clicked)
        horizontal.setToolTip(self.tr("Click a column's header to sort by it; again for descending; a third time for file order"))

        self.show_combo = QComboBox()
        for text, show in SHOW_CHOICES:
            self.show_combo.addItem(QCoreApplication.translate("DataPanel", text), show)
        self.show_combo.currentIndexChanged.connect(self._on_show_changed)
        self.value_combo = QComboBox()
        self.value_combo.setMinimumContentsLength(8)
        self.value_combo.activated.connect(lambda _index: self.apply_view())
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("text to find (Enter)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.apply_view)
        self.view_label = QLabel()
        self.view_label.setTextFormat(Qt.TextFormat.PlainText)
        self.view_label.setStyleSheet("color: #555;")
        view_bar = QHBoxLayout()
        view_bar.addWidget(QLabel(self.tr("Show")))
        view_bar.addWidget(self.show_combo)
        view_bar.addWidget(self.value_combo)
        view_bar.addWidget(self.search_edit, 1)
        view_bar.addWidget(self.view_label, 1)
        self.value_combo.hide()
        self.search_edit.hide()

        self.table.doubleClicked.connect(lambda index: self.explain_requested.emit(self.model.row_id(index.row())))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_bulk_bar())
        self.model.modelReset.connect(self._update_bulk_bar)

        self.bulk_caption = QLabel()
        self.bulk_caption.setTextFormat(Qt.TextFormat.PlainText)
        self.bulk_combo = QComboBox()
        self.bulk_combo.setMinimumContentsLength(8)
        self.bulk_combo.setEditable(True)  # a new name is added to the label set
        self.bulk_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.bulk_apply_button = QPushButton(self.tr("Apply"))
        self.bulk_apply_button.clicked.connect(self._on_bulk_apply_clicked)
        self.bulk_clear_button = QPushButton(self.tr("Clear label"))
        self.bulk_clear_button.clicked.connect(lambda: self.request_bulk_label(None))
        self.duplicates_check = QCheckBox(self.tr("Also label exact duplicates"))
        self.duplicates_check.setToolTip(self.tr("Also every other row whose text is the same (ignoring leading and trailing spaces)"))
        for widget in (self.bulk_caption, self.duplicates_check):
            widget.setMinimumWidth(40)  # may shrink below their text, so the window can stay narrow
        bulk_bar = QHBoxLayout()
        bulk_bar.addWidget(self.bulk_caption)
        bulk_bar.addWidget(self.bulk_combo)
        bulk_bar.addWidget(self.bulk_apply_button)
        bulk_bar.addWidget(self.bulk_clear_button)
        bulk_bar.addWidget(self.duplicates_check)
        bulk_bar.addStretch(1)

        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.summary_label)
        table_layout.addWidget(self.unreadable_label)
        table_layout.addLayout(view_bar)
        table_layout.addLayout(bulk_bar)
        table_layout.addWidget(self.table, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(table_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

    def set_project(self, project: Project | None) -> None:
        self.events.set_project(project)
        self.jobs.forget("view")
        self.jobs.forget("coverage")
        self._coverage = None
        self.unreadable_label.hide()
        self._sort = None
        self.table.horizontalHeader().setSortIndicatorShown(False)
        self.show_combo.blockSignals(True)
        self.show_combo.setCurrentIndex(0)
        self.show_combo.blockSignals(False)
        self._on_show_changed()
        self.model.set_project(project)
        self.view_label.setText("")
        if project is None:
            self.stack.setCurrentWidget(self.welcome)
            return
        self.stack.setCurrentIndex(1)
        self._size_columns(project)
        self.update_summary()
        self._measure_coverage(project)

    def _on_project_labels_changed(self, message: LabelsChanged) -> None:
        self.model.refresh_labels(message.first, message.last)
        self.update_summary()

    def _on_project_label_set_changed(self) -> None:
        self.model.refresh_labels()  # a rename shows on every row that carries the label
        self.update_summary()

    def update_summary(self) -> None:
        project = self.model.project
        if project is None:
            return
        counts = project.label_counts()
        self._sync_bulk_labels(tuple(counts))
        labels = self.tr(", ").join(f"{name} {n:,}" for name, n in counts.items()) or self.tr("no labels yet")
        coverage = f" · {coverage_summary(self._coverage)}" if self._coverage is not None else ""
        self.summary_label.setText(
            self.tr("{rows:,} rows · text column: {column} · {labelled:,} labelled ({labels})").format(
                rows=project.row_count, column=project.text_column, labelled=project.labelled_count, labels=labels
            )
            + coverage
        )

    def _measure_coverage(self, project: Project) -> None:
        """Start measuring how much of the text column the chosen model cannot read; a hint, so
        a failure (no model found, say) only leaves it out."""

        def measured(found: tuple[Coverage, str]) -> None:
            # Closed meanwhile (the window closing, a test ending): nothing to show, nothing to read.
            if project is not self.model.project or project.closed:
                return
            self._coverage, column = found
            message = train_warning(self._coverage, column)
            self.unreadable_label.setText(message or "")
            self.unreadable_label.setVisible(message is not None)
            self.update_summary()

        self.jobs.start(
            "coverage",
            lambda on_progress, cancel: _measure_coverage(project, on_progress=on_progress, cancel=cancel),
            kind=JobKind.BACKGROUND,
            on_done=measured,
            show_failure=False,
        )

    def _size_columns(self, project: Project) -> None:
        header = self.table.horizontalHeader()
        header.resizeSection(0, 120)
        for i, name in enumerate(project.columns, start=1):
            header.resizeSection(i, 520 if name == project.text_column else 140)

    # -- filter and sort -----------------------------------------------------------------------
    def current_view(self) -> RowView:
        """What "Show" and the sorted header ask for."""
        show: Show = self.show_combo.currentData()
        value = self.search_edit.text() if show == "text" else self.value_combo.currentText() if show in ("label", "predicted") else ""
        sort_column = None
        if self._sort is not None and self.model.project is not None:
            column, _ = self._sort
            sort_column = LABEL_COLUMN if column == 0 else self.model.column_name(column)
        return RowView(show, value, sort_column, self._sort[1] if self._sort else False)

    def apply_view(self) -> None:
        """Recompute the rows shown (a background job; a newer request replaces an older one)."""
        project = self.model.project
        if project is None:
            return
        view = self.current_view()
        if view.is_plain or (view.show in ("label", "predicted") and not view.value):
            self.jobs.forget("view")
            self.model.set_order(None)
            self.view_label.setText("")
            return
        from bertdesk.core.project.row_views import view_rows

        self.view_label.setText(self.tr("Sorting…") if view.show == "all" else self.tr("Filtering…"))
        self.jobs.start(
            "view",
            lambda on_progress, cancel: view_rows(project, view, on_progress=on_progress, cancel=cancel),
            title=self.tr("Filter rows"),
            on_done=lambda rows: self._show_view(project, rows),
            on_cancelled=lambda: self.view_label.setText(self.tr("Stopped.")),
        )

    def _show_view(self, project: Project, rows: object) -> None:
        if project is not self.model.project:
            return
        self.model.set_order(rows)  # type: ignore[arg-type]
        shown = self.model.rowCount()
        self.view_label.setText(self.tr("{shown:,} of {rows:,} rows").format(shown=shown, rows=project.row_count))

    def _on_show_changed(self, _index: int = 0) -> None:
        show = self.show_combo.currentData()
        self.value_combo.setVisible(show in ("label", "predicted"))
        self.search_edit.setVisible(show == "text")
        if show in ("label", "predicted"):
            self._fill_values(show)
        if show != "text" or self.search_edit.text():
            self.apply_view()
        if show == "text":
            self.search_edit.setFocus()

    def _fill_values(self, show: str) -> None:
        project = self.model.project
        names: list[str] = []
        if project is not None:
            if show == "label":
                names = list(project.label_set.names)
            else:
                active = project.active_run()
                names = [str(n) for n in (active.metrics or {}).get("labels", [])] if active is not None else []
        current = self.value_combo.currentText()
        self.value_combo.blockSignals(True)
        self.value_combo.clear()
        self.value_combo.addItems(names)
        if current in names:
            self.value_combo.setCurrentText(current)
        self.value_combo.blockSignals(False)

    def _on_header_clicked(self, column: int) -> None:
        # Ascending, then descending, then back to file order.
        if self._sort is None or self._sort[0] != column:
            self._sort = (column, False)
        elif not self._sort[1]:
            self._sort = (column, True)
        else:
            self._sort = None
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(self._sort is not None)
        if self._sort is not None:
            order = Qt.SortOrder.DescendingOrder if self._sort[1] else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(column, order)
        self.apply_view()

    def cancel_work(self) -> bool:
        """Esc (the window's Cancel Job): stop computing the filter or sort; True when one ran."""
        return self.jobs.cancel("view")

    # -- bulk labelling -----------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        """The selected project row ids, sorted, from the selection's ranges (cheap for Ctrl+A on 1M rows)."""
        ranges = [(r.top(), r.bottom()) for r in self.table.selectionModel().selection()]
        if not self.model.is_filtered_or_sorted and len(ranges) == 1:
            return list(range(ranges[0][0], ranges[0][1] + 1))
        rows: set[int] = set()
        for top, bottom in ranges:
            rows.update(self.model.row_id(r) for r in range(top, bottom + 1))
        return sorted(rows)

    def selected_count(self) -> int:
        """How many rows are selected (without listing them)."""
        ranges = sorted((r.top(), r.bottom()) for r in self.table.selectionModel().selection())
        count, end = 0, -1
        for top, bottom in ranges:  # ranges may overlap (one per selected column span)
            if bottom > end:
                count += bottom - max(top, end + 1) + 1
                end = bottom
        return count

    def request_bulk_label(self, label: str | None) -> None:
        """Ask for the selected rows to get ``label`` (None clears)."""
        if self.model.project is None:
            return
        rows = self.selected_rows()
        if rows:
            self.bulk_label_requested.emit(rows, label, self.duplicates_check.isChecked())

    def _on_bulk_apply_clicked(self) -> None:
        # The project's own cleaning: strip() would keep "\u200b", which then clears the rows.
        name = normalise_label(self.bulk_combo.currentText())
        if name:
            self.request_bulk_label(name)

    def _sync_bulk_labels(self, names: tuple[str, ...]) -> None:
        current = [self.bulk_combo.itemText(i) for i in range(self.bulk_combo.count())]
        if list(names) == current:
            return
        text = self.bulk_combo.currentText()
        self.bulk_combo.clear()
        self.bulk_combo.addItems(list(names))
        if text:
            self.bulk_combo.setCurrentText(text)

    def _update_bulk_bar(self) -> None:
        count = self.selected_count() if self.model.project is not None else 0
        if count == 1:
            self.bulk_caption.setText(self.tr("Label 1 selected row as"))
        else:
            self.bulk_caption.setText(self.tr("Label {count:,} selected rows as").format(count=count))
        for widget in (self.bulk_combo, self.bulk_apply_button, self.bulk_clear_button):
            widget.setEnabled(count > 0)

    def build_context_menu(self) -> QMenu:
        """The table's context menu: "Label selected rows" with each label, and "Clear label"."""
        menu = QMenu(self)
        project = self.model.project
        count = self.selected_count() if project is not None else 0
        sub = menu.addMenu(self.tr("Label 1 selected row") if count == 1 else self.tr("Label {count:,} selected rows").format(count=count))
        sub.setEnabled(count > 0)
        for name in () if project is None else project.label_set.names:
            sub.addAction(name).triggered.connect(lambda checked=False, n=name: self.request_bulk_label(n))
        sub.addSeparator()
        clear = sub.addAction(self.tr("Clear label"))
        clear.triggered.connect(lambda checked=False: self.request_bulk_label(None))
        row = self.similar_source_row()
        similar = menu.addAction(
            self.tr("Find Similar Rows…") if row is None else self.tr("Find Rows Like Row {row:,}…").format(row=row + 1)
        )
        similar.setShortcut("Ctrl+Shift+F")  # shown in the menu; the window's action answers the key
        similar.setEnabled(row is not None)
        similar.triggered.connect(lambda checked=False: row is not None and self.similar_requested.emit(row))
        return menu

    def similar_source_row(self) -> int | None:
        """The row "Find Similar Rows" starts from: the table's current row, if any."""
        index = self.table.currentIndex()
        if self.model.project is None or not index.isValid():
            return None
        return int(self.model.row_id(index.row()))

    def _show_context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

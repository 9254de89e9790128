"""Import dialog: preview a spreadsheet with what was detected, and let the user change it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.errors import BertdeskError
from bertdesk.core.importing import PREVIEW_ROWS, PROJECT_SUFFIX, ImportOptions, default_project_path, preview_import
from bertdesk.gui.models.frame_model import FrameTableModel
from bertdesk.gui.widgets.notices import WARNING_STYLE

NO_LABEL = QT_TRANSLATE_NOOP("ImportDialog", "(none)")  # shown translated
# The names of core's DELIMITER_CHOICES, marked here so that the dialog can show them translated.
DELIMITER_NAMES = (
    QT_TRANSLATE_NOOP("ImportDialog", "Comma"),
    QT_TRANSLATE_NOOP("ImportDialog", "Semicolon"),
    QT_TRANSLATE_NOOP("ImportDialog", "Tab"),
    QT_TRANSLATE_NOOP("ImportDialog", "Pipe"),
)


def delimiter_name(name: str) -> str:
    """A delimiter's name (core's English one) in the interface language."""
    return QCoreApplication.translate("ImportDialog", name)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that never interprets its text as HTML (file and column names are data)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


class ImportDialog(QDialog):
    """Shows the first rows of ``path`` and returns :class:`ImportOptions` via :meth:`options`."""

    def __init__(self, path: str | Path, *, fallback_dir: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from bertdesk.core.tables import reading as data

        self._data = data
        self.path = Path(path).resolve()
        self.setWindowTitle(self.tr("Import {file}").format(file=self.path.name))
        self.resize(980, 640)
        self.table_info: Any = None
        self.preview_error: str | None = None
        self._loading = False

        # -- controls --------------------------------------------------------------------
        self.file_label = plain_label(str(self.path))
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detected_label = plain_label()
        self.encoding_combo = QComboBox()
        self.encoding_combo.addItem(self.tr("Detect"), None)
        for codec in data.ENCODING_CHOICES:
            self.encoding_combo.addItem(codec, codec)
        self.delimiter_combo = QComboBox()
        self.delimiter_combo.addItem(self.tr("Detect"), None)
        for delimiter, name in data.DELIMITER_CHOICES.items():
            self.delimiter_combo.addItem(delimiter_name(name), delimiter)
        self.sheet_combo = QComboBox()
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, 1000)
        self.header_spin.setToolTip(
            self.tr(
                "The row that holds the column names (counting non-blank rows); rows above it "
                "are skipped. Detected from the content until you change it"
            )
        )
        self._header_chosen: int | None = None  # 0-based; None: let read_table find the header row
        self.text_combo = QComboBox()
        self.text_combo.setToolTip(self.tr("The column whose text the model reads"))
        self.label_combo = QComboBox()
        self.label_combo.setToolTip(self.tr("Optional: a column that already holds labels; they are imported as labels"))
        self.warning_label = plain_label()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.hide()
        self.error_label = plain_label()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("QLabel { background: #fde7e9; color: #8a1c1c; padding: 6px; border-radius: 4px; }")
        self.error_label.hide()

        self.preview_model = FrameTableModel(self)
        self.preview_view = QTableView()
        self.preview_view.setModel(self.preview_model)
        self.preview_view.setWordWrap(False)
        self.preview_view.verticalHeader().setDefaultSectionSize(22)
        self.preview_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_view.horizontalHeader().setDefaultSectionSize(160)

        self.project_edit = QLineEdit(str(default_project_path(self.path, fallback_dir)))
        self.project_edit.setToolTip(self.tr("The project file keeps a copy of the table and every label you set"))
        browse = QPushButton(self.tr("Browse…"))
        # Not an auto-default button: in a dialog, a focused auto-default button takes Enter,
        # and Enter must always mean Import (a user pressed it and got "Save project as…").
        browse.setAutoDefault(False)
        browse.clicked.connect(self._on_browse_clicked)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        # -- layout ----------------------------------------------------------------------
        reading = QGridLayout()
        reading.addWidget(QLabel(self.tr("Encoding")), 0, 0)
        reading.addWidget(self.encoding_combo, 0, 1)
        reading.addWidget(QLabel(self.tr("Delimiter")), 0, 2)
        reading.addWidget(self.delimiter_combo, 0, 3)
        self.sheet_caption = QLabel(self.tr("Sheet"))
        reading.addWidget(self.sheet_caption, 0, 4)
        reading.addWidget(self.sheet_combo, 0, 5)
        reading.addWidget(QLabel(self.tr("Column names in row")), 0, 6)
        reading.addWidget(self.header_spin, 0, 7)
        reading.setColumnStretch(8, 1)

        columns = QFormLayout()
        columns.addRow(self.tr("Text column"), self.text_combo)
        columns.addRow(self.tr("Label column"), self.label_combo)

        project_row = QHBoxLayout()
        project_row.addWidget(self.project_edit, 1)
        project_row.addWidget(browse)

        layout = QVBoxLayout(self)
        head = QFormLayout()
        head.addRow(self.tr("File"), self.file_label)
        head.addRow(self.tr("Detected"), self.detected_label)
        layout.addLayout(head)
        layout.addLayout(reading)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.preview_view, 1)
        layout.addLayout(columns)
        project_form = QFormLayout()
        project_form.addRow(self.tr("Project file"), project_row)
        layout.addLayout(project_form)
        layout.addWidget(self.buttons)
        # Only now, with the button inside the dialog: setDefault() on a button that has no
        # dialog yet is forgotten, and the dialog then makes its first auto-default button
        # (Browse…, or Cancel) the one Enter presses.
        self.import_button.setDefault(True)

        for combo in (self.encoding_combo, self.delimiter_combo, self.sheet_combo):
            combo.currentIndexChanged.connect(self._on_reading_option_changed)
        # The spin box re-reads after typing pauses, not on every key.
        self._header_timer = QTimer(self, singleShot=True, interval=300)
        self._header_timer.timeout.connect(self._on_reading_option_changed)
        self.header_spin.valueChanged.connect(self._on_header_spin_changed)
        self.text_combo.currentIndexChanged.connect(self._on_columns_changed)
        self.label_combo.currentIndexChanged.connect(self._on_columns_changed)
        self.project_edit.textChanged.connect(self._update_import_enabled)

        self.reload_preview()

    # -- reading -------------------------------------------------------------------------
    def reload_preview(self) -> None:
        """Read the first rows with the current options and refresh every control."""
        self._loading = True
        try:
            try:
                # The same preview `bertdesk import` detects and suggests from.
                table = preview_import(
                    self.path,
                    encoding=self.encoding_combo.currentData(),
                    delimiter=self.delimiter_combo.currentData(),
                    sheet=self.sheet_combo.currentData(),
                    header_row=self._header_chosen,
                )
            except BertdeskError as err:
                self.table_info = None
                self.preview_error = str(err)
                self.preview_model.set_frame(None)
                self.error_label.setText(str(err))
                self.error_label.show()
                self.warning_label.hide()
                self.detected_label.setText("")
                self._fill_columns([], None, None)
                return
            self.preview_error = None
            self.error_label.hide()
            info = table.info
            self.table_info = info
            self.preview_model.set_frame(table.frame)
            self._show_detection(info)
            self.header_spin.blockSignals(True)
            self.header_spin.setValue(info.header_row + 1)  # what was detected, or chosen
            self.header_spin.blockSignals(False)
            self._fill_sheets(info)
            keep_text = self.text_combo.currentText() if self.text_combo.count() else None
            keep_label = self.label_combo.currentData() if self.label_combo.count() else None
            text = keep_text if keep_text in info.columns else info.text_column
            label = keep_label if keep_label in info.columns else info.label_column
            self._fill_columns(list(info.columns), text, label)
            header = self.preview_view.horizontalHeader()
            for i, name in enumerate(info.columns):
                header.resizeSection(i, 380 if name == text else 120)
        finally:
            self._loading = False
            self._on_columns_changed()

    def _show_detection(self, info: Any) -> None:
        parts = [info.format.upper()]
        if info.encoding:
            parts.append(info.encoding)
        if info.delimiter:
            name = self._data.DELIMITER_CHOICES.get(info.delimiter)
            parts.append((delimiter_name(name) if name else repr(info.delimiter)).lower())
        if info.sheet:
            parts.append(self.tr("sheet {sheet}").format(sheet=info.sheet))
        if info.rows >= PREVIEW_ROWS:
            shown = self.tr("first {count:,} rows shown").format(count=info.rows)
        else:
            shown = self.tr("{count:,} rows").format(count=info.rows)
        parts.append(self.tr("{columns} columns, {shown}").format(columns=len(info.columns), shown=shown))
        self.detected_label.setText(" · ".join(parts))
        if info.warnings:
            self.warning_label.setText("\n".join(f"⚠ {w}" for w in info.warnings))
            self.warning_label.show()
        else:
            self.warning_label.hide()
        is_text = info.encoding is not None
        self.encoding_combo.setEnabled(is_text)
        self.delimiter_combo.setEnabled(is_text)

    def _fill_sheets(self, info: Any) -> None:
        has_sheets = bool(info.sheets)
        self.sheet_combo.setVisible(has_sheets)
        self.sheet_caption.setVisible(has_sheets)
        if has_sheets and self.sheet_combo.count() != len(info.sheets):
            self.sheet_combo.blockSignals(True)
            self.sheet_combo.clear()
            for name in info.sheets:
                self.sheet_combo.addItem(name, name)
            self.sheet_combo.setCurrentIndex(max(0, list(info.sheets).index(info.sheet)) if info.sheet in info.sheets else 0)
            self.sheet_combo.blockSignals(False)

    def _fill_columns(self, columns: list[str], text: str | None, label: str | None) -> None:
        for combo in (self.text_combo, self.label_combo):
            combo.blockSignals(True)
            combo.clear()
        for name in columns:
            self.text_combo.addItem(name, name)
        self.label_combo.addItem(QCoreApplication.translate("ImportDialog", NO_LABEL), None)
        for name in columns:
            self.label_combo.addItem(name, name)
        if text in columns:
            self.text_combo.setCurrentIndex(columns.index(text))
        self.label_combo.setCurrentIndex(columns.index(label) + 1 if label in columns else 0)
        for combo in (self.text_combo, self.label_combo):
            combo.blockSignals(False)

    # -- slots ---------------------------------------------------------------------------
    def _on_reading_option_changed(self, *_: Any) -> None:
        if not self._loading:
            self.reload_preview()

    def _on_header_spin_changed(self, value: int) -> None:
        self._header_chosen = value - 1
        self._header_timer.start()

    def _on_columns_changed(self, *_: Any) -> None:
        if self._loading:
            return
        chosen = {c for c in (self.text_combo.currentData(), self.label_combo.currentData()) if c}
        self.preview_model.set_highlighted_columns(chosen)
        self._update_import_enabled()

    def _update_import_enabled(self, *_: Any) -> None:
        problem = self.validation_problem()
        self.import_button.setEnabled(problem is None)
        self.import_button.setToolTip(problem or "")

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save project as"),
            self.project_edit.text(),
            self.tr("bertdesk project ({patterns})").format(patterns=f"*{PROJECT_SUFFIX}"),
        )
        if path:
            if not path.endswith(PROJECT_SUFFIX):
                path += PROJECT_SUFFIX
            self.project_edit.setText(path)

    # -- result --------------------------------------------------------------------------
    def validation_problem(self) -> str | None:
        """Why Import is disabled, in one line, or None when everything is in order."""
        if self.table_info is None:
            return self.preview_error or self.tr("The file could not be read.")
        text = self.text_combo.currentData()
        if not text:
            return self.tr("Choose the text column.")
        if text == self.label_combo.currentData():
            return self.tr("The text column and the label column must be different.")
        project = self.project_edit.text().strip()
        if not project:
            return self.tr("Choose where to save the project file.")
        if Path(project).exists():
            return self.tr("{file} already exists: choose another project file name.").format(file=Path(project).name)
        return None

    def options(self) -> ImportOptions:
        project = Path(self.project_edit.text().strip())
        if project.suffix != PROJECT_SUFFIX:
            project = project.with_name(project.name + PROJECT_SUFFIX)
        info = self.table_info
        return ImportOptions(
            source=self.path,
            project_path=project,
            text_column=self.text_combo.currentData(),
            label_column=self.label_combo.currentData(),
            # Pin the layout the preview showed (delimiter, header row), so the columns chosen
            # exist in the full read. Not the encoding, unless the user picked one: the preview
            # decided it from the first megabyte, and a legacy byte further down (a cp1252 'é'
            # after a million ASCII rows) must make the full read choose again rather than
            # store replacement characters.
            encoding=self.encoding_combo.currentData(),
            delimiter=self.delimiter_combo.currentData() or (info.delimiter if info else None),
            sheet=self.sheet_combo.currentData() if self.sheet_combo.isVisible() or self.sheet_combo.count() else None,
            header_row=info.header_row if info else self._header_chosen,
        )

    def accept(self) -> None:  # noqa: D102 - Qt override
        if self.validation_problem() is None:
            super().accept()

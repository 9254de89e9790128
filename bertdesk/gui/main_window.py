"""The main window: menus, the panel sidebar, the status bar. It composes; it holds no logic.

Panels refresh themselves from what the project announces (bertdesk/gui/project_events.py);
the window only hands each panel the open project. Edit > Undo/Redo step the project's one
undo history, and their text and state come from it. Only the Data panel (the first one
shown) is built with the window; the others are built the first time they are opened (or
asked for, e.g. ``window.train_panel``), so the window appears sooner.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QProcess, QSize, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from bertdesk import __version__
from bertdesk.core.errors import BertdeskError
from bertdesk.core.importing import PROJECT_SUFFIX, ImportOptions
from bertdesk.core.resources import resource_path
from bertdesk.gui.dialogs.errors import show_error
from bertdesk.gui.i18n import LANGUAGES, SYSTEM, chosen_language
from bertdesk.gui.jobs import JobRunner, blocking_jobs
from bertdesk.gui.panels.data_panel import DataPanel
from bertdesk.gui.project_events import ProjectEvents
from bertdesk.gui.settings import AppSettings
from bertdesk.gui.workers import Job, running_jobs

if TYPE_CHECKING:
    from bertdesk.core.project import Project
    from bertdesk.gui.panels.attention_panel import AttentionPanel
    from bertdesk.gui.panels.label_panel import LabelPanel
    from bertdesk.gui.panels.predict_panel import PredictPanel
    from bertdesk.gui.panels.train_panel import TrainPanel

log = logging.getLogger(__name__)
# Where the user was when the project was last closed (panel, Label view and row), kept in the project.
PLACE_SETTING = "ui.place"
MINIMUM_SIZE = QSize(1000, 640)

SPREADSHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".parquet")
_SPREADSHEET_PATTERNS = " ".join("*" + s for s in SPREADSHEET_SUFFIXES)


# File-dialog filters, built when shown so that they are in the interface language.
def spreadsheet_filter() -> str:
    return QCoreApplication.translate("MainWindow", "Spreadsheets ({patterns})").format(patterns=_SPREADSHEET_PATTERNS)


def project_filter() -> str:
    return QCoreApplication.translate("MainWindow", "bertdesk projects ({patterns})").format(patterns=f"*{PROJECT_SUFFIX}")


def all_files_filter() -> str:
    return QCoreApplication.translate("MainWindow", "All files (*)")


def open_filter() -> str:
    both = QCoreApplication.translate("MainWindow", "Spreadsheets and projects ({patterns})").format(
        patterns=f"*{PROJECT_SUFFIX} {_SPREADSHEET_PATTERNS}"
    )
    return ";;".join((both, project_filter(), spreadsheet_filter(), all_files_filter()))


SAMPLE_FILE = ("sample", "customer_feedback.csv")
SAMPLE_COLUMNS = ("feedback", "category")


def restart_command(project: str | None) -> tuple[str, list[str]]:
    """The program and arguments that start bertdesk again (the bundle's executable, or this
    Python with ``-m bertdesk``), opening ``project`` if given."""
    import sys

    args = [] if getattr(sys, "frozen", False) else ["-m", "bertdesk"]
    return sys.executable, [*args, *([project] if project else [])]


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "bertdesk.svg")))


class MainWindow(QMainWindow):
    project_changed = Signal(object)  # Project | None

    def __init__(self, settings: AppSettings | None = None, data_dir: str | Path | None = None) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.data_dir = (
            Path(data_dir) if data_dir else Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
        )
        self.project: Project | None = None
        # The window's own jobs (import, open, save a copy, bulk labels): no message area of
        # their own, so a failure opens the error dialog (see bertdesk/gui/jobs.py).
        self.jobs = JobRunner(self)
        self.jobs.progressed.connect(lambda _slot, progress: self._on_job_progressed(progress))
        self.jobs.failed.connect(self._on_window_job_failed)
        self._last_failure: tuple[str, BaseException] | None = None
        self.setWindowTitle("bertdesk")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        # Below this, Train's Start and Predict's charts and Export fell off the window (800x500 was allowed).
        self.setMinimumSize(MINIMUM_SIZE)

        self.data_panel = DataPanel()
        welcome = self.data_panel.welcome
        welcome.open_file_requested.connect(self.open_spreadsheet_dialog)
        welcome.open_project_requested.connect(self.open_project_dialog)
        welcome.sample_requested.connect(self.open_sample)
        welcome.recent_activated.connect(self.open_path)
        self.data_panel.bulk_label_requested.connect(self.label_rows)
        self.data_panel.explain_requested.connect(self.explain_row)
        self.data_panel.similar_requested.connect(self.find_similar_rows)
        self.data_panel.jobs.failed.connect(self._on_panel_job_failed)  # a text filter too slow, say
        # The window's own view of the project's announcements: Edit > Undo/Redo and "Saved ✓".
        self.events = ProjectEvents(self)
        self.events.history_changed.connect(self._update_actions)
        self.events.labels_changed.connect(lambda _message: self._show_saved())
        self.events.label_set_changed.connect(lambda _message: self._show_saved())

        self.sidebar = QListWidget()
        self.sidebar.setFixedWidth(132)
        self.sidebar.setIconSize(QSize(22, 22))
        self.sidebar.setSpacing(2)
        self.sidebar.setStyleSheet("QListWidget { border: none; background: #f3f4f6; } QListWidget::item { padding: 8px; }")
        self.panels = QStackedWidget()
        self._panel_rows: dict[QWidget, int] = {}
        # Sidebar row -> (build the panel, wrap it in a scroll area); a row leaves when its panel is built.
        self._unbuilt: dict[int, tuple[Callable[[], QWidget], bool]] = {}
        self._built: dict[str, QWidget] = {}
        self._pending_label_place: dict[str, object] | None = None
        self._quitting = False  # set by close_for_quit: closing must not ask any more  # the Label view to restore when it is built
        self._lazy_rows: dict[str, int] = {}
        self.sidebar.currentRowChanged.connect(self._on_sidebar_current_row_changed)
        self.add_panel(self.tr("Data"), "data", self.data_panel)
        self.add_lazy_panel(self.tr("Label"), "label", self._build_label_panel)
        self.add_lazy_panel(self.tr("Train"), "train", self._build_train_panel, scroll=True)
        self.add_lazy_panel(self.tr("Predict"), "predict", self._build_predict_panel, scroll=True)
        # Not in a scroll area: the panel's tabs flex (the token view scrolls itself), and an outer
        # scroll area sized it to its preferred height, which pushed the head view's hover value
        # off a 1280x800 screen and gave the token view a second scroll bar.
        self.add_lazy_panel(self.tr("Attention"), "attention", self._build_attention_panel)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.panels, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        self._restore_window()
        self._refresh_recent()
        self._update_actions()

    # -- construction ----------------------------------------------------------------------
    def add_panel(self, title: str, icon: str, widget: QWidget, *, scroll: bool = False) -> None:
        """Add a sidebar entry; ``scroll`` wraps a dense panel so a small window scrolls it
        instead of the panel's minimum size setting the window's."""
        self._add_sidebar_entry(title, icon)
        self.panels.addWidget(self._page(widget, scroll))
        self._panel_rows[widget] = self.sidebar.count() - 1

    def add_lazy_panel(self, title: str, icon: str, build: Callable[[], QWidget], *, scroll: bool = False) -> None:
        """Add a sidebar entry whose panel ``build()`` makes the first time it is opened or asked for.
        The panel is known by ``icon`` ("label", "train", ...): ``title`` is in the interface language."""
        self._add_sidebar_entry(title, icon)
        self.panels.addWidget(QWidget())  # a placeholder page until then
        self._unbuilt[self.sidebar.count() - 1] = (build, scroll)
        self._lazy_rows[icon] = self.sidebar.count() - 1

    def _add_sidebar_entry(self, title: str, icon: str) -> None:
        item = QListWidgetItem(QIcon(str(resource_path("icons", f"{icon}.svg"))), title)
        self.sidebar.addItem(item)
        row = self.sidebar.count() - 1
        # Ctrl+1, Ctrl+2, ... switch panels, so the whole app works from the keyboard.
        item.setToolTip(self.tr("{panel} ({keys})").format(panel=title, keys=f"Ctrl+{row + 1}"))
        switch = QAction(self.tr("Show {panel}").format(panel=title), self)
        switch.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
        switch.triggered.connect(lambda checked=False, r=row: self.show_panel(r))
        self.addAction(switch)
        if self.sidebar.currentRow() < 0:
            self.sidebar.setCurrentRow(0)

    @staticmethod
    def _page(widget: QWidget, scroll: bool) -> QWidget:
        if not scroll:
            return widget
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(widget)
        return area

    def _ensure_built(self, row: int) -> None:
        """Build the panel of sidebar row ``row`` if it is still a placeholder."""
        entry = self._unbuilt.pop(row, None)
        if entry is None:
            return
        build, scroll = entry
        widget = build()
        placeholder = self.panels.widget(row)
        self.panels.insertWidget(row, self._page(widget, scroll))
        self.panels.removeWidget(placeholder)
        placeholder.deleteLater()
        self._panel_rows[widget] = row

    def _on_sidebar_current_row_changed(self, row: int) -> None:
        self._ensure_built(row)
        self.panels.setCurrentIndex(row)

    def _panel(self, name: str) -> Any:
        """The panel ``name`` ("label", "train", ...), built now if it was not yet."""
        if name not in self._built:
            self._ensure_built(self._lazy_rows[name])
        return self._built[name]

    # The panels other than Data, built on first use (tests and the window's own code ask here).
    @property
    def label_panel(self) -> LabelPanel:
        return self._panel("label")  # type: ignore[no-any-return]

    @property
    def train_panel(self) -> TrainPanel:
        return self._panel("train")  # type: ignore[no-any-return]

    @property
    def predict_panel(self) -> PredictPanel:
        return self._panel("predict")  # type: ignore[no-any-return]

    @property
    def attention_panel(self) -> AttentionPanel:
        return self._panel("attention")  # type: ignore[no-any-return]

    def built_panels(self) -> list[QWidget]:
        """The panels made so far (Data always; the others once opened)."""
        return [self.data_panel, *self._built.values()]

    def _build_label_panel(self) -> QWidget:
        from bertdesk.gui.panels.label_panel import LabelPanel

        panel = LabelPanel()
        panel.retrain_requested.connect(self.retrain_for_queue)
        panel.similar_requested.connect(self.find_similar_rows)
        adopted = self._adopt("label", panel)
        self._apply_label_place()  # opened for the first time: the view and row it was left on
        return adopted

    def _build_train_panel(self) -> QWidget:
        from bertdesk.gui.panels.train_panel import TrainPanel

        panel = TrainPanel()
        panel.status_message.connect(self._show_status_message)
        panel.active_run_changed.connect(self._on_train_panel_active_run_changed)
        panel.review_requested.connect(self.find_suspicious_labels)
        return self._adopt("train", panel)

    def _build_predict_panel(self) -> QWidget:
        from bertdesk.gui.panels.predict_panel import PredictPanel

        panel = PredictPanel()
        panel.label_uncertain_requested.connect(self.label_most_uncertain)
        panel.similar_requested.connect(self.find_similar_rows)
        panel.explain_requested.connect(self.explain_text)
        panel.status_message.connect(self._show_status_message)
        return self._adopt("predict", panel)

    def _build_attention_panel(self) -> QWidget:
        from bertdesk.gui.panels.attention_panel import AttentionPanel

        return self._adopt("attention", AttentionPanel())

    def _adopt(self, name: str, panel: Any) -> QWidget:
        """Wire a newly built panel like its siblings: failures to the status bar, the open project."""
        panel.jobs.failed.connect(self._on_panel_job_failed)
        self._built[name] = panel
        panel.set_project(self.project)
        return panel  # type: ignore[no-any-return]

    def _show_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def show_panel(self, row: int) -> None:
        self._ensure_built(row)
        self.sidebar.setCurrentRow(row)
        current = self.panels.currentWidget()
        (current.widget() if isinstance(current, QScrollArea) else current).setFocus()

    def show_panel_widget(self, panel: QWidget) -> None:
        self.show_panel(self._panel_rows[panel])

    # -- the active-learning loop: uncertain rows -> label -> retrain -> a new queue ------------------
    def label_most_uncertain(self, measure: str = "least_confidence") -> None:
        """Go to the Label panel on the unlabelled rows the active model is least sure of."""
        panel = self.label_panel
        self.show_panel_widget(panel)
        panel.show_uncertain(measure)

    # -- label review and similar rows ------------------------------------------------------------
    def find_suspicious_labels(self) -> None:
        """Go to the Label panel's suspicious labels (running a fast review first when there is none)."""
        if self.project is None:
            return
        panel = self.label_panel
        self.show_panel_widget(panel)
        panel.show_suspicious(start_if_missing=True)

    def find_similar_rows(self, row_id: int | None = None) -> None:
        """Open the list of rows most like ``row_id`` (None: the current panel's current row)."""
        if self.project is None:
            return
        if row_id is None:
            source = getattr(self.current_panel(), "similar_source_row", None)
            row_id = source() if source is not None else None
        if row_id is None:
            self._show_status_message(self.tr("Choose a row first (in the Data, Label or Predict panel), then Find Similar Rows."))
            return
        from bertdesk.gui.dialogs.similar_rows_dialog import SimilarRowsDialog

        dialog = SimilarRowsDialog(self.project, row_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.jobs.failed.connect(self._on_panel_job_failed)
        self.similar_dialog = dialog
        dialog.show()

    def retrain_for_queue(self) -> None:
        """Train again with the Train panel's settings (in the background; labelling goes on), then
        predict the unlabelled rows with the new model, so the suggestions and the queue follow."""
        train = self.train_panel
        train.start_training()
        if not train.is_training():
            self.show_panel_widget(train)  # it could not start: its message says why
            return
        self._queue_waits_for_training = True
        self._show_status_message(self.tr("Retraining in the background; the most-uncertain queue updates when it is done."))

    def _on_train_panel_active_run_changed(self, run: Any) -> None:
        if not getattr(self, "_queue_waits_for_training", False) or run is None or self.project is None:
            return
        self._queue_waits_for_training = False
        project, run_id = self.project, run.id

        def predict_unlabelled(*, on_progress: Any, cancel: Any) -> int:
            from bertdesk.core.ml.project_prediction import predict_project

            return len(predict_project(project, run_id=run_id, rows="unlabelled", on_progress=on_progress, cancel=cancel).row_ids)

        # Stored predictions are announced: the Label panel re-ranks its queue on them.
        self._run_job(
            self.tr("Predicting the unlabelled rows with run {run}").format(run=run_id),
            predict_unlabelled,
            lambda count: self._show_status_message(
                self.tr("Run {run} predicted {count:,} unlabelled rows; the queue is up to date.").format(run=run_id, count=count)
            ),
        )

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.project_label = QLabel()
        self.project_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_bar = QProgressBar()
        self.progress_bar.setFixedWidth(220)
        self.progress_bar.setTextVisible(True)
        self.progress_label = QLabel()
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton(QIcon(str(resource_path("icons", "cancel.svg"))), self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Stop this job (Esc)"))
        self.cancel_button.clicked.connect(self.cancel_job)
        bar.addWidget(self.project_label, 1)
        # Every label is committed before the UI moves on; this says so, with the last time.
        self.saved_label = QLabel()
        self.saved_label.setTextFormat(Qt.TextFormat.PlainText)
        self.saved_label.setStyleSheet("color: #2e7d32; padding: 0 8px;")
        self.saved_label.setToolTip(self.tr("Each label is written to the project file the moment you set it"))
        bar.addPermanentWidget(self.saved_label)
        bar.addPermanentWidget(self.progress_label)
        bar.addPermanentWidget(self.progress_bar)
        bar.addPermanentWidget(self.cancel_button)
        # A failed job's one line stays in the status bar; this opens the error dialog for it.
        self.details_button = QPushButton(self.tr("Details…"))
        self.details_button.setFlat(True)
        self.details_button.clicked.connect(self.show_failure_details)
        self.details_button.hide()
        bar.addPermanentWidget(self.details_button)
        # "Details…" belongs to the failure's line: it goes when the line times out or is replaced.
        bar.messageChanged.connect(self._on_status_message_changed)
        self._show_progress(False)

    def _action(self, text: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None, icon: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon:
            action.setIcon(QIcon(str(resource_path("icons", f"{icon}.svg"))))
        action.triggered.connect(lambda checked=False: slot())
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&File"))
        self.new_action = self._action(
            self.tr("&New Project from Spreadsheet…"), self.open_spreadsheet_dialog, QKeySequence.StandardKey.New, "new"
        )
        self.open_action = self._action(self.tr("&Open…"), self.open_any_dialog, QKeySequence.StandardKey.Open, "open")
        self.recent_menu = menu.addMenu(self.tr("Open &Recent"))
        self.sample_action = self._action(self.tr("Open the &Sample Data"), self.open_sample, None, "sample")
        self.save_as_action = self._action(self.tr("Save Project &As…"), self.save_project_as, QKeySequence.StandardKey.SaveAs, "save")
        self.close_action = self._action(self.tr("&Close Project"), self.close_project, QKeySequence.StandardKey.Close)
        self.quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        menu.insertActions(self.recent_menu.menuAction(), [self.new_action, self.open_action])
        for action in (self.sample_action, None, self.save_as_action, self.close_action, None, self.quit_action):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        edit = self.menuBar().addMenu(self.tr("&Edit"))
        self.undo_action = self._action(self.tr("&Undo"), self.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action(self.tr("&Redo"), self.redo, "Ctrl+Shift+Z")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        self.cancel_action = self._action(self.tr("Cancel Job"), self.cancel_job, "Esc")
        self.addAction(self.cancel_action)
        self._build_view_menu()
        labels_menu = self.menuBar().addMenu(self.tr("&Labels"))
        self.label_set_action = self._action(self.tr("Edit Label &Set…"), self.edit_label_set, "Ctrl+L")
        labels_menu.addAction(self.label_set_action)
        labels_menu.addSeparator()
        self.suspicious_action = self._action(self.tr("Find S&uspicious Labels"), self.find_suspicious_labels, "Ctrl+Shift+R")
        self.suspicious_action.setToolTip(self.tr("Rank the labelled rows by how likely their label is wrong, and review them"))
        self.similar_action = self._action(self.tr("Find Si&milar Rows…"), self.find_similar_rows, "Ctrl+Shift+F")
        self.similar_action.setToolTip(self.tr("The rows most like the current one (Data, Label or Predict panel), to label them at once"))
        labels_menu.addAction(self.suspicious_action)
        labels_menu.addAction(self.similar_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.guide_action = self._action(self.tr("&User Guide"), self.show_guide, QKeySequence.StandardKey.HelpContents)
        self.shortcuts_action = self._action(self.tr("&Keyboard Shortcuts"), self.show_shortcuts, "Ctrl+/")
        help_menu.addAction(self.guide_action)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addSeparator()
        help_menu.addAction(self._action(self.tr("&About bertdesk"), self.show_about))

    def _build_view_menu(self) -> None:
        view = self.menuBar().addMenu(self.tr("&View"))
        self.language_menu = view.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        chosen = self.settings.language()
        # Languages are named in themselves, so a user can find theirs whatever is shown now.
        for code, name in [(SYSTEM, self.tr("System Default")), *LANGUAGES.items()]:
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked(code == chosen)
            action.setData(code)
            action.triggered.connect(lambda checked=False, code=code: self.choose_language(code))
            group.addAction(action)
            self.language_menu.addAction(action)

    def choose_language(self, language: str) -> None:
        """View > Language: remember ``language`` ("" = the system's); it shows from the next
        start, and the user may restart now (the open project reopens where they were)."""
        if language == self.settings.language():
            return
        self.settings.set_language(language)
        name = LANGUAGES.get(chosen_language(language), language)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Language"),
            self.tr("bertdesk will be shown in {language} from its next start.").format(language=name),
            parent=self,
        )
        restart = box.addButton(self.tr("Restart Now"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Later"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is restart:
            self.restart()

    def restart(self) -> bool:
        """Close (asking about running work as closing always does) and start bertdesk again
        with the same project; False if the user kept the window open."""
        path = self.project.path if self.project is not None else None
        if not self.close():
            return False
        program, args = restart_command(str(path) if path is not None else None)
        QProcess.startDetached(program, args)
        return True

    # -- window state --------------------------------------------------------------------------
    def _restore_window(self) -> None:
        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def close_for_quit(self) -> None:
        """Close because the application is ending anyway (it was quit, or the session ends):
        running jobs are cancelled without asking, the project is closed."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        jobs = running_jobs()
        # Background jobs (pre-loading torch, listing devices) are nobody's work: never ask
        # about them, but still wait for them below, as a QThread must not outlive the app.
        if blocking_jobs(jobs) and not self._quitting:
            answer = QMessageBox.question(
                self,
                self.tr("A job is still running"),
                self.tr("A job is still running. Cancel it and quit?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        for job in jobs:
            job.cancel()
        for job in jobs:
            job.wait(30_000)
        if jobs:
            # Deliver the jobs' last signals now, while the project is still open, so a
            # cancelled training is recorded as cancelled rather than left "running".
            QCoreApplication.sendPostedEvents()
            QCoreApplication.processEvents()
        self.settings.save_window(self.saveGeometry(), self.saveState())
        if self.project is not None:
            self._remember_place(self.project)
            self.project.close()
            self.project = None
        event.accept()

    # -- drag and drop --------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.open_path(urls[0].toLocalFile())

    # -- opening ----------------------------------------------------------------------------------
    def open_any_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a spreadsheet or project"), self.settings.last_dir(), open_filter())
        if path:
            self.open_path(path)

    def open_spreadsheet_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open a spreadsheet"), self.settings.last_dir(), f"{spreadsheet_filter()};;{all_files_filter()}"
        )
        if path:
            self.open_path(path)

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a project"), self.settings.last_dir(), project_filter())
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> None:
        """Open a project file, or start importing a spreadsheet (anything else)."""
        path = Path(path)
        if self.current_job is not None:
            self.statusBar().showMessage(self.tr("Wait for the running job to finish, or cancel it."), 5000)
            return
        if not path.exists():
            self.settings.remove_recent_file(str(path))
            self._refresh_recent()
            from bertdesk.core.errors import BertdeskError

            missing = self.tr("{file}: the file does not exist (was it moved or deleted?).").format(file=path.name)
            show_error(self, self.tr("Cannot open"), BertdeskError(missing))
            return
        self.settings.set_last_dir(path.parent)
        if self.project is not None and path.resolve() == self.project.path.resolve():
            # Already open here (a project is opened by one window at a time): just show it.
            self.sidebar.setCurrentRow(0)
            return
        if path.suffix.lower() == PROJECT_SUFFIX:
            self._run_job(self.tr("Opening the project"), lambda on_progress, cancel: _open_project(path), self._on_project_opened)
            return
        options = self.ask_import_options(path)
        if options is not None:
            self.import_spreadsheet(options)

    def ask_import_options(self, path: Path) -> ImportOptions | None:
        """Show the import dialog; tests replace this to skip the dialog."""
        from bertdesk.gui.dialogs.import_dialog import ImportDialog

        dialog = ImportDialog(path, fallback_dir=self.data_dir, parent=self)
        return dialog.options() if dialog.exec() else None

    def import_spreadsheet(self, options: ImportOptions) -> None:
        from bertdesk.core.importing import import_spreadsheet

        options.project_path.parent.mkdir(parents=True, exist_ok=True)
        self._run_job(
            self.tr("Importing {file}").format(file=options.source.name),
            lambda on_progress, cancel: import_spreadsheet(options, on_progress=on_progress, cancel=cancel),
            self._on_project_imported,
        )

    def open_sample(self) -> None:
        """One click from the empty window to a labelled example project."""
        source = resource_path(*SAMPLE_FILE)
        target = self.data_dir / "samples" / f"{source.stem}{PROJECT_SUFFIX}"
        if target.exists():
            self.open_path(target)
            return
        text_column, label_column = SAMPLE_COLUMNS
        self.import_spreadsheet(ImportOptions(source=source, project_path=target, text_column=text_column, label_column=label_column))

    # -- project --------------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        if self.project is not None and self.project is not project:
            self._remember_place(self.project)
            self.project.close()
        self.project = project
        self.events.set_project(project)
        for panel in self.built_panels():  # a panel built later is handed the project then
            panel.set_project(project)  # type: ignore[attr-defined]
        self.saved_label.setText(self.tr("Saved ✓") if project is not None else "")
        if project is not None:
            self.setWindowTitle(f"{project.path.name} — bertdesk")
            self.project_label.setText(str(project.path))
            self.settings.add_recent_file(project.path)
            self._refresh_recent()
        else:
            self.setWindowTitle("bertdesk")
            self.project_label.setText("")
        self._update_actions()
        if project is not None:
            self._restore_place(project)
        self.project_changed.emit(project)

    # -- resume where the user left off -----------------------------------------------------------
    def _panel_names(self) -> dict[int, str]:
        return {0: "data", **{row: name for name, row in self._lazy_rows.items()}}

    def _remember_place(self, project: Project) -> None:
        """Keep, in the project, the panel shown and the Label panel's view and row."""
        if project.closed:
            return
        place: dict[str, object] = {"panel": self._panel_names().get(self.sidebar.currentRow(), "data")}
        label = self._built.get("label")
        if label is not None and getattr(label, "project", None) is project:
            place["label"] = label.place()  # type: ignore[attr-defined]
        elif self._pending_label_place is not None:
            place["label"] = self._pending_label_place  # never opened this time: keep what it was
        try:
            project.set_setting(PLACE_SETTING, json.dumps(place))
        except BertdeskError as err:  # a read-only copy, a full disk: never a reason not to close
            log.warning("Could not remember the place in %s: %s", project.path.name, err)

    def _restore_place(self, project: Project) -> None:
        try:
            place = json.loads(project.get_setting(PLACE_SETTING) or "{}")
        except (ValueError, BertdeskError):
            place = {}
        if not isinstance(place, dict):
            place = {}
        label_place = place.get("label")
        self._pending_label_place = label_place if isinstance(label_place, dict) else None
        if "label" in self._built and self._pending_label_place is not None:
            self._apply_label_place()
        rows = {name: row for row, name in self._panel_names().items()}
        row = rows.get(str(place.get("panel", "data")))
        self.show_panel(row if row is not None else 0)  # the Label panel, if that was it, is built now

    def _apply_label_place(self) -> None:
        place, self._pending_label_place = self._pending_label_place, None
        if place is not None:
            self.label_panel.restore_place(place)

    def close_project(self) -> None:
        self.set_project(None)

    def save_project_as(self) -> None:
        if self.project is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save project as"),
            str(self.project.path),
            self.tr("bertdesk project ({patterns})").format(patterns=f"*{PROJECT_SUFFIX}"),
        )
        if path:
            self.save_project_to(Path(path))

    def save_project_to(self, path: Path) -> None:
        if self.project is None:
            return
        if path.suffix != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        project = self.project
        self._run_job(self.tr("Saving a copy of the project"), lambda on_progress, cancel: project.save_as(path), self._on_project_opened)

    def undo(self) -> None:
        """Edit > Undo: step the project's one undo history back (every panel hears of it)."""
        if self.project is not None:
            self.project.undo()

    def redo(self) -> None:
        if self.project is not None:
            self.project.redo()

    def label_rows(self, rows: list[int], label: str | None, also_duplicates: bool = False) -> None:
        """Label ``rows`` (None clears; optionally their exact duplicates too) as ONE undo step."""
        from bertdesk.core.project.duplicates import rows_with_same_text

        project = self.project
        if project is None or not rows:
            return
        title = self.tr("Labelling rows") if label is not None else self.tr("Clearing labels")

        def work(on_progress: Any = None, cancel: Any = None) -> tuple[list[int], bool]:
            targets = rows_with_same_text(project, rows) if also_duplicates else list(rows)
            return targets, project.set_labels(targets, label)

        def done(result: tuple[list[int], bool]) -> None:
            # The edit and its one undo step were recorded together by the project, which told the panels.
            targets, _changed = result
            self.statusBar().showMessage(self.tr("{title}: {count:,} rows").format(title=title, count=len(targets)), 5000)

        # Always a job, whatever the size: one path (a thread start costs well under a
        # millisecond; see benchmarks/label_speed.py).
        if self.current_job is not None:
            self.statusBar().showMessage(self.tr("Wait for the running job to finish first."), 5000)
            return
        self._run_job(title, work, done)

    def _show_saved(self) -> None:
        from datetime import datetime

        self.saved_label.setText(self.tr("Saved ✓ {time}").format(time=f"{datetime.now():%H:%M:%S}"))

    def explain_row(self, row_id: int) -> None:
        """Double-click on a row: its attention, one more click from any head."""
        if self.project is None or not 0 <= row_id < self.project.row_count:
            return
        self.explain_text(self.project.texts([row_id])[0])

    def explain_text(self, text: str) -> None:
        self.show_panel_widget(self.attention_panel)
        self.attention_panel.explain(text)

    def _on_project_opened(self, project: Project) -> None:
        self.set_project(project)
        self.statusBar().showMessage(self.tr("Opened {file}").format(file=project.path.name), 4000)

    def _on_project_imported(self, project: Project) -> None:
        self.set_project(project)
        self.statusBar().showMessage(
            self.tr("Imported {count:,} rows into {file}").format(count=project.row_count, file=project.path.name), 6000
        )
        self.offer_label_merges()

    def edit_label_set(self) -> None:
        """Open the (non-modal) label-set dialog; its edits go on the Edit > Undo stack."""
        from bertdesk.gui.dialogs.label_set_dialog import LabelSetDialog

        if self.project is None:
            return
        old = getattr(self, "label_set_dialog", None)
        if old is not None:
            old.close()
            old.deleteLater()
        dialog = LabelSetDialog(self.project, self)  # it follows the project's announcements itself
        self.project_changed.connect(dialog.close)
        self.label_set_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def offer_label_merges(self) -> None:
        """Imported labels that differ only in case/spaces are shown, never merged silently."""
        from bertdesk.core.project.label_set import find_label_clashes
        from bertdesk.gui.dialogs.clash_dialog import LabelClashDialog

        if self.project is None:
            return
        groups = find_label_clashes(self.project.label_set.names)
        if not groups:
            return
        dialog = LabelClashDialog(groups, self.project.label_counts(), self)
        if dialog.exec():
            for into, others in dialog.merges():
                self.project.merge_labels(into, others)  # one undo step each

    # -- jobs -------------------------------------------------------------------------------------
    @property
    def current_job(self) -> Job | None:
        """The window's running job (import, open, save a copy, bulk labels), or None."""
        return self.jobs.job("window")

    def _run_job(self, title: str, fn: Callable[..., Any], on_success: Callable[[Any], None]) -> Job:
        self._show_progress(True, title)
        self.details_button.hide()
        return self.jobs.start(
            "window",
            fn,
            title=title,
            on_done=on_success,
            on_cancelled=lambda: self.statusBar().showMessage(self.tr("{title}: cancelled").format(title=title), 5000),
            on_finished=self._on_job_finished,
        )

    def current_panel(self) -> QWidget | None:
        """The panel in view (None while its page is still a placeholder)."""
        row = self.sidebar.currentRow()
        return next((panel for panel, at in self._panel_rows.items() if at == row), None)

    def cancel_job(self) -> None:
        """Esc / Cancel Job: the one Esc of the window. It stops the work of the panel in view
        (training, a prediction, an explanation, a filter), else the window's own job."""
        panel = self.current_panel()
        cancel_work = getattr(panel, "cancel_work", None)
        if cancel_work is not None and cancel_work():
            return
        jobs = getattr(panel, "jobs", None)
        if isinstance(jobs, JobRunner) and jobs.cancel():
            return
        if self.jobs.cancel():
            self.progress_label.setText(self.tr("Cancelling…"))

    # -- failures: one line in the status bar, the error dialog a click away ------------------
    def _on_window_job_failed(self, title: str, message: str, err: BaseException) -> None:
        self._show_failure_line(title, message, err)
        show_error(self, title, err)  # the window's own work has no message area to keep the line

    def _on_panel_job_failed(self, title: str, message: str, err: BaseException) -> None:
        self._show_failure_line(title, message, err)

    def _show_failure_line(self, title: str, message: str, err: BaseException) -> None:
        self._last_failure = (title, err)
        self._failure_line = message
        self.statusBar().showMessage(message, 15_000)
        self.details_button.show()

    def _on_status_message_changed(self, text: str) -> None:
        if text != getattr(self, "_failure_line", None):
            self.details_button.hide()

    def show_failure_details(self) -> None:
        """The error dialog (message and details) for the last failed job."""
        if self._last_failure is not None:
            show_error(self, *self._last_failure)

    def _on_job_progressed(self, progress: Any) -> None:
        if progress.total > 0:
            self.progress_bar.setRange(0, progress.total)
            self.progress_bar.setValue(progress.done)
        else:
            self.progress_bar.setRange(0, 0)
        if progress.message:
            self.progress_label.setText(progress.message)

    def _on_job_finished(self) -> None:
        self._show_progress(False)
        self._update_actions()

    def _show_progress(self, visible: bool, title: str = "") -> None:
        self.progress_label.setText(title)
        self.progress_bar.setRange(0, 0)
        for widget in (self.progress_bar, self.progress_label, self.cancel_button):
            widget.setVisible(visible)

    # -- misc ---------------------------------------------------------------------------------------
    def _refresh_recent(self) -> None:
        files = self.settings.recent_files()
        self.recent_menu.clear()
        for path in files:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda checked=False, p=path: self.open_path(p))
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear the List"), self._clear_recent)
        self.recent_menu.setEnabled(bool(files))
        self.data_panel.welcome.set_recent_files(files)

    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self._refresh_recent()

    def _update_actions(self) -> None:
        project = self.project if self.project is not None and not self.project.closed else None
        has_project = project is not None
        self.save_as_action.setEnabled(has_project)
        self.close_action.setEnabled(has_project)
        # What Undo/Redo would do, from the project's own history ("&&": a label's "&" is no mnemonic).
        undo_text = project.undo_text if project is not None else ""
        redo_text = project.redo_text if project is not None else ""
        self.undo_action.setEnabled(project is not None and project.can_undo)
        self.redo_action.setEnabled(project is not None and project.can_redo)
        # The step's own name (undo_text) comes from the project, in English.
        self.undo_action.setText(self.tr("&Undo {step}").format(step=undo_text.replace("&", "&&")) if undo_text else self.tr("&Undo"))
        self.redo_action.setText(self.tr("&Redo {step}").format(step=redo_text.replace("&", "&&")) if redo_text else self.tr("&Redo"))
        self.label_set_action.setEnabled(has_project)

    def show_guide(self) -> None:
        """Help > User Guide (F1): the guide, offline."""
        from bertdesk.gui.dialogs.help_dialogs import GuideDialog

        self.guide_dialog = GuideDialog(self)
        self.guide_dialog.show()

    def show_shortcuts(self) -> None:
        """Help > Keyboard Shortcuts (Ctrl+/): every shortcut, from the actions themselves."""
        from bertdesk.gui.dialogs.help_dialogs import ShortcutsDialog

        self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About bertdesk"))
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            self.tr("bertdesk {version}\nClassify the text in your spreadsheets with BERT, without writing code.").format(
                version=__version__
            )
        )
        box.exec()


def _open_project(path: Path) -> Project:
    from bertdesk.core.project import Project

    return Project.open(path)

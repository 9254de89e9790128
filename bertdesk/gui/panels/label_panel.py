"""Label panel: one row at a time, labelled from the keyboard.

Keys (while the panel, not the search field, has focus): 1-9 give the row the label at that
position and move on (labels 10 and up: a, b, c, ...); 0 or Backspace clears it; Space or Right skips; Left goes back;
Ctrl+Z / Ctrl+Shift+Z undo and redo; Ctrl+F jumps to the search field (Enter searches,
Esc comes back).

"Suspicious labels" walks the rows the latest label review (bertdesk.core.review) found probably
wrong, most suspicious first, with the evidence; Enter gives the row the suggested label,
Space keeps its label and marks it reviewed (``Project.mark_reviewed``: it is not shown again
unless its label changes), number keys relabel it. The review itself runs as a job of this
panel, started from its review bar (or Labels > Find Suspicious Labels).

Search never freezes the window: a step through a "Search" view first scans for at most
:data:`QUICK_SEARCH` on the GUI thread (the next match is usually near), then hands the scan to a
background job (bertdesk/gui/jobs.py) with a busy line; Esc or a new search cancels it (the
newest request wins) and labelling keys wait until it answers. A regex that runs past its
budget on a row ends with a one-line message naming the row.

Every label is written by :class:`~bertdesk.core.project.Project` (committed before the call
returns, with its step on the project's one undo history, which Ctrl+Z here and Edit > Undo
both step). The panel shows what the project announces (bertdesk/gui/project_events.py):
labels and the label set changed by anyone (this panel, a bulk label, accepted predictions,
undo/redo) and new predictions or another active run (the suggestions); while hidden it only
notes that it is stale and catches up when shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QKeyEvent, QKeySequence, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback
from bertdesk.core.project.label_review_record import LabelReview, Suspect
from bertdesk.core.project.navigation import RowFilter, RowWalker, suspects_left
from bertdesk.core.project.text_search import SearchBudget, SearchTooSlow
from bertdesk.gui.jobs import JobKind, JobRunner
from bertdesk.gui.project_events import ProjectEvents, StaleWhileHidden
from bertdesk.gui.widgets.label_chart import LabelChart
from bertdesk.gui.widgets.label_keys import key_for_position, legend, position_for_key
from bertdesk.gui.widgets.review_bar import ReviewBar

if TYPE_CHECKING:
    from bertdesk.core.project import Project
    from bertdesk.core.project.events import LabelsChanged, LabelSetChanged
    from bertdesk.core.project.predictions import PredictionTable

NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the label name of a "label" filter entry
SAMPLE_SEED = 20_240_601
# "Most uncertain first" orders: the rows whose labels teach the model most come first.
# The names are translated where shown (context "LabelPanel").
UNCERTAINTY_CHOICES = (
    ("least_confidence", QT_TRANSLATE_NOOP("LabelPanel", "least confident")),
    ("margin", QT_TRANSLATE_NOOP("LabelPanel", "smallest margin")),
    ("entropy", QT_TRANSLATE_NOOP("LabelPanel", "highest entropy")),
)
# How long a search step may scan on the GUI thread before it moves to a worker: well under a
# frame budget a typist notices, and enough for the near matches that are the common case.
QUICK_SEARCH = SearchBudget(per_row=0.02, total=0.02)
# The keys keyPressEvent answers, for Help > Keyboard Shortcuts (tests check the sheet lists them).
# Translated where shown: QCoreApplication.translate("LabelPanel", text) (bare key names are not marked).
LABELLING_KEYS = (
    (
        QT_TRANSLATE_NOOP("LabelPanel", "1 … 9, then A … Z"),
        QT_TRANSLATE_NOOP("LabelPanel", "Give the row the label with that key and go to the next row"),
    ),
    (QT_TRANSLATE_NOOP("LabelPanel", "0 or Backspace"), QT_TRANSLATE_NOOP("LabelPanel", "Clear the row's label")),
    ("Enter", QT_TRANSLATE_NOOP("LabelPanel", "Accept the model's suggestion (suspicious labels: the suggested label)")),
    (QT_TRANSLATE_NOOP("LabelPanel", "Space or →"), QT_TRANSLATE_NOOP("LabelPanel", "Next row of the view")),
    (
        QT_TRANSLATE_NOOP("LabelPanel", "Space (suspicious labels)"),
        QT_TRANSLATE_NOOP("LabelPanel", "Keep the row's label and mark it reviewed"),
    ),
    ("←", QT_TRANSLATE_NOOP("LabelPanel", "Back to the row visited before (even one the view no longer holds)")),
    ("Ctrl+F", QT_TRANSLATE_NOOP("LabelPanel", "Search the text")),
    ("Ctrl+Z / Ctrl+Shift+Z", QT_TRANSLATE_NOOP("LabelPanel", "Undo / redo")),
    ("Esc", QT_TRANSLATE_NOOP("LabelPanel", "Stop a search")),
)
# After this many new labels since the active model was trained, offer to retrain (the
# suggestions and the "most uncertain" queue then learn from them).
RETRAIN_AFTER = 20


VISITED_LIMIT = 1000  # rows ← can walk back through


def _undo_note(cause: str, step: str) -> str:
    """'Undone: Label row 406 "neutral" · saved ✓': what Undo/Redo did, not the step as if redone.

    ``step`` is the project's own (English) name of the step, shared with the CLI."""
    if cause == "undo":
        return QCoreApplication.translate("LabelPanel", "Undone: {step}  ·  saved ✓").format(step=step)
    return QCoreApplication.translate("LabelPanel", "Redone: {step}  ·  saved ✓").format(step=step)


def _plain_label(text: str = "", style: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # cell text is data, never markup
    if style:
        label.setStyleSheet(style)
    return label


class LabelPanel(QWidget):
    """Shows one row in large text; number keys label it and move on.

    Signals:
        retrain_requested: the user accepted the offer to retrain after :data:`RETRAIN_AFTER`
            new labels (the window trains, then predicts the unlabelled rows: the suggestions
            and the most-uncertain queue follow).
    """

    retrain_requested = Signal()
    similar_requested = Signal(int)  # row id: the "similar rows" button (the window opens the list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.walker: RowWalker | None = None
        self.current_row: int | None = None
        self._visited: list[int] = []  # rows left by stepping forward, most recent last: what ← walks back
        self._leaving: int | None = None  # the row a forward step in flight leaves
        self._label_names: tuple[str, ...] = ()
        self._labelled_since_model = 0  # labels set here since the active model was trained
        self._active_run_id: int | None = None  # kept from the announcements: no query per key press
        self._offer_retrain_at = RETRAIN_AFTER
        self.search_budget = SearchBudget()  # a background search step's limits
        # Search steps: one slot, the newest request wins (a superseded step's answer is dropped).
        self.jobs = JobRunner(self, show_line=lambda line: self.message_label.setText(line))
        self._search_step: tuple[str, bool] = ("", False)  # the running search's (empty text, whole view)
        self._predictions: PredictionTable | None = None
        self._review: LabelReview | None = None
        self._suspects: dict[int, Suspect] = {}  # the latest review's suspects by row id
        self._assigning = False
        # What the project announces; refreshes wait while the panel is hidden.
        self.events = ProjectEvents(self)
        self.events.labels_changed.connect(self._on_project_labels_changed)
        self.events.label_set_changed.connect(self._on_project_label_set_changed)
        self.events.predictions_changed.connect(lambda _message: self._stale.run("predictions", self._on_model_output_changed))
        self.events.active_run_changed.connect(lambda message: self._on_active_run_changed(message.run_id))
        self.events.label_review_changed.connect(lambda: self._stale.run("review", self._on_label_review_changed))
        self._stale = StaleWhileHidden(self)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()

    # -- construction -----------------------------------------------------------------------
    def _build(self) -> None:
        self.filter_combo = QComboBox()
        self.filter_combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.filter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.filter_combo.setMinimumContentsLength(12)
        self.filter_combo.activated.connect(self._on_filter_combo_activated)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search the text…  (Ctrl+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self.search_edit.textEdited.connect(self._on_search_edit_text_edited)
        self.search_edit.installEventFilter(self)
        self.regex_check = QCheckBox(self.tr("Regex"))
        self.regex_check.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sample_spin = QSpinBox()
        self.sample_spin.setRange(1, 100_000)
        self.sample_spin.setValue(100)
        self.sample_spin.setPrefix(self.tr("sample of "))
        self.sample_spin.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.sample_spin.editingFinished.connect(self._on_sample_spin_editing_finished)
        self.sample_spin.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(_plain_label(self.tr("Show")))
        top.addWidget(self.filter_combo)
        top.addWidget(self.sample_spin)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.regex_check)

        self.row_label = _plain_label(style="font-weight: bold; color: #333;")
        self.position_label = _plain_label(style="color: #666;")
        self.search_status = _plain_label(style="color: #1d4ed8;")  # the busy line of a running search
        heading = QHBoxLayout()
        heading.addWidget(self.row_label, 1)
        heading.addWidget(self.search_status)
        heading.addWidget(self.position_label)

        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the panel
        self.text_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.text_view.font())
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.6)
        self.text_view.setFont(font)
        self.text_view.setStyleSheet("QPlainTextEdit { background: #fcfcfd; padding: 10px; }")

        self.context_box = QFrame()
        self.context_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.context_form = QFormLayout(self.context_box)
        self.context_form.setContentsMargins(8, 6, 8, 6)
        self.context_values: dict[str, QLabel] = {}

        self.buttons_box = QWidget()
        self.buttons_grid = QGridLayout(self.buttons_box)
        self.buttons_grid.setContentsMargins(0, 0, 0, 0)
        self.buttons_box.setStyleSheet("QPushButton:checked { font-weight: bold; background: #dcefdc; border: 1px solid #2e7d32; }")
        self.label_buttons: list[QPushButton] = []
        self.clear_button = self._button(self.tr("0  clear"), lambda: self.clear_current())
        self.back_button = self._button(self.tr("←  back"), lambda: self.go_back())
        self.skip_button = self._button(self.tr("Space  skip"), lambda: self.skip())
        self.similar_button = self._button(
            self.tr("Similar rows…"), lambda: self.current_row is not None and self.similar_requested.emit(self.current_row)
        )
        self.similar_button.setToolTip(self.tr("The rows most like this one, to label them at once (Ctrl+Shift+F)"))
        moves = QHBoxLayout()
        for button in (self.back_button, self.clear_button, self.skip_button):
            moves.addWidget(button)
        moves.addStretch(1)
        moves.addWidget(self.similar_button)

        self.retrain_label = _plain_label()
        self.retrain_label.setWordWrap(True)
        self.retrain_now_button = QPushButton(self.tr("Retrain now"))
        self.retrain_now_button.setToolTip(self.tr("Train with the same settings in the background, then predict the unlabelled rows"))
        self.retrain_now_button.clicked.connect(self._on_retrain_now_clicked)
        self.retrain_later_button = QPushButton(self.tr("Later"))
        self.retrain_later_button.clicked.connect(self._on_retrain_later_clicked)
        self.retrain_bar = QWidget()
        self.retrain_bar.setStyleSheet("QWidget { background: #e8f0fe; border-radius: 4px; }")
        retrain_layout = QHBoxLayout(self.retrain_bar)
        retrain_layout.addWidget(self.retrain_label, 1)
        retrain_layout.addWidget(self.retrain_now_button)
        retrain_layout.addWidget(self.retrain_later_button)
        for button in (self.retrain_now_button, self.retrain_later_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the number keys keep labelling
        self.retrain_bar.hide()

        self.review_bar = ReviewBar()
        self.review_bar.review_requested.connect(self.start_review)
        self.review_bar.cancel_requested.connect(self.cancel_review)
        self.review_bar.hide()

        left = QVBoxLayout()
        left.addWidget(self.retrain_bar)
        left.addWidget(self.review_bar)
        left.addLayout(top)
        left.addLayout(heading)
        left.addWidget(self.text_view, 3)
        # The active model's guess for this row, when predictions exist; Enter accepts it.
        self.suggestion_label = _plain_label(style="color: #1d4ed8; font-size: 14px;")
        left.addWidget(self.suggestion_label)
        left.addWidget(self.context_box)
        left.addWidget(self.buttons_box)
        left.addLayout(moves)

        self.progress_label = _plain_label(style="font-size: 15px; font-weight: bold;")
        self.counts_label = _plain_label(style="color: #444;")
        self.counts_label.setWordWrap(True)
        self.chart = LabelChart()
        self.saved_label = _plain_label(style="color: #2e7d32;")
        self.message_label = _plain_label(style="color: #b00020;")
        self.message_label.setWordWrap(True)
        keys = _plain_label(
            self.tr(
                "1–9, a–z label · Enter accepts the suggestion · 0/⌫ clear · Space/→ skip · ← back · Ctrl+Z undo · Ctrl+Shift+Z redo · Ctrl+F search"
            ),
            "color: #777;",
        )
        keys.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(self.progress_label)
        right.addWidget(self.counts_label)
        right.addWidget(self.chart, 1)
        right.addWidget(self.saved_label)
        right.addWidget(self.message_label)
        right.addWidget(keys)
        self.keys_legend = _plain_label(style="color: #555;")  # the letter keys of labels 10+
        self.keys_legend.setWordWrap(True)
        right.addWidget(self.keys_legend)
        side = QWidget()
        side.setLayout(right)
        side.setMinimumWidth(190)
        side.setMaximumWidth(300)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.addLayout(left, 1)
        outer.addWidget(side)
        self._set_enabled(False)

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space must skip, not press a button
        button.clicked.connect(lambda checked=False: slot())  # type: ignore[operator]
        return button

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.filter_combo,
            self.search_edit,
            self.regex_check,
            self.buttons_box,
            self.clear_button,
            self.back_button,
            self.skip_button,
            self.similar_button,
        ):
            widget.setEnabled(enabled)

    # -- project ----------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Show ``project`` (None: nothing)."""
        self.cancel_search()
        self._stale.forget()
        self.events.set_project(project)
        self.project = project
        self._active_run_id = None
        self._predictions = None
        self._review, self._suspects = None, {}
        self.jobs.forget("review")
        self.review_bar.hide()
        self.walker = None
        self._labelled_since_model, self._offer_retrain_at = 0, RETRAIN_AFTER
        self.retrain_bar.hide()
        self.current_row = None
        self._visited.clear()
        self._label_names = ()
        self._rebuild_context()
        self._set_enabled(project is not None)
        self.message_label.setText("")
        self.saved_label.setText("")
        if project is None:
            self.filter_combo.clear()
            self._rebuild_buttons()
            self._show_row(None)
            self._update_progress()
            return
        self._predictions = project.predictions()
        self._read_review()
        active = project.active_run()
        self._active_run_id = active.id if active is not None else None
        self._sync_label_set(force=True)
        self.filter_combo.setCurrentIndex(0)
        self.apply_filter(RowFilter("all"))
        self._update_progress()

    def _rebuild_context(self) -> None:
        while self.context_form.rowCount():
            self.context_form.removeRow(0)
        self.context_values = {}
        project = self.project
        # The imported label column is left out: the project's own label (above) supersedes it.
        others = [] if project is None else [c for c in project.columns if c not in (project.text_column, project.label_column)]
        for name in others:
            value = _plain_label(style="color: #333;")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.context_values[name] = value
            self.context_form.addRow(_plain_label(f"{name}:", "color: #777;"), value)
        self.context_box.setVisible(bool(others))

    def _sync_label_set(self, *, force: bool = False) -> None:
        """Rebuild the buttons and the filter list when the label set changed."""
        names = () if self.project is None else self.project.label_set.names
        if names == self._label_names and not force:
            return
        self._label_names = names
        self._rebuild_buttons()
        current = self.filter_choice()
        self.filter_combo.clear()
        self.filter_combo.addItem(self.tr("All rows"), "all")
        self.filter_combo.addItem(self.tr("Unlabelled"), "unlabelled")
        self.filter_combo.addItem(self.tr("Labelled"), "labelled")
        for name in names:
            self.filter_combo.addItem(self.tr("Label: {name}").format(name=name), "label")
            self.filter_combo.setItemData(self.filter_combo.count() - 1, name, NAME_ROLE)
        self.filter_combo.addItem(self.tr("Search…"), "search")
        self.filter_combo.addItem(self.tr("Random sample"), "random")
        for method, text in UNCERTAINTY_CHOICES:
            measure = QCoreApplication.translate("LabelPanel", text)
            self.filter_combo.addItem(self.tr("Most uncertain first ({measure})").format(measure=measure), "uncertain")
            self.filter_combo.setItemData(self.filter_combo.count() - 1, method, NAME_ROLE)
        self.filter_combo.addItem(self.tr("Suspicious labels"), "suspicious")
        self.filter_combo.setCurrentIndex(max(self.filter_index(*current), 0))

    def filter_choice(self, index: int | None = None) -> tuple[str, str | None]:
        """The (kind, label name) of a filter-list entry (default: the current one)."""
        index = self.filter_combo.currentIndex() if index is None else index
        if index < 0:
            return ("all", None)
        return (self.filter_combo.itemData(index), self.filter_combo.itemData(index, NAME_ROLE))

    def filter_index(self, kind: str, name: str | None = None) -> int:
        """Where the filter (kind, label name) is in the filter list, or -1."""
        for index in range(self.filter_combo.count()):
            if self.filter_choice(index) == (kind, name):
                return index
        return -1

    def _rebuild_buttons(self) -> None:
        for button in self.label_buttons:
            self.buttons_grid.removeWidget(button)
            button.deleteLater()
        self.label_buttons = []
        for i, name in enumerate(self._label_names):
            key = key_for_position(i)
            button = self._button(f"{key}  {name}" if key else name, lambda n=name: self.assign(n))
            button.setMinimumHeight(34)
            button.setCheckable(True)  # checked = the row's current label
            button.setToolTip(
                self.tr("Label this row {name!r} (key {key})").format(name=name, key=key)
                if key
                else self.tr("Label this row {name!r}").format(name=name)
            )
            self.buttons_grid.addWidget(button, i // 5, i % 5)
            self.label_buttons.append(button)
        self._paint_buttons()
        self.keys_legend.setText(legend(self._label_names))
        self.keys_legend.setVisible(bool(self.keys_legend.text()))

    def _paint_buttons(self) -> None:
        """A swatch of each label's colour on its button: the colour it has in every table, chart and map."""
        colors = self.project.display_colors() if self.project is not None else {}
        for button, name in zip(self.label_buttons, self._label_names):
            swatch = QPixmap(12, 12)
            swatch.fill(QColor(colors.get(name, "#999999")))
            button.setIcon(QIcon(swatch))

    # -- filters ----------------------------------------------------------------------------
    def apply_filter(self, row_filter: RowFilter) -> bool:
        """Walk the rows ``row_filter`` selects, from the first one. False (and a message) if it cannot."""
        if self.project is None:
            return False
        self.cancel_search()
        suspicious = row_filter.kind == "suspicious"
        self.review_bar.setVisible(suspicious)
        if suspicious and self._review is None:
            # No review yet: the view is empty and its bar offers to make one.
            self.walker = None
            self._update_review_bar()
            self._show_row(None, self.tr("No label review yet: press Find suspicious labels (above) to check every label."))
            return True
        try:
            self.walker = RowWalker(self.project, row_filter)
        except BertdeskError as err:
            self.message_label.setText(self._filter_error(row_filter, err))
            return False
        if suspicious:
            self._update_review_bar()
        self.message_label.setText("")
        self.sample_spin.setVisible(row_filter.kind == "random")
        self._visited.clear()  # a new view: ← walks this view from here
        self._step(None, backward=False, empty=self.tr("No rows match this view."), whole_view=True)
        return True

    def _filter_error(self, row_filter: RowFilter, err: BertdeskError) -> str:
        """The line for a view that cannot be shown: core's own (English, shared with the CLI),
        except the everyday one, "Most uncertain first" before any prediction, said translatably."""
        if row_filter.kind == "uncertain" and self.project is not None:
            table = self.project.predictions()
            if table is None or not len(table):  # the condition core's message answers
                return self.tr("No predictions yet: train a model, then predict (Predict panel), to label the most uncertain rows first.")
        return str(err)

    # -- resuming where the user left off --------------------------------------------------------
    def place(self) -> dict[str, object] | None:
        """The view and row shown, to come back to when the project is opened again."""
        if self.walker is None:
            return None
        f = self.walker.row_filter
        return {"kind": f.kind, "label": f.label, "text": f.text, "regex": f.regex, "uncertainty": f.uncertainty, "row": self.current_row}

    def restore_place(self, place: dict[str, object]) -> bool:
        """Show the view and row :meth:`place` recorded; False (and the default view) when they no
        longer make sense (a label deleted since, a row past the end, a file edited by hand)."""
        if self.project is None:
            return False
        kind, name = str(place.get("kind", "all")), place.get("label") or place.get("uncertainty")
        if kind == "uncertain":
            name = place.get("uncertainty")
        elif kind != "label":
            name = None
        index = self.filter_index(kind, None if name is None else str(name))
        if index < 0:
            return False
        self.filter_combo.setCurrentIndex(index)
        if kind == "search":
            self.search_edit.setText(str(place.get("text") or ""))
            self.regex_check.setChecked(bool(place.get("regex")))
        try:
            row_filter = self._filter_from_controls()
        except BertdeskError:
            return False
        if not self.apply_filter(row_filter):
            return False
        row = place.get("row")
        if isinstance(row, int) and not isinstance(row, bool) and 0 <= row < self.project.row_count:
            self._show_row(row)
        return True

    def _filter_from_controls(self) -> RowFilter:
        kind, name = self.filter_choice()
        if kind == "search":
            return RowFilter("search", text=self.search_edit.text(), regex=self.regex_check.isChecked())
        if kind == "random":
            return RowFilter("random", sample_size=self.sample_spin.value(), seed=SAMPLE_SEED)
        if kind == "uncertain":
            return RowFilter("uncertain", uncertainty=name or "least_confidence")
        return RowFilter(kind, label=name)

    def _apply_controls(self) -> None:
        try:
            row_filter = self._filter_from_controls()
        except BertdeskError as err:
            self.message_label.setText(str(err))
            return
        self.apply_filter(row_filter)

    def _on_filter_combo_activated(self, index: int) -> None:
        kind, _ = self.filter_choice(index)
        if kind == "search" and not self.search_edit.text():
            self.search_edit.setFocus()
            return
        self.sample_spin.setVisible(kind == "random")
        self._apply_controls()
        self.setFocus()

    def _on_search_edit_return_pressed(self) -> None:
        self.filter_combo.setCurrentIndex(self.filter_index("search"))
        self._apply_controls()
        if self.message_label.text() == "":
            self.setFocus()

    def _on_search_edit_text_edited(self, _text: str) -> None:
        # A search for the old text is stale once the text changes: the newest request wins.
        if self.search_running():
            self.cancel_search()

    def _on_sample_spin_editing_finished(self) -> None:
        if self.filter_choice()[0] == "random":
            self._apply_controls()

    def eventFilter(self, watched: object, event: object) -> bool:  # noqa: N802 - Qt override
        # Esc in the search field cancels a running search and hands the keyboard back to labelling.
        if watched is self.search_edit and isinstance(event, QKeyEvent):
            if self._claims_escape(event):
                return False  # accepted: Esc now arrives here as a key press
            if event.type() == QKeyEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self.cancel_search(say=True)
                self.setFocus()
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def event(self, event: QEvent) -> bool:  # Qt override
        if isinstance(event, QKeyEvent) and self._claims_escape(event):
            return True
        return super().event(event)

    def _claims_escape(self, event: QKeyEvent) -> bool:
        """Take Esc from the main window's Cancel Job shortcut while a search runs (Esc cancels it)."""
        if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape and self.search_running():
            event.accept()
            return True
        return False

    # -- keys -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        # Keyboard-first: opening the panel (e.g. from the sidebar) puts the keys here.
        super().showEvent(event)
        self._stale.flush()  # what changed while the panel was hidden
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ctrl = Qt.KeyboardModifier.ControlModifier
        if event.matches(QKeySequence.StandardKey.Redo) or (key == Qt.Key.Key_Z and mods == ctrl | Qt.KeyboardModifier.ShiftModifier):
            self.redo()
        elif event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        elif key == Qt.Key.Key_F and mods == ctrl:
            self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.search_edit.selectAll()
        elif mods != Qt.KeyboardModifier.NoModifier:
            super().keyPressEvent(event)
        elif key == Qt.Key.Key_Escape and self.search_running():
            self.cancel_search(say=True)
        elif self.search_running() and key not in (Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Left):
            pass  # a label key now would hit the row on screen, not the one being sought
        elif (position := position_for_key(int(key))) is not None:
            if position < len(self._label_names):
                self.assign(self._label_names[position])
        elif key in (Qt.Key.Key_0, Qt.Key.Key_Backspace):
            self.clear_current()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_suggestion()
        elif key == Qt.Key.Key_Space and self.reviewing():
            self.keep_label()
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Right):
            self.skip()
        elif key == Qt.Key.Key_Left:
            self.go_back()
        else:
            super().keyPressEvent(event)

    # -- actions ----------------------------------------------------------------------------
    def assign(self, label: str | None) -> None:
        """Give the current row ``label`` (None clears; one undo step in the project), move on (when labelling)."""
        row = self.current_row
        changed = self._edit_current(lambda project, r: project.set_label(r, label), self.tr("Saved ✓  row {row}"))
        if changed is None or row is None:
            return
        if changed and label is not None:
            self._count_new_label()
        if label is not None:
            self.skip()
        else:
            self._show_row(row)

    def _edit_current(self, edit: Callable[[Project, int], bool], saved: str) -> bool | None:
        """Make ``edit`` (one undo step) on the row shown and say ``saved`` (with the 1-based
        ``{row}``) when it changed something; None when there was no row, or the edit failed (its
        one line is shown)."""
        project, row = self.project, self.current_row
        if project is None or row is None:
            return None
        self._assigning = True  # the announcement updates the counts; the row shown is this method's
        try:
            changed = edit(project, row)  # announced: the counts and chart follow
        except BertdeskError as err:
            self.message_label.setText(str(err))
            return None
        finally:
            self._assigning = False
        if changed:
            self.saved_label.setText(saved.format(row=row + 1))
        return changed

    # -- the uncertain -> label -> retrain loop ------------------------------------------------
    def show_uncertain(self, measure: str = "least_confidence") -> None:
        """Walk the unlabelled rows the active model is least sure of (by ``measure``), first one first."""
        index = self.filter_index("uncertain", measure)
        if index < 0 or self.project is None:
            return
        self.filter_combo.setCurrentIndex(index)
        self._apply_controls()
        self.setFocus()

    def _on_active_run_changed(self, run_id: int | None) -> None:
        self._active_run_id = run_id
        self._labelled_since_model = 0  # a new model has learnt from every label so far
        self.retrain_bar.hide()
        self._stale.run("predictions", self._on_model_output_changed)

    def _on_model_output_changed(self) -> None:
        """New predictions or another model: new suggestions, and a re-ranked uncertain queue."""
        self.refresh_predictions()
        # A model that has predicted nothing yet (it just became active; its predictions are on
        # their way) keeps the old queue rather than emptying it.
        has_predictions = self._predictions is not None and len(self._predictions) > 0
        if has_predictions and self.walker is not None and self.walker.row_filter.kind == "uncertain" and self.project is not None:
            self.apply_filter(self.walker.row_filter)  # the queue, ranked by the new predictions

    def _count_new_label(self) -> None:
        if self.project is None or self._active_run_id is None:
            return
        self._labelled_since_model += 1
        if self._labelled_since_model >= self._offer_retrain_at:
            self.retrain_label.setText(
                self.tr(
                    "You labelled {count} rows since run {run} was trained. "
                    "Retrain, so the suggestions and the most-uncertain queue learn from them?"
                ).format(count=self._labelled_since_model, run=self._active_run_id)
            )
            self.retrain_bar.show()

    def _on_retrain_later_clicked(self) -> None:
        self._offer_retrain_at = self._labelled_since_model + RETRAIN_AFTER
        self.retrain_bar.hide()

    def _on_retrain_now_clicked(self) -> None:
        self.retrain_bar.hide()
        self._offer_retrain_at = self._labelled_since_model + RETRAIN_AFTER
        self.retrain_requested.emit()

    def accept_suggestion(self) -> None:
        """Give the current row the active model's predicted label (Enter); in the suspicious-labels
        view, the label the review suggests."""
        suspect = self._suspect_on_screen()
        if suspect is not None:
            if suspect.suggested in self._label_names:
                self.assign(suspect.suggested)
            return
        suggestion = self.suggestion_for(self.current_row)
        if suggestion is not None and suggestion[0] in self._label_names:
            self.assign(suggestion[0])

    def refresh_predictions(self) -> None:
        """Re-read the active run's predictions (after predicting, or another run became active)."""
        self._predictions = self.project.predictions() if self.project is not None else None
        self._show_row(self.current_row)

    def suggestion_for(self, row: int | None) -> tuple[str, float] | None:
        """(predicted label, confidence) of ``row`` from the active run, if it has one."""
        table = self._predictions
        if table is None or row is None or not len(table):
            return None
        index = int(table.row_ids.searchsorted(row))
        if index >= len(table) or int(table.row_ids[index]) != row:
            return None
        return str(table.labels[index]), float(table.confidence[index])

    # -- the label review ------------------------------------------------------------------------
    def similar_source_row(self) -> int | None:
        """The row "Find Similar Rows" starts from: the one on screen."""
        return self.current_row

    def reviewing(self) -> bool:
        """True while the view is "Suspicious labels"."""
        return self.walker is not None and self.walker.row_filter.kind == "suspicious"

    def _suspect_on_screen(self) -> Suspect | None:
        """The review's suspect shown now (still with the label it was suspected for), else None."""
        if not self.reviewing() or self.current_row is None or self.project is None:
            return None
        suspect = self._suspects.get(self.current_row)
        return suspect if suspect is not None and self.project.label_of(self.current_row) == suspect.label else None

    def show_suspicious(self, *, start_if_missing: bool = False) -> None:
        """Walk the rows whose labels look wrong; ``start_if_missing``: run a fast review first if none exists."""
        index = self.filter_index("suspicious")
        if index < 0 or self.project is None:
            return
        self.filter_combo.setCurrentIndex(index)
        self._apply_controls()
        self.setFocus()
        if start_if_missing and self._review is None and not self.jobs.busy("review"):
            self.start_review("fast")

    def keep_label(self) -> None:
        """Space in the suspicious-labels view: the label is right; mark the row reviewed, move on."""
        if self._suspect_on_screen() is None:  # relabelled or kept already: nothing to keep
            self.skip()
            return
        if self._edit_current(lambda project, row: project.mark_reviewed([row]), self.tr("Kept ✓  row {row}")) is not None:
            self.skip()

    def start_review(self, mode: str) -> None:
        """Check every label against the others in the background (``mode``: "fast" or "thorough")."""
        project = self.project
        if project is None:
            return

        def work(*, on_progress: ProgressCallback, cancel: CancelToken) -> LabelReview:
            from bertdesk.core.review.label_review import review_labels

            return review_labels(project, mode=mode, on_progress=on_progress, cancel=cancel)  # type: ignore[arg-type]

        self.review_bar.show()
        self.review_bar.show_started(mode)
        self.message_label.setText("")
        if self.walker is None and self.filter_choice()[0] == "suspicious":  # the empty view says what is happening
            self._show_row(None, self.tr("Checking every label against what the others teach… the most suspicious rows come here."))
        self.jobs.start(
            "review",
            work,
            title=self.tr("Finding suspicious labels"),
            on_progress=self.review_bar.show_progress,
            on_done=lambda _review: self._on_review_done(),
            on_finished=self._update_review_bar,
        )

    def cancel_review(self) -> bool:
        """Stop a running label review; True when one was running."""
        if not self.jobs.busy("review"):
            return False
        self.jobs.forget("review")
        self._update_review_bar()
        self.message_label.setText(self.tr("Label review cancelled."))
        return True

    def cancel_work(self) -> bool:
        """The window's Esc: stop a running review (a search handles its own Esc)."""
        return self.cancel_review()

    def _on_review_done(self) -> None:
        # The stored review was announced (LabelReviewChanged); read it now so the view follows at once.
        self._on_label_review_changed()
        self.show_suspicious()

    def _read_review(self) -> None:
        self._review = self.project.label_review() if self.project is not None else None
        self._suspects = {} if self._review is None else {s.row_id: s for s in self._review.suspects}

    def _on_label_review_changed(self) -> None:
        self._read_review()
        if self.reviewing() or self.filter_choice()[0] == "suspicious":
            self._apply_controls()  # the new suspects, most suspicious first

    def _update_review_bar(self) -> None:
        if self.jobs.busy("review") or self.project is None:
            return
        left = 0
        if self._review is not None:
            try:
                left = len(suspects_left(self.project))
            except BertdeskError:
                left = 0
        self.review_bar.show_review(self._review, open_count=left, reviewed=len(self.project.reviewed_rows()))

    def clear_current(self) -> None:
        """Remove the current row's label (stays on the row)."""
        self.assign(None)

    def skip(self) -> None:
        """Show the next row of the view (← comes back to this one)."""
        if self.walker is not None and self.current_row is not None:
            self._leaving = self.current_row
            self._step(self.current_row, backward=False, empty=self.tr("That was the last row in this view."))

    def go_back(self) -> None:
        """Show the row visited before this one, even one the view no longer holds (the row just
        labelled, in "Unlabelled"); with no such row, the previous row of the view."""
        if self.walker is None or self.current_row is None:
            return
        if self._visited:
            self.cancel_search()
            self.message_label.setText("")
            self._show_row(self._visited.pop())
            return
        self._step(self.current_row, backward=True, empty=self.tr("This is the first row in this view."))

    def undo(self) -> None:
        """Ctrl+Z: step the project's undo history back (the change is announced like any edit)."""
        if self.project is not None:
            self.project.undo()

    def redo(self) -> None:
        """Ctrl+Shift+Z: step the project's undo history forward."""
        if self.project is not None:
            self.project.redo()

    # -- what the project announces ----------------------------------------------------------
    def _on_project_labels_changed(self, message: LabelsChanged) -> None:
        if self.reviewing():
            self._update_review_bar()
        if self._assigning:  # this panel's own key press: it moves on to the next row itself
            self._sync_label_set()
            self._update_progress()
        elif message.cause != "edit" and len(message.rows) == 1 and self.isVisible():
            # Undo/redo of one row: show the row whose label came back or went away.
            self.cancel_search()  # its answer would move away from that row
            self._stale.run("labels", lambda: self._show_counts_and_row(int(message.rows[0])))
        else:
            self._stale.run("labels", lambda: self._show_counts_and_row(self.current_row))
        if message.cause != "edit":
            self.saved_label.setText(_undo_note(message.cause, message.step))

    def _on_project_label_set_changed(self, message: LabelSetChanged) -> None:
        self._paint_buttons()  # a recolour keeps the names, so the buttons are not rebuilt
        self._stale.run("labels", lambda: self._show_counts_and_row(self.current_row))
        if message.cause != "edit":
            self.saved_label.setText(_undo_note(message.cause, message.step))

    def _show_counts_and_row(self, row: int | None) -> None:
        if self.project is None:
            return
        self._sync_label_set()
        self._update_progress()
        self._show_row(row)

    # -- stepping and search ------------------------------------------------------------------
    def _step(self, row: int | None, *, backward: bool, empty: str, whole_view: bool = False) -> None:
        """Go to the next (``backward``: previous) row of the view after ``row`` (None: the first).

        A text search that does not answer within :data:`QUICK_SEARCH` goes on on a worker.
        """
        walker = self.walker
        self.cancel_search()  # the newest request wins
        if walker is None:
            return
        if not walker.scans:
            self._go_to(walker.step(row, backward=backward), empty=empty, whole_view=whole_view)
            return
        try:
            found = walker.step(row, backward=backward, budget=QUICK_SEARCH)
        except SearchTooSlow:
            self._search_in_background(walker, row, backward=backward, empty=empty, whole_view=whole_view)
            return
        except BertdeskError as err:
            self.message_label.setText(str(err))
            return
        self._go_to(found, empty=empty, whole_view=whole_view)

    def _search_in_background(self, walker: RowWalker, row: int | None, *, backward: bool, empty: str, whole_view: bool) -> None:
        budget = self.search_budget

        def work(*, on_progress: ProgressCallback, cancel: CancelToken) -> int | None:
            return walker.step(row, backward=backward, budget=budget, cancel=cancel, on_progress=on_progress)

        self._search_step = (empty, whole_view)
        self.message_label.setText("")
        self.search_status.setText(self.tr("Searching…  (Esc cancels)"))
        # Background kind: closing the window cancels a search without asking.
        self.jobs.start(
            "search",
            work,
            title=self.tr("Searching"),
            kind=JobKind.BACKGROUND,
            on_progress=self._on_search_job_progressed,
            on_done=self._on_search_job_succeeded,
            on_finished=lambda: self.search_status.setText(""),
        )

    def search_running(self) -> bool:
        """True while a search step runs on a worker (labelling keys wait for it)."""
        return self.jobs.busy("search")

    def cancel_search(self, *, say: bool = False) -> None:
        """Stop a running search step (its answer, if it still comes, is ignored)."""
        if not self.jobs.busy("search"):
            return
        self.jobs.forget("search")
        self.search_status.setText("")
        if say:
            self.message_label.setText(self.tr("Search cancelled."))

    def _on_search_job_progressed(self, progress: Progress) -> None:
        # The scan's report is "Searching… {n} rows looked at" (core, shared with the CLI): said here
        # from its count, so that it can be translated.
        if progress.message:
            self.search_status.setText(self.tr("Searching… {count:,} rows looked at  (Esc cancels)").format(count=progress.done))

    def _on_search_job_succeeded(self, found: int | None) -> None:
        self.search_status.setText("")
        empty, whole_view = self._search_step
        self._go_to(found, empty=empty, whole_view=whole_view)

    # -- display ----------------------------------------------------------------------------
    def _go_to(self, row: int | None, *, empty: str, whole_view: bool = False) -> None:
        """Show ``row``; None: say ``empty`` (show nothing when the whole view is empty)."""
        if row is None:
            walker = self.walker
            # Whether any row is left in the view: cheap, except for a text search, whose rows
            # never change (the snapshot is fixed), so the row on screen still matches.
            if whole_view or self.current_row is None or walker is None or (not walker.scans and walker.first_row() is None):
                self._show_row(None, empty)
            else:
                self.message_label.setText(empty)
            return
        self.message_label.setText("")
        leaving, self._leaving = self._leaving, None
        if leaving is not None and leaving != row:  # a step forward: remember where from, for ←
            self._visited.append(leaving)
            del self._visited[:-VISITED_LIMIT]
        self._show_row(row)

    def _show_row(self, row: int | None, empty: str = "") -> None:
        self.current_row = row
        project = self.project
        if project is None or row is None:
            self.text_view.setPlainText(empty if project is not None else self.tr("Open a project to start labelling."))
            self.row_label.setText("")
            self.suggestion_label.setText("")
            self.position_label.setText("")
            for value in self.context_values.values():
                value.setText("")
            self._update_progress()
            return
        cells = project.fetch_rows(row, 1)[0]
        columns = project.columns
        self.text_view.setPlainText(cells[columns.index(project.text_column)])
        for name, value in self.context_values.items():
            value.setText(cells[columns.index(name)])
        label = project.label_of(row)
        self.row_label.setText(
            self.tr("Row {row:,}  ·  {label}").format(row=row + 1, label=label if label is not None else self.tr("unlabelled"))
        )
        suspect = self._suspect_on_screen()
        suggestion = self.suggestion_for(row)
        if suspect is not None:
            self.suggestion_label.setText(
                self.tr(
                    'Probably wrong: "{label}" {given:.0%} vs "{suggested}" {suggested_share:.0%}  ·  Enter: {suggested}  ·  Space: keep {label}'
                ).format(
                    label=suspect.label,
                    given=suspect.given_probability,
                    suggested=suspect.suggested,
                    suggested_share=suspect.suggested_probability,
                )
            )
        elif self.reviewing() and row in self._suspects:
            self.suggestion_label.setText(self.tr("Relabelled or kept since the review  ·  Space: next"))
        else:
            self.suggestion_label.setText(
                ""
                if suggestion is None
                else self.tr("Model suggests: {label} ({confidence:.0%})").format(label=suggestion[0], confidence=suggestion[1])
                if suggestion[0] == label
                else self.tr("Model suggests: {label} ({confidence:.0%})  ·  Enter accepts").format(
                    label=suggestion[0], confidence=suggestion[1]
                )
            )
        for button, name in zip(self.label_buttons, self._label_names):
            button.setChecked(name == label)
        position = self.walker.position(row) if self.walker is not None else None
        total = self.walker.total if self.walker is not None else None
        if position is not None and total is not None:
            self.position_label.setText(self.tr("{position:,} of {total:,}").format(position=position, total=total))
        elif total is not None:
            self.position_label.setText(self.tr("{total:,} in this view").format(total=total))
        else:
            self.position_label.setText("")

    def _update_progress(self) -> None:
        project = self.project
        if project is None:
            self.progress_label.setText("")
            self.counts_label.setText("")
            self.chart.set_counts({})
            return
        counts = project.label_counts()
        self.progress_label.setText(
            self.tr("{labelled:,} of {rows:,} labelled").format(labelled=project.labelled_count, rows=project.row_count)
        )
        lines = [f"{key_for_position(i) or '·'}  {name}: {n:,}" for i, (name, n) in enumerate(counts.items())]
        self.counts_label.setText("\n".join(lines) or self.tr("No labels yet."))
        self.chart.set_counts(counts, project.display_colors())

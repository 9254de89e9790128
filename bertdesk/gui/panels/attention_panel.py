"""Attention panel: what the model looks at in one text.

``explain(text)`` runs the model on a worker thread (:class:`~bertdesk.gui.workers.Job`) and
shows the prediction, a **model view** (every head of every layer), a **head view** (one map,
tokens on both axes, exact weights on hover), a **token view** (BertViz-style lines between
two columns of tokens) and the **saliency** (the text shaded word by word).

torch and transformers are imported on the worker thread only (``bertdesk.core.ml.attention``
imports them inside its functions), so this module loads none of them and the window opens fast.
The loaded model is cached by the panel's explainer and reused for every row.

With a project (:meth:`AttentionPanel.set_project`) the panel explains with the project's active
run's model (the bundled one when there is none), following the project's announcements when
another run becomes active.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

# Cheap: numpy and config reading only; torch and transformers load inside the job.
from bertdesk.core.ml.attention import NO_CLASSIFIER, NO_SALIENCY
from bertdesk.core.ml.attention_derived import KINDS, Explained, kind_stack, merged_stack, prepare
from bertdesk.core.ml.attention_maps import NORMALISATIONS, Normalisation, colour_levels, drop_indices, word_groups
from bertdesk.core.ml.attention_png import COLOURMAPS, colour_lut
from bertdesk.gui.dialogs.errors import error_message
from bertdesk.gui.jobs import JobRunner
from bertdesk.gui.project_events import ProjectEvents
from bertdesk.gui.widgets.attention_export import save_widget_image
from bertdesk.gui.widgets.attention_grid import THUMB_MAX, AttentionGrid
from bertdesk.gui.widgets.attention_heatmap import AttentionHeatmap
from bertdesk.gui.widgets.attention_saliency import SaliencyView, word_spans
from bertdesk.gui.widgets.attention_tokens import AttentionTokenView
from bertdesk.gui.widgets.chinese_font import with_chinese_fallback
from bertdesk.gui.workers import Job

if TYPE_CHECKING:
    from bertdesk.core.ml.attention import AttentionExplainer, AttentionMaps, Truncation
    from bertdesk.core.project import Project

log = logging.getLogger(__name__)

MEAN, ROLLOUT = -1, -2  # head choices besides a head's index
TAB_GRID, TAB_HEAD, TAB_TOKENS, TAB_SALIENCY = range(4)
NORMALISATION_NAMES = {
    "head": QT_TRANSLATE_NOOP("AttentionPanel", "Scale per head"),
    "layer": QT_TRANSLATE_NOOP("AttentionPanel", "Scale per layer"),
    "global": QT_TRANSLATE_NOOP("AttentionPanel", "One scale for all"),
}
# Lines that bertdesk.core writes (in English, shared with the CLI) and this panel shows in normal
# use: marked here so that they are translated where shown (a test keeps the copies in step).
CORE_LINES = (
    QT_TRANSLATE_NOOP("AttentionPanel", "This model has no classifier yet: train one to see predictions."),
    QT_TRANSLATE_NOOP(
        "AttentionPanel",
        "No saliency for this model: saliency explains a predicted class, and this model has no classifier yet. "
        "Train one to see which words drive its predictions.",
    ),
    QT_TRANSLATE_NOOP("AttentionPanel", "Computing attention…"),
    QT_TRANSLATE_NOOP("AttentionPanel", "Computing saliency…"),
)
LOADING = "Loading "  # core's "Loading {model}…" progress line


def _translated(line: str) -> str:
    """A line from core in the interface language (as it is when it has no translation)."""
    return QCoreApplication.translate("AttentionPanel", line)


def _plain(text: str = "", style: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # tokens and texts are data, never markup
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    return label


class AttentionPanel(QWidget):
    """Explain a text: prediction, attention (model, head and token views) and saliency."""

    busy_changed = Signal(bool)
    explained = Signal(object)  # the AttentionMaps now shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_dir: str | None = None
        self.result: Explained | None = None
        self.job: Job | None = None
        self._explainer: AttentionExplainer | None = None
        self._pending: str | None = None
        self._busy = False
        self._failed = False  # the last job failed: its error line stays, with "Nothing explained."
        # Work that follows a shown result on the worker thread (word merge, saliency), in order.
        self._followups: list[Any] = []
        self._stacks: dict[tuple[str, bool], tuple[np.ndarray, list[str], np.ndarray]] = {}
        self._build()
        self.jobs = JobRunner(self, show_line=self._show_error_line)
        self.events = ProjectEvents(self)
        self.events.active_run_changed.connect(lambda _message: self._use_active_model())

    # -- construction -----------------------------------------------------------------------
    def _build(self) -> None:
        # Texts, tokens and labels of a Chinese project in Chinese glyph forms (chinese_font).
        self.setFont(with_chinese_fallback(QFont()))
        self.text_edit = QPlainTextEdit()
        self.text_edit.setPlaceholderText(self.tr("Type or paste a text (Ctrl+Enter explains it), or double-click a row in a table…"))
        self.text_edit.setFixedHeight(64)
        self.text_edit.installEventFilter(self)  # Ctrl+Enter explains (Enter alone starts a new line)
        self.text_edit.textChanged.connect(self._on_text_changed)
        self.explain_button = QPushButton(self.tr("Explain"))
        self.explain_button.setDefault(True)
        self.explain_button.setToolTip(self.tr("Explain the text (Ctrl+Enter)"))
        self.explain_button.clicked.connect(self._on_explain_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.text_edit, 1)
        top.addWidget(self.explain_button, 0, Qt.AlignmentFlag.AlignTop)

        self.status_label = _plain(self.tr("Model: bundled default. Nothing explained yet."), "color: #555;")
        self.prediction_label = _plain("", "font-size: 13pt; font-weight: bold;")
        self.truncation_label = _plain("", "background: #fff3cd; color: #664d03; padding: 4px; border-radius: 3px;")
        self.truncation_label.hide()
        self.error_label = _plain("", "color: #b00020;")
        self.error_label.hide()

        self.layer_slider = QSlider(Qt.Orientation.Horizontal)
        self.layer_slider.setRange(0, 0)
        self.layer_slider.setFixedWidth(140)
        self.layer_slider.setPageStep(1)
        self.layer_slider.valueChanged.connect(self._on_view_changed)
        self.layer_label = _plain(self.tr("Layer –"))
        self.layer_label.setWordWrap(False)
        self.head_combo = QComboBox()
        self.head_combo.currentIndexChanged.connect(self._on_view_changed)
        self.colour_combo = QComboBox()
        self.colour_combo.addItems(list(COLOURMAPS))
        self.colour_combo.currentIndexChanged.connect(self._on_style_changed)
        self.scale_combo = QComboBox()
        for mode in NORMALISATIONS:
            self.scale_combo.addItem(self.tr(NORMALISATION_NAMES[mode]), mode)
        self.scale_combo.currentIndexChanged.connect(self._on_style_changed)
        self.hide_special_check = QCheckBox(self.tr("Hide [CLS]/[SEP]"))
        self.hide_special_check.toggled.connect(self._on_view_changed)
        self.words_check = QCheckBox(self.tr("Whole words"))
        self.words_check.setToolTip(self.tr("Merge word pieces: attention to a word is the sum over its pieces, from a word the mean."))
        self.words_check.toggled.connect(self._on_view_changed)
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for text, kind in (
            (self.tr("View as PNG…"), "png"),
            (self.tr("View as SVG…"), "svg"),
            (self.tr("Maps as .npy…"), "npy"),
            (self.tr("Maps as JSON…"), "json"),
        ):
            action = QAction(text, menu)
            action.triggered.connect(lambda _=False, k=kind: self._on_export_triggered(k))
            menu.addAction(action)
        self.export_button.setMenu(menu)
        self.export_button.setEnabled(False)
        controls = QHBoxLayout()
        for widget in (
            self.layer_label,
            self.layer_slider,
            self.head_combo,
            self.colour_combo,
            self.scale_combo,
            self.hide_special_check,
            self.words_check,
        ):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.export_button)

        self.grid = AttentionGrid()
        self.grid.cell_clicked.connect(self._on_grid_cell_clicked)
        self.heatmap = AttentionHeatmap()
        self.heatmap.hovered.connect(self._on_heatmap_hovered)
        # The hovered weight reads right above the map (below the panel it was off-screen at 1280x800).
        self.hover_label = _plain(" ", "color: #333;")
        self.hover_label.setWordWrap(False)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.hover_label.setFont(with_chinese_fallback(mono))
        head_page = QWidget()
        head_layout = QVBoxLayout(head_page)
        head_layout.setContentsMargins(0, 2, 0, 0)
        head_layout.setSpacing(2)
        head_layout.addWidget(self.hover_label)
        head_layout.addWidget(self.heatmap, 1)
        self.token_view = AttentionTokenView()
        self.token_scroll = QScrollArea()
        self.token_scroll.setWidgetResizable(True)
        self.token_scroll.setWidget(self.token_view)
        self.saliency_view = SaliencyView()
        self.saliency_view.show_message(self.tr("Explain a text with a trained classifier to see which words drive its prediction."))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.grid, self.tr("Model view"))
        self.tabs.addTab(head_page, self.tr("Head view"))
        self.tabs.addTab(self.token_scroll, self.tr("Token view"))
        self.tabs.addTab(self.saliency_view, self.tr("Saliency"))

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.prediction_label)
        layout.addWidget(self.truncation_label)
        layout.addLayout(controls)
        layout.addWidget(self.tabs, 1)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(1200, 760)

    # -- public API -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Explain with ``project``'s active model from now on (None: the bundled one)."""
        self.events.set_project(project)
        self._use_active_model()

    def _use_active_model(self) -> None:
        """The active run's model when its folder is there, else the bundled one."""
        project = self.events.project
        run = project.active_run() if project is not None and not project.closed else None
        self.set_model(run.model_dir if run is not None and run.model_dir and Path(run.model_dir).is_dir() else None)

    def set_model(self, model_dir: str | None) -> None:
        """Use ``model_dir`` (None or ``default``: the bundled model) from the next explanation on.

        Cheap: the model is loaded by the first :meth:`explain` that needs it.
        """
        model_dir = None if model_dir in (None, "", "default") else str(model_dir)
        if model_dir == self.model_dir:
            return
        self.model_dir = model_dir
        if model_dir is None:
            self.status_label.setText(self.tr("Model: bundled default. Explain a text to load it."))
        else:
            self.status_label.setText(self.tr("Model: {name}. Explain a text to load it.").format(name=Path(model_dir).name))

    def explain(self, text: str) -> None:
        """Explain ``text`` with the current model, on a worker thread; a newer call supersedes an older one."""
        if self.text_edit.toPlainText() != text:
            self.text_edit.setPlainText(text)
        if self.job is not None:
            self._pending = text
            self.job.cancel()
            return
        self._start(text)

    def is_busy(self) -> bool:
        return self.job is not None

    @property
    def maps(self) -> AttentionMaps | None:
        return None if self.result is None else self.result.maps

    # -- the job -----------------------------------------------------------------------------
    def _start(self, text: str) -> None:
        model_dir = self.model_dir
        panel = self

        def run(on_progress: Any, cancel: Any) -> Explained:
            from bertdesk.core.ml.attention import AttentionExplainer

            if panel._explainer is None:
                panel._explainer = AttentionExplainer()
            # Saliency (a backward pass) comes in a second job: the maps show without waiting for it.
            maps = panel._explainer.explain(model_dir, text, saliency=False, on_progress=on_progress, cancel=cancel)
            cancel.raise_if_cancelled()
            return prepare(maps, THUMB_MAX)

        self.error_label.hide()
        self._failed = False
        self.explain_button.setEnabled(False)
        self.status_label.setText(self.tr("Explaining…"))
        self._run_job(run, self._on_job_succeeded)

    def _start_saliency(self, maps: AttentionMaps) -> None:
        model_dir, explainer = self.model_dir, self._explainer

        def run(on_progress: Any, cancel: Any) -> AttentionMaps:
            assert explainer is not None
            return explainer.saliency(model_dir, maps, on_progress=on_progress, cancel=cancel)

        self.saliency_view.show_message(self.tr("Computing saliency…"))
        self._run_job(run, self._on_saliency_job_succeeded)

    def _start_words(self, result: Explained) -> None:
        """Merge word pieces for every map off the UI thread (hundreds of ms for 512 tokens)."""

        def run(on_progress: Any, cancel: Any) -> tuple[Explained, dict[tuple[str, bool], Any]]:
            return result, {(kind, True): merged_stack(result, kind) for kind in KINDS}

        self._run_job(run, self._on_words_job_succeeded)

    def _on_words_job_succeeded(self, answer: tuple[Explained, dict[tuple[str, bool], Any]]) -> None:
        result, stacks = answer
        if result is self.result:
            self._stacks.update(stacks)

    def _run_job(self, fn: Any, on_success: Any) -> None:
        # One slot, and explain() waits for the running job before starting the next: the
        # explainer (one loaded model) serves one job at a time.
        self.job = self.jobs.start(
            "attention",
            fn,
            title=self.tr("Explaining"),
            on_progress=self._on_job_progressed,
            on_done=on_success,
            on_failed=self._on_job_failed,
            on_finished=self._on_job_finished,
        )
        if not self._busy:
            self._busy = True
            self.busy_changed.emit(True)

    def _on_job_progressed(self, progress: Any) -> None:
        if progress.total and progress.done >= progress.total:
            return  # "Done": the result's own line (model, layers, tokens) says more
        if progress.message:
            self.status_label.setText(self._progress_line(progress.message))

    def _progress_line(self, message: str) -> str:
        """Core's progress line in the interface language."""
        if message.startswith(LOADING) and message.endswith("…"):
            return self.tr("Loading {model}…").format(model=message[len(LOADING) : -1])
        return _translated(message)

    def _on_job_succeeded(self, result: Explained) -> None:
        if self._pending is not None:
            return  # superseded: the newer text is explained next
        self.show_result(result)
        maps = result.maps
        if len(maps.word_groups()) < len(maps.tokens):
            self._followups.append(lambda: self._start_words(result))
        if maps.labels and maps.saliency is None:
            self._followups.append(lambda: self._start_saliency(maps))

    def _on_saliency_job_succeeded(self, maps: AttentionMaps) -> None:
        if self._pending is not None or self.result is None or self.result.maps.text != maps.text:
            return
        self.result.maps = maps
        self._show_saliency(maps)

    def _on_job_failed(self, _err: BaseException) -> None:
        self._failed = True
        self.status_label.setText(self.tr("Nothing explained."))  # the runner shows the error's line

    def _show_error_line(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _on_job_finished(self) -> None:
        self.job = None
        pending, self._pending = self._pending, None
        if pending is not None:
            self._followups.clear()
            self._start(pending)
            return
        if self._followups:
            self._followups.pop(0)()
            return
        self.explain_button.setEnabled(True)
        self._busy = False
        if not self._failed:
            self._show_result_status()  # not the last follow-up's "Computing saliency…"
        self.busy_changed.emit(False)

    def _on_explain_button_clicked(self) -> None:
        self.explain(self.text_edit.toPlainText())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.text_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            if self.explain_button.isEnabled():
                self._on_explain_button_clicked()
            return True
        return super().eventFilter(watched, event)

    def _text_edited(self) -> bool:
        return self.result is not None and self.text_edit.toPlainText() != self.result.maps.text

    def _on_text_changed(self) -> None:
        """The text no longer is the one explained: its prediction must not stay beside it."""
        if not self._text_edited():
            return
        if self.job is None:
            self._show_result_status()
        self.prediction_label.setText("")
        self.truncation_label.hide()

    def _show_result_status(self) -> None:
        """The line above the prediction once the jobs are done: what was explained, or that the text changed since."""
        if self.result is None:
            return
        if self._text_edited():
            self.status_label.setText(
                self.tr("Text edited: Explain (Ctrl+Enter) to see its prediction. The maps below are of the previous text.")
            )
            return
        maps = self.result.maps
        self.status_label.setText(
            self.tr("Model: {model}, {layers} layers x {heads} heads. {tokens} tokens.").format(
                model=maps.model_name, layers=maps.layers, heads=maps.heads, tokens=len(maps.tokens)
            )
        )

    # -- showing a result ---------------------------------------------------------------------
    def show_result(self, result: Explained) -> None:
        """Show an explanation (called with the job's result; public for tests and benchmarks)."""
        maps = result.maps
        self.result = result
        self._stacks = {}
        self._show_result_status()
        if maps.probabilities is None:
            self.prediction_label.setText(_translated(NO_CLASSIFIER))
            self.prediction_label.setStyleSheet("font-size: 11pt; color: #555;")
        else:
            self.prediction_label.setText(self._prediction_line(maps))
            self.prediction_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        if maps.truncation is not None:
            self.truncation_label.setText(self._truncation_line(maps.truncation))
            self.truncation_label.show()
        else:
            self.truncation_label.hide()
        self._reset_controls(maps)
        self.grid.set_maps(maps.attentions, self._mode(), self._lut(), thumbs=result.thumbs, maxima=result.maxima["heads"])
        choice = self.head_combo.currentData()
        self.grid.selected = (self.layer_slider.value(), int(choice)) if choice is not None and choice >= 0 else None
        self._show_saliency(maps)
        self._refresh_views()
        self.export_button.setEnabled(True)
        self.explained.emit(maps)

    def _reset_controls(self, maps: AttentionMaps) -> None:
        layer, head = self.layer_slider.value(), self.head_combo.currentData()
        for widget in (self.layer_slider, self.head_combo):
            widget.blockSignals(True)
        self.layer_slider.setRange(0, maps.layers - 1)
        self.layer_slider.setValue(min(layer, maps.layers - 1) if self.head_combo.count() else maps.layers - 1)
        self.head_combo.clear()
        for h in range(maps.heads):
            self.head_combo.addItem(self.tr("Head {n}").format(n=h + 1), h)
        self.head_combo.addItem(self.tr("Mean of heads"), MEAN)
        self.head_combo.addItem(self.tr("Rollout (layers 1 to this)"), ROLLOUT)
        index = self.head_combo.findData(head if head is not None and (head < 0 or head < maps.heads) else 0)
        self.head_combo.setCurrentIndex(max(0, index))
        for widget in (self.layer_slider, self.head_combo):
            widget.blockSignals(False)

    def _show_saliency(self, maps: AttentionMaps) -> None:
        if maps.saliency is None:
            self.saliency_view.show_message(_translated(NO_SALIENCY) if maps.probabilities is None else self.tr("Computing saliency…"))
            return
        groups = maps.word_groups()
        scores = np.array([float(maps.saliency[g].sum()) for g in groups], dtype=np.float32)
        self.saliency_view.show_saliency(maps.text, word_spans(maps.offsets, groups), scores)

    def _mode(self) -> Normalisation:
        return self.scale_combo.currentData() or "head"

    def _lut(self) -> np.ndarray:
        return colour_lut(self.colour_combo.currentText() or "viridis")

    def _stack(self, kind: str, words: bool) -> tuple[np.ndarray, list[str], np.ndarray]:
        """(stack ``[layers, heads, q, k]``, tokens, maxima) for a kind of map, cached per result."""
        key = (kind, words)
        if key not in self._stacks:
            assert self.result is not None
            maps = self.result.maps
            if words:  # normally merged already by the follow-up job; here if asked before it ended
                self._stacks[key] = merged_stack(self.result, kind)
            else:
                self._stacks[key] = (kind_stack(self.result, kind), list(maps.tokens), self.result.maxima[kind])
        return self._stacks[key]

    def current_view(self) -> tuple[np.ndarray, list[str], tuple[float, float], str]:
        """(matrix, tokens, colour levels, title) of the map the head and token views show."""
        assert self.result is not None
        layer = self.layer_slider.value()
        choice = self.head_combo.currentData()
        choice = 0 if choice is None else int(choice)
        kind = "mean" if choice == MEAN else "rollout" if choice == ROLLOUT else "heads"
        stack, tokens, maxima = self._stack(kind, self.words_check.isChecked())
        head = max(choice, 0)
        matrix = stack[layer, head]
        levels = colour_levels(maxima, layer, head, self._mode())
        if self.hide_special_check.isChecked():
            special = self._special_indices(tokens)
            matrix = drop_indices(matrix, special)
            tokens = [t for i, t in enumerate(tokens) if i not in set(special)]
            levels = (0.0, float(matrix.max()) if matrix.size and self._mode() == "head" else levels[1])
        if choice == MEAN:
            title = self.tr("Layer {layer}, mean of heads").format(layer=layer + 1)
        elif choice == ROLLOUT:
            title = self.tr("Layer {layer}, rollout, layers 1–{layer}").format(layer=layer + 1)
        else:
            title = self.tr("Layer {layer}, head {head}").format(layer=layer + 1, head=head + 1)
        return matrix, tokens, levels, title

    def _special_indices(self, tokens: list[str]) -> list[int]:
        assert self.result is not None
        maps = self.result.maps
        if self.words_check.isChecked():
            groups = word_groups(maps.tokens, maps.word_ids)
            return [w for w, g in enumerate(groups) if len(g) == 1 and g[0] in maps.special]
        return list(maps.special)

    def _refresh_views(self) -> None:
        if self.result is None:
            return
        maps = self.result.maps
        self.layer_label.setText(self.tr("Layer {layer} of {layers}").format(layer=self.layer_slider.value() + 1, layers=maps.layers))
        matrix, tokens, levels, title = self.current_view()
        self.heatmap.set_matrix(matrix, tokens, tokens, levels=levels, lut=self._lut(), title=title)
        self.token_view.set_matrix(matrix, tokens, tokens, scale_max=levels[1])
        choice = self.head_combo.currentData()
        self.grid.selected = (self.layer_slider.value(), int(choice)) if choice is not None and choice >= 0 else None
        self.grid.update()

    # -- slots -------------------------------------------------------------------------------
    def _on_view_changed(self, *_: Any) -> None:
        self._refresh_views()

    def _on_style_changed(self, *_: Any) -> None:
        if self.result is None:
            return
        self.grid.restyle(self._mode(), self._lut())
        self._refresh_views()

    def _on_grid_cell_clicked(self, layer: int, head: int) -> None:
        self.layer_slider.blockSignals(True)
        self.layer_slider.setValue(layer)
        self.layer_slider.blockSignals(False)
        self.head_combo.setCurrentIndex(self.head_combo.findData(head))
        self._refresh_views()
        self.tabs.setCurrentIndex(TAB_HEAD)

    def _on_heatmap_hovered(self, text: str) -> None:
        self.hover_label.setText(text or " ")

    # -- export ------------------------------------------------------------------------------
    def _on_export_triggered(self, kind: str) -> None:
        filters = {
            "png": self.tr("PNG image (*.png)"),
            "svg": self.tr("SVG image (*.svg)"),
            "npy": self.tr("NumPy array (*.npy)"),
            "json": self.tr("JSON (*.json)"),
        }
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export attention"), f"attention.{kind}", filters[kind])
        if not path:
            return
        try:
            if kind in ("png", "svg"):
                self.export_view(path)
            else:
                self.export_maps(path)
        except Exception as err:  # noqa: BLE001 - shown as one line, never a traceback
            self.error_label.setText(self.tr("Cannot export to {path}: {reason}").format(path=path, reason=error_message(err)[0]))
            self.error_label.show()

    def _current_view_widget(self) -> QWidget:
        index = self.tabs.currentIndex()
        if index == TAB_GRID:
            self.grid.finish_now()
        return {TAB_GRID: self.grid, TAB_HEAD: self.heatmap, TAB_TOKENS: self.token_view, TAB_SALIENCY: self.saliency_view}[index]

    def export_view(self, path: str) -> None:
        """The view on screen as a .png or .svg image (the whole token list for the token view).

        The image says what it shows: the text, the prediction and the map (layer, head) above
        the view; a PNG also keeps them as text chunks (``Text``, ``Prediction``, ``View``, ``Model``).
        """
        widget = self._current_view_widget()
        if self.result is None:
            save_widget_image(widget, path)
            return
        maps = self.result.maps
        prediction = self._prediction_line(maps) if maps.probabilities is not None else _translated(NO_CLASSIFIER)
        view = self.tabs.tabText(self.tabs.currentIndex())
        if self.tabs.currentIndex() in (TAB_HEAD, TAB_TOKENS):
            view = self.tr("{view}: {map}").format(view=view, map=self.current_view()[3])
        chunks = {"Text": maps.text, "Prediction": prediction, "View": view, "Model": maps.model_name, "Software": "bertdesk"}
        caption = [
            self.tr("Text: {text}").format(text=maps.text),
            prediction,
            self.tr("{view}  ·  model {model}").format(view=view, model=maps.model_name),
        ]
        save_widget_image(widget, path, caption=caption, chunks=chunks)

    @staticmethod
    def _prediction_line(maps: AttentionMaps) -> str:
        ranked = sorted(zip(maps.labels, maps.probabilities if maps.probabilities is not None else []), key=lambda pair: -pair[1])
        rest = "   ".join(f"{label} {p:.1%}" for label, p in ranked)
        return QCoreApplication.translate("AttentionPanel", "Prediction: {label}     ({rest})").format(
            label=maps.predicted_label, rest=rest
        )

    def _truncation_line(self, truncation: Truncation) -> str:
        """What was cut from the text, as core's ``Truncation.message`` says it, in the interface language."""
        preview = " ".join(truncation.cut_text.split())
        if len(preview) > 80:  # its beginning and its end: both help to find it in the text
            preview = preview[:45].rstrip() + " … " + preview[-30:].lstrip()
        return self.tr(
            "The text is {tokens} tokens long and this model reads at most {max_tokens}: "
            "everything from character {character} on was cut (“{preview}”)."
        ).format(tokens=truncation.total_tokens, max_tokens=truncation.max_tokens, character=truncation.cut_at + 1, preview=preview)

    def export_maps(self, path: str) -> None:
        """All maps: ``.npy`` holds the attentions ``[layers, heads, q, k]``; ``.json`` everything (as the CLI)."""
        from bertdesk.core.ml.attention import save_json, save_npy

        assert self.result is not None
        if path.lower().endswith(".npy"):
            save_npy(self.result.maps.attentions, path)
        else:
            save_json(self.result.maps, path)

"""The Train panel: settings, data summary, a real (tiny) training run, cancel, and run history."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from bertdesk.core.errors import TrainingError
from bertdesk.core.ml import training_runs
from bertdesk.core.ml.training import PARTIAL_MARK
from bertdesk.core.ml.training_config import PRESETS, TrainConfig
from bertdesk.core.project import Project
from bertdesk.gui.panels.train_panel import TrainPanel
from bertdesk.gui.widgets.train_history import ACTIVE_MARK, COLUMNS
from bertdesk.gui.workers import running_jobs
from tests.tiny_model import tiny_texts

STATUS = COLUMNS.index("Status")


def _project(path: Path, labels: list[str] | None = None, n: int = 40) -> Project:
    texts, names = tiny_texts(n)
    frame = pd.DataFrame({"text": texts, "label": labels if labels is not None else names})
    return Project.create(path, frame, text_column="text", label_column="label")


@pytest.fixture
def project(tmp_path: Path):
    proj = _project(tmp_path / "reviews.bertdesk")
    yield proj
    if not proj.closed:
        proj.close()


@pytest.fixture
def panel(qtbot, project: Project, tiny_encoder_dir: Path):
    widget = TrainPanel()
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.set_project(project)
    widget.settings.set_model_source(str(tiny_encoder_dir))
    # Quick: 32 training rows, 2 steps an epoch, 2 epochs, no early stopping.
    widget.settings.apply_config(TrainConfig(epochs=2, batch_size=16, max_length=32, patience=0, val_split=0.2))
    yield widget
    for job in running_jobs():
        job.cancel()
        job.wait()


def _history_statuses(widget: TrainPanel) -> list[str]:
    table = widget.history.table
    return [table.item(row, STATUS).text() for row in range(table.rowCount())]


def _fake_finished_run(project: Project, accuracy: float = 0.75) -> tuple[int, Path]:
    """A run as training leaves it, without training (for the history tests)."""
    from bertdesk.core.ml.training import TrainResult

    config = PRESETS["Fast"]
    run_id, out_dir = training_runs.begin_run(project, config)
    out_dir.mkdir(parents=True)
    (out_dir / "config.json").write_text("{}", encoding="utf-8")
    validation = {
        "accuracy": accuracy,
        "macro_f1": accuracy - 0.05,
        "per_class": {
            "neg": {"precision": 0.8, "recall": 0.7, "f1": 0.75, "support": 4},
            "pos": {"precision": 0.7, "recall": 0.8, "f1": 0.7, "support": 4},
        },
        "confusion_matrix": [[3, 1], [1, 3]],
        "labels": ["neg", "pos"],
        "support": 8,
    }
    metrics = {
        "validation": validation,
        "training_seconds": 83.4,
        "device": "CPU: test, 2 cores",
        "device_kind": "cpu",
        "precision": "fp32",
        "history": {
            "loss": [{"step": 1, "epoch": 0.5, "loss": 0.7}, {"step": 2, "epoch": 1.0, "loss": 0.5}],
            "validation": [{"step": 2, "epoch": 1.0, "accuracy": accuracy, "macro_f1": accuracy - 0.05}],
        },
        "warnings": [],
        "config": config.to_dict(),
    }
    training_runs.finish_run(project, run_id, TrainResult(out_dir, metrics))
    return run_id, out_dir


# -- training ----------------------------------------------------------------------------------


def test_training_plots_curves_and_records_an_active_run(qtbot, panel: TrainPanel, project: Project) -> None:
    older, _ = _fake_finished_run(project)
    panel.set_project(project)
    values: list[int] = []
    panel.progress_bar.valueChanged.connect(values.append)
    changes: list[bool] = []
    panel.training_changed.connect(changes.append)
    live: list[list[float]] = []
    panel.active_run_changed.connect(lambda _run: live.append(list(panel.plots.loss_curve.getData()[0])))
    with qtbot.waitSignal(panel.active_run_changed, timeout=60_000) as blocker:
        panel.start_training()
        assert panel.is_training()
        assert not panel.start_button.isEnabled() and panel.cancel_button.isEnabled()
        assert _history_statuses(panel)[0] == "training…"
        assert panel.history.selected_run().id != older
    qtbot.waitUntil(lambda: not panel.is_training(), timeout=60_000)

    run = blocker.args[0]
    assert run is not None and run.is_active and run.status == "finished"
    assert changes == [True, False]
    assert max(values) >= 4  # 2 epochs x 2 steps: the bar moved step by step
    assert panel.progress_bar.value() == panel.progress_bar.maximum()  # and ends full
    loss_x, loss_y = panel.plots.loss_curve.getData()
    assert len(loss_x) >= 2 and all(y > 0 for y in loss_y)
    assert loss_x[-1] == pytest.approx(2.0)  # x is the epoch
    acc_x, acc_y = panel.plots.accuracy_curve.getData()
    f1_x, _ = panel.plots.f1_curve.getData()
    assert list(acc_x) == [1.0, 2.0] and list(f1_x) == [1.0, 2.0]
    assert all(0.0 <= y <= 1.0 for y in acc_y)

    assert _history_statuses(panel) == ["finished", "finished"]
    assert panel.history.table.item(0, 0).text() == ACTIVE_MARK
    assert panel.history.table.item(0, 1).font().bold()
    assert panel.history.table.item(1, 0).text() == ""
    # The new run stays selected and its stored curves are the ones watched live.
    assert panel.history.selected_run().id == run.id
    assert panel.plots_title.text().startswith(f"Run {run.id}")
    assert live[0] == list(loss_x)
    assert project.active_run().id == run.id
    assert Path(run.model_dir).is_dir() and (Path(run.model_dir) / "metrics.json").is_file()
    assert not list(Path(run.model_dir).parent.glob(f"*{PARTIAL_MARK}*"))
    assert "finished" in panel.progress_label.text()


def test_cancel_stops_quickly_and_leaves_no_model(qtbot, panel: TrainPanel, project: Project) -> None:
    panel.settings.batch_spin.setValue(2)  # 16 steps an epoch: cancel lands before the first evaluation
    panel.start_training()
    qtbot.waitUntil(lambda: panel.progress_bar.maximum() > 1 and panel.progress_bar.value() >= 1, timeout=60_000)
    out_dir = Path(project.runs()[-1].model_dir)
    with qtbot.waitSignal(panel.training_changed, timeout=10_000) as blocker:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        assert not panel.cancel_button.isEnabled()
    assert blocker.args == [False]
    run = project.runs()[-1]
    assert run.status == "cancelled" and not run.is_active
    assert project.active_run() is None
    assert not out_dir.exists()
    assert not list(training_runs.models_folder(project).glob(f"*{PARTIAL_MARK}*"))
    # Not a bare stub ("cancelled", device "auto", no scores): it says there is no model.
    assert _history_statuses(panel) == ["cancelled, no model"]
    device = panel.history.table.item(0, COLUMNS.index("Device")).text()
    assert device == "—" and "no model was saved" in panel.history.table.item(0, STATUS).toolTip()
    assert panel.start_button.isEnabled()
    assert len(panel.plots.loss_curve.getData()[0]) >= 1  # the curves watched stay up


def test_escape_cancels_training(qtbot, panel: TrainPanel, project: Project) -> None:
    panel.settings.batch_spin.setValue(2)
    panel.show()
    qtbot.waitExposed(panel)
    panel.start_training()
    qtbot.waitUntil(lambda: panel.progress_bar.maximum() > 1, timeout=60_000)
    panel.setFocus()
    with qtbot.waitSignal(panel.training_changed, timeout=10_000):
        qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert project.runs()[-1].status == "cancelled"


# -- settings and data -------------------------------------------------------------------------


def test_start_disabled_with_one_label(qtbot, tmp_path: Path) -> None:
    proj = _project(tmp_path / "one.bertdesk", labels=["spam"] * 10 + [""] * 30)
    widget = TrainPanel()
    qtbot.addWidget(widget)
    widget.set_project(proj)
    assert not widget.start_button.isEnabled()
    assert "Only one label" in widget.summary.reason_label.text()
    assert not widget.summary.reason_label.isHidden()
    assert "Only one label" in widget.start_button.toolTip()
    proj.set_labels(list(range(10, 20)), "ham")
    widget.refresh()
    assert widget.start_button.isEnabled()
    assert widget.summary.reason_label.isHidden()
    proj.close()


def test_no_project_disables_start(qtbot) -> None:
    widget = TrainPanel()
    qtbot.addWidget(widget)
    widget.set_project(None)
    assert not widget.start_button.isEnabled()
    assert widget.history.table.rowCount() == 0


def test_summary_counts_and_small_class_warning(qtbot, panel: TrainPanel, project: Project) -> None:
    assert panel.summary.counts == {"neg": 20, "pos": 20}
    assert panel.summary.warnings == []
    project.add_label("rare")
    project.set_labels([0, 2], "rare")
    panel.refresh()
    assert panel.summary.counts["rare"] == 2
    assert any("rare" in w for w in panel.summary.warnings)
    assert "rare" in panel.summary.warnings_label.text()
    assert panel.start_button.isEnabled()  # a warning, not a blocker


def test_preset_switch_fills_advanced_fields(qtbot, panel: TrainPanel) -> None:
    panel.settings.set_preset("Thorough")
    assert "Changed" not in panel.settings.preset_note.text()
    thorough = PRESETS["Thorough"]
    assert panel.settings.epochs_spin.value() == thorough.epochs
    assert panel.settings.max_length_spin.value() == thorough.max_length
    assert float(panel.settings.rate_edit.text()) == pytest.approx(thorough.learning_rate)
    config = panel.settings.config()
    assert config.preset == "Thorough" and config.evals_per_epoch == thorough.evals_per_epoch
    panel.settings.epochs_spin.setValue(7)
    assert "Changed in the advanced settings" in panel.settings.preset_note.text()
    assert panel.settings.config().epochs == 7
    panel.settings.set_preset("Fast")
    assert panel.settings.epochs_spin.value() == PRESETS["Fast"].epochs
    assert panel.settings.config().learning_rate == pytest.approx(PRESETS["Fast"].learning_rate)


def test_defaults_and_tooltips(qtbot, tiny_encoder_dir: Path) -> None:
    widget = TrainPanel()
    qtbot.addWidget(widget)
    settings = widget.settings
    assert settings.model_combo.currentText() == "all-MiniLM-L6-v2 (bundled)"
    assert settings.model_spec() == "default"
    assert settings.preset_combo.currentText() == "Balanced"
    assert settings.precision_combo.currentData() == "auto"
    assert settings.config() == PRESETS["Balanced"]
    for field in (settings.epochs_spin, settings.batch_spin, settings.rate_edit, settings.val_spin, settings.patience_spin):
        assert field.toolTip()
    settings.set_model_source(str(tiny_encoder_dir))
    assert settings.model_spec() == str(tiny_encoder_dir)
    assert str(tiny_encoder_dir) in settings.model_name.text()
    settings.set_model_source("bert-base-uncased")
    settings.hub_edit.clear()
    with pytest.raises(TrainingError, match="hub id"):
        settings.config()  # not silently the bundled model
    settings.set_model_source("bert-base-uncased")
    assert settings.model_spec() == "bert-base-uncased" and not settings.hub_edit.isHidden()
    assert "bert-base-uncased" in settings.model_name.text()


def test_model_folder_entry_opens_a_folder_dialog(qtbot, monkeypatch, tiny_encoder_dir: Path) -> None:
    from bertdesk.gui.widgets import train_settings

    monkeypatch.setattr(train_settings.QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tiny_encoder_dir)))
    widget = train_settings.TrainSettingsWidget()
    qtbot.addWidget(widget)
    index = widget.model_combo.findData(train_settings.BROWSE)
    widget.model_combo.setCurrentIndex(index)
    widget.model_combo.activated.emit(index)
    assert widget.model_spec() == str(tiny_encoder_dir)
    monkeypatch.setattr(train_settings.QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: ""))
    index = widget.model_combo.findData(train_settings.BROWSE)
    widget.model_combo.setCurrentIndex(index)
    widget.model_combo.activated.emit(index)
    assert widget.model_spec() == str(tiny_encoder_dir)  # cancelled: the previous choice stays


def test_devices_are_listed_when_shown(qtbot, panel: TrainPanel) -> None:
    panel.show()
    qtbot.waitUntil(lambda: panel.settings.device_combo.findData("cpu") >= 0, timeout=60_000)
    combo = panel.settings.device_combo
    assert combo.itemText(combo.findData("cpu")).startswith("CPU: ")
    assert combo.currentData() == "auto"
    combo.setCurrentIndex(combo.findData("cpu"))
    assert panel.settings.config().device == "cpu"


# -- run history -------------------------------------------------------------------------------


def test_history_shows_runs_and_use_this_model(qtbot, panel: TrainPanel, project: Project) -> None:
    first, _ = _fake_finished_run(project, 0.75)
    second, _ = _fake_finished_run(project, 0.5)
    panel.set_project(project)
    table = panel.history.table
    assert table.rowCount() == 2
    assert table.item(0, 1).text() == str(second) and table.item(0, 0).text() == ACTIVE_MARK
    row = [table.item(1, c).text() for c in range(table.columnCount())]
    assert row[COLUMNS.index("Accuracy")] == "0.750" and row[COLUMNS.index("Macro-F1")] == "0.700"
    assert row[COLUMNS.index("Duration")] == "1m 23s"
    assert "Fast" in row[COLUMNS.index("Settings")] and "4 epochs" in row[COLUMNS.index("Settings")]
    assert row[COLUMNS.index("Device")] == "CPU, fp32"
    assert table.item(1, COLUMNS.index("Device")).toolTip() == "CPU: test, 2 cores, fp32"

    panel.history.select_run(first)
    assert panel.plots_title.text().startswith(f"Run {first}")
    assert len(panel.plots.loss_curve.getData()[0]) == 2
    assert panel.history.use_button.isEnabled()
    with qtbot.waitSignal(panel.active_run_changed) as blocker:
        qtbot.mouseClick(panel.history.use_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].id == first
    assert project.active_run().id == first
    assert table.item(1, 0).text() == ACTIVE_MARK and table.item(0, 0).text() == ""
    assert not panel.history.use_button.isEnabled()


def test_delete_run_asks_and_removes_the_folder(qtbot, monkeypatch, panel: TrainPanel, project: Project) -> None:
    run_id, out_dir = _fake_finished_run(project)
    panel.set_project(project)
    panel.history.select_run(run_id)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    qtbot.mouseClick(panel.history.delete_button, Qt.MouseButton.LeftButton)
    assert out_dir.is_dir() and len(project.runs()) == 1

    asked: list[str] = []

    def yes(parent, title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(yes))
    with qtbot.waitSignal(panel.active_run_changed) as blocker:
        qtbot.mouseClick(panel.history.delete_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [None]
    assert str(out_dir) in asked[0] and "active model" in asked[0]
    assert not out_dir.exists()
    assert project.runs() == [] and panel.history.table.rowCount() == 0


def test_double_click_shows_run_details(qtbot, panel: TrainPanel, project: Project) -> None:
    from bertdesk.gui.dialogs.run_details_dialog import RunDetailsDialog

    run_id, _ = _fake_finished_run(project)
    panel.set_project(project)
    table = panel.history.table
    table.itemDoubleClicked.emit(table.item(0, 2))
    dialog = panel.details_dialog
    assert isinstance(dialog, RunDetailsDialog) and dialog.isVisible()
    assert dialog.windowTitle() == f"Training run {run_id}"
    scores = dialog.scores_table
    assert scores.rowCount() == 2
    assert [scores.item(0, c).text() for c in range(5)] == ["neg", "0.800", "0.700", "0.750", "4"]
    report = dialog.report.toPlainText()
    assert "Confusion matrix" in report and "true \\ predicted" in report
    dialog.close()


def test_a_run_that_does_not_beat_the_baseline_says_so(qtbot, panel: TrainPanel, project: Project) -> None:
    # Validation holds 4 "neg" and 4 "pos": always answering "neg" scores 0.500.
    weak, _ = _fake_finished_run(project, accuracy=0.45)
    strong, _ = _fake_finished_run(project, accuracy=0.75)
    panel.set_project(project)
    table = panel.history.table
    accuracy = COLUMNS.index("Accuracy")
    cells = {int(table.item(r, 1).text()): table.item(r, accuracy) for r in range(table.rowCount())}
    assert cells[weak].text() == "⚠ 0.450" and "does not beat always answering “neg”" in cells[weak].toolTip()
    assert cells[strong].text() == "0.750" and "(always “neg”: 0.500)" in cells[strong].toolTip()
    row = next(r for r in range(table.rowCount()) if int(table.item(r, 1).text()) == weak)
    table.itemDoubleClicked.emit(table.item(row, 2))
    dialog = panel.details_dialog
    assert "does not beat" in dialog.verdict_label.text() and "Thorough" in dialog.verdict_label.text()
    assert "Baseline:  0.500 accuracy" in dialog.report.toPlainText()
    dialog.close()


def test_interrupted_runs_are_marked_when_the_project_opens(qtbot, project: Project) -> None:
    run_id, _ = training_runs.begin_run(project, TrainConfig())
    project.update_run(run_id, pid=999999999)  # the process that ran it is gone
    widget = TrainPanel()
    qtbot.addWidget(widget)
    messages: list[str] = []
    widget.status_message.connect(messages.append)
    widget.set_project(project)
    assert project.runs()[-1].status == "interrupted"
    assert _history_statuses(widget) == ["interrupted"]
    assert messages and "interrupted" in messages[0]


def test_grab_smoke(qtbot, panel: TrainPanel, project: Project) -> None:
    _fake_finished_run(project)
    panel.set_project(project)
    panel.show()
    qtbot.waitExposed(panel)
    image = panel.grab()
    assert image.width() >= 1000 and image.height() >= 700


def test_failure_is_recorded_and_out_of_memory_offers_the_cpu(qtbot, monkeypatch, panel: TrainPanel, project: Project) -> None:
    from bertdesk.gui.panels import train_panel

    calls: list[str] = []

    def out_of_memory(data, config, out_dir, *, on_progress, cancel):
        calls.append(config.device)
        raise TrainingError("The CUDA ran out of memory even with one row per batch: train on the CPU, or lower Max length.")

    monkeypatch.setattr(train_panel, "_train", out_of_memory)
    with qtbot.waitSignal(panel.training_changed, timeout=10_000, check_params_cb=lambda busy: not busy):
        panel.start_training()
    run = project.runs()[-1]
    assert run.status == "failed" and "out of memory" in run.metrics["error"]
    box = panel._error_box
    assert box is not None and box.isVisible() and "ran out of memory" in box.text()
    cpu_button = next(b for b in box.buttons() if b.text() == "Train on CPU")
    with qtbot.waitSignal(panel.training_changed, timeout=10_000, check_params_cb=lambda busy: not busy):
        cpu_button.click()
    assert calls[-1] == "cpu" and len(project.runs()) == 2
    panel._error_box.close()


def test_unusable_settings_show_an_error_and_record_no_run(qtbot, panel: TrainPanel, project: Project) -> None:
    panel.settings.set_model_source("bert-base-uncased")
    panel.settings.hub_edit.clear()
    panel.start_training()
    assert not panel.is_training() and project.runs() == []
    box = panel._error_box
    assert box is not None and box.isVisible() and "hub id" in box.text()
    box.close()


def _panel_cutting_at_32(qtbot, tmp_path: Path, tiny_encoder_dir: Path, long_texts: int) -> tuple[TrainPanel, Project]:
    """A shown Train panel, max length 32, on 20 labelled texts of which ``long_texts`` have 62 tokens."""
    texts, labels = tiny_texts(20)
    texts = [" ".join(["good"] * 60) if i < long_texts else t for i, t in enumerate(texts)]  # 62 tokens with [CLS]/[SEP]
    project = Project.create(
        tmp_path / "t.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    )
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.settings.set_model_source(str(tiny_encoder_dir))
    panel.set_project(project)
    panel.settings.max_length_spin.setValue(32)
    panel.show()
    qtbot.waitUntil(lambda: "will be cut" in panel.truncation.text(), timeout=20_000)
    return panel, project


def test_the_panel_says_how_many_texts_the_max_length_cuts(qtbot, tmp_path, tiny_encoder_dir) -> None:
    panel, project = _panel_cutting_at_32(qtbot, tmp_path, tiny_encoder_dir, long_texts=1)
    assert panel.truncation.text().startswith("1 of 20 texts (5%)")
    assert not panel.truncation.is_loud()  # 5%: a note, not an alarm
    panel.settings.max_length_spin.setValue(128)
    qtbot.waitUntil(lambda: panel.truncation.text() == "All 20 labelled texts fit in 128 tokens.", timeout=20_000)
    project.close()


def test_most_texts_cut_is_a_warning_with_a_one_click_fix(qtbot, tmp_path: Path, tiny_encoder_dir: Path) -> None:
    # A Fast run cut 79% of a user's reviews at 64 tokens: grey small print was missed.
    panel, project = _panel_cutting_at_32(qtbot, tmp_path, tiny_encoder_dir, long_texts=15)
    assert panel.truncation.text().startswith("15 of 20 texts (75%)")
    assert panel.truncation.is_loud() and panel.truncation.fix_button.isVisible()
    assert panel.truncation.fix_button.text() == "Use 64 tokens"
    qtbot.mouseClick(panel.truncation.fix_button, Qt.MouseButton.LeftButton)
    assert panel.settings.max_length_spin.value() == 64
    qtbot.waitUntil(lambda: panel.truncation.text() == "All 20 labelled texts fit in 64 tokens.", timeout=20_000)
    assert not panel.truncation.is_loud() and not panel.truncation.fix_button.isVisible()
    project.close()


def test_opening_a_project_removes_model_folders_a_killed_run_left(qtbot, project: Project, tmp_path, monkeypatch) -> None:
    import json
    import socket
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # scratch folders of other tests' kills stay out of the count

    run_id, out_dir = training_runs.begin_run(project, TrainConfig())
    project.update_run(run_id, pid=999999999)
    partial = out_dir.parent / f".{out_dir.name}.partial-999999999-0123abcd"
    partial.mkdir(parents=True)
    (partial / "model.safetensors").write_bytes(b"half a model")
    (partial / ".bertdesk-writer").write_text(json.dumps({"pid": 999999999, "host": socket.gethostname()}))
    unmarked = out_dir.parent / f".{out_dir.name}.partial-999999999-4567cdef"  # not bertdesk's: kept
    unmarked.mkdir()
    widget = TrainPanel()
    qtbot.addWidget(widget)
    messages: list[str] = []
    widget.status_message.connect(messages.append)
    widget.set_project(project)
    assert not partial.exists() and unmarked.is_dir()
    assert messages and "removed 1 unfinished folder" in messages[0]


def test_the_panel_remembers_its_settings_per_project(qtbot, tmp_path: Path) -> None:
    """Each project shows the settings last used with it; a new project shows the defaults."""
    from bertdesk.core.ml.training_config import DEFAULT_PRESET, PRESETS

    frame = pd.DataFrame({"text": ["a", "b"], "label": ["x", "y"]})
    first = Project.create(tmp_path / "first.bertdesk", frame, text_column="text", label_column="label")
    second = Project.create(tmp_path / "second.bertdesk", frame, text_column="text", label_column="label")
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.set_project(first)
    panel.settings.preset_combo.setCurrentIndex(panel.settings.preset_combo.findData("Thorough"))
    panel.settings.epochs_spin.setValue(7)
    panel.set_project(second)
    assert panel.settings.config().preset == DEFAULT_PRESET
    assert panel.settings.epochs_spin.value() == PRESETS[DEFAULT_PRESET].epochs
    panel.set_project(first)
    assert panel.settings.config().preset == "Thorough" and panel.settings.epochs_spin.value() == 7
    panel.set_project(None)  # closing the project keeps them on disk
    first.close()
    second.close()
    again = TrainPanel()
    qtbot.addWidget(again)
    with Project.open(tmp_path / "first.bertdesk") as reopened:
        again.set_project(reopened)
        assert again.settings.epochs_spin.value() == 7
        again.set_project(None)


def test_history_fits_at_1280_and_early_epochs_read_plainly(qtbot, panel: TrainPanel, project: Project) -> None:
    for accuracy in (0.6, 0.7, 0.75):
        _fake_finished_run(project, accuracy=accuracy)
    panel.set_project(project)
    panel.resize(1130, 760)  # what a 1280-px window leaves the panel beside the sidebar
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.history.table
    qtbot.waitUntil(lambda: table.viewport().width() > 100)
    # Nothing to scroll sideways to (Duration was hidden), and every column but the long
    # Settings one (elided, full text in its tooltip) shows all of its text.
    assert table.horizontalScrollBar().maximum() == 0
    for column, name in enumerate(COLUMNS):
        if name != "Settings":
            assert table.columnWidth(column) >= table.sizeHintForColumn(column), name
    # Epochs 0.1-0.6 on the loss plot's axis, not "epoch (x0.001)" with ticks 100-600.
    axis = panel.plots.loss_plot.getPlotItem().getAxis("bottom")
    axis.setRange(0.1, 0.6)
    assert "x0.001" not in axis.labelString() and axis.autoSIPrefixScale == 1.0

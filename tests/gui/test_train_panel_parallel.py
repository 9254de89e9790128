"""The Train panel's "All N GPUs": training as a torchrun child process, with two CPU processes
(gloo) standing in for two GPUs (``BERTDESK_DDP_CPU_PROCESSES=2``). Each training here is a real
torchrun run, about 20 s on two cores."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from bertdesk.core.leftovers import PARTIAL_MARK, TRAINER_TEMP_PREFIX
from bertdesk.core.ml import training_runs
from bertdesk.core.ml.devices import DeviceInfo, cpu_device
from bertdesk.core.ml.distributed import CPU_PROCESSES_ENV, parallel_choice
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.project import Project
from bertdesk.gui.panels.train_panel import TrainPanel
from bertdesk.gui.widgets.train_history import COLUMNS
from bertdesk.gui.widgets.train_settings import ALL_DEVICES
from bertdesk.gui.workers import running_jobs
from tests.tiny_model import tiny_texts

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = {".bertdesk-model", "config.json", "metrics.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}


def _gpu(index: int) -> DeviceInfo:
    return DeviceInfo("cuda", f"cuda:{index}", "NVIDIA H200", bf16=True, fp16=True, free_bytes=10**11, total_bytes=10**11)


def test_all_gpus_is_offered_only_with_two_or_more(monkeypatch) -> None:
    monkeypatch.delenv(CPU_PROCESSES_ENV, raising=False)
    assert parallel_choice([cpu_device()]) is None
    assert parallel_choice([_gpu(0), cpu_device()]) is None
    choice = parallel_choice([_gpu(0), _gpu(1), _gpu(2), cpu_device()])
    assert choice is not None and choice.processes == 3 and choice.device == "cuda" and choice.label.startswith("All 3 GPUs")


def test_the_device_list_offers_all_gpus(qtbot, monkeypatch) -> None:
    from bertdesk.gui.widgets.train_settings import TrainSettingsWidget

    monkeypatch.delenv(CPU_PROCESSES_ENV, raising=False)
    widget = TrainSettingsWidget()
    qtbot.addWidget(widget)
    widget.set_devices([_gpu(0), cpu_device()])
    assert widget.device_combo.findData(ALL_DEVICES) < 0
    widget.set_devices([_gpu(0), _gpu(1), cpu_device()])
    index = widget.device_combo.findData(ALL_DEVICES)
    assert widget.device_combo.itemText(index).startswith("All 2 GPUs")
    widget.device_combo.setCurrentIndex(index)
    assert widget.processes() == 2 and widget.config().device == "cuda"  # each process takes its own GPU
    widget.select_device("cuda:1")
    assert widget.processes() == 1 and widget.config().device == "cuda:1"


@pytest.fixture
def isolated_temp(tmp_path: Path, monkeypatch) -> Path:
    """The child's and this process's temp dir inside the test's folder, to check what is left."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv(CPU_PROCESSES_ENV, "2")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the child imports this tree
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    return temp


def _panel(qtbot, tmp_path: Path, tiny_encoder_dir: Path, rows: int, config: TrainConfig) -> tuple[TrainPanel, Project]:
    texts, labels = tiny_texts(rows)
    project = Project.create(
        tmp_path / "reviews.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    )
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.settings.set_model_source(str(tiny_encoder_dir))
    panel.settings.apply_config(config)
    panel.settings.set_devices([cpu_device()])
    index = panel.settings.device_combo.findData(ALL_DEVICES)
    assert panel.settings.device_combo.itemText(index).startswith("All 2 CPU processes")
    panel.settings.device_combo.setCurrentIndex(index)
    panel.settings.precision_combo.setCurrentIndex(panel.settings.precision_combo.findData("fp32"))
    return panel, project


def _stop_jobs() -> None:
    for job in running_jobs():
        job.cancel()
        job.wait()


def test_all_processes_train_with_progress_curves_and_a_recorded_run(
    qtbot, tmp_path: Path, tiny_encoder_dir: Path, isolated_temp: Path
) -> None:
    panel, project = _panel(qtbot, tmp_path, tiny_encoder_dir, 80, TrainConfig(epochs=2, batch_size=8, max_length=32, patience=0))
    messages: list[str] = []
    panel.status_message.connect(messages.append)
    values: list[int] = []
    panel.progress_bar.valueChanged.connect(values.append)
    try:
        with qtbot.waitSignal(panel.active_run_changed, timeout=180_000) as blocker:
            panel.start_training()
        qtbot.waitUntil(lambda: not panel.is_training(), timeout=30_000)
        run = blocker.args[0]
        assert run is not None and run.status == "finished" and run.is_active
        assert run.metrics["world_size"] == 2 and run.metrics["effective_batch_size"] == 16
        assert {p.name for p in Path(run.model_dir).iterdir()} == MODEL_FILES
        assert json.loads((Path(run.model_dir) / "metrics.json").read_text(encoding="utf-8"))["world_size"] == 2
        assert len(project.runs()) == 1  # the child recorded nothing of its own
        # The same live view as an in-process run: the bar, the curves, the ETA in the line.
        assert max(values) >= 8  # 64 training rows, 8 per process x 2: 4 steps an epoch, 2 epochs, step by step
        assert panel.progress_bar.value() == panel.progress_bar.maximum()  # and ends full
        assert len(panel.plots.loss_curve.getData()[0]) >= 1
        assert list(panel.plots.f1_curve.getData()[0]) == [1.0, 2.0]
        assert any(" left" in m for m in messages)
        device = panel.history.table.item(0, COLUMNS.index("Device"))
        assert device.text() == "2 × CPU, fp32" and "2 processes, effective batch 16" in device.toolTip()
        assert not list(isolated_temp.glob(TRAINER_TEMP_PREFIX + "*"))  # the job file's folder is gone
    finally:
        _stop_jobs()
        project.close()


def test_cancel_stops_every_process_and_leaves_no_partial_model(qtbot, tmp_path: Path, tiny_encoder_dir: Path, isolated_temp: Path) -> None:
    config = TrainConfig(epochs=50, batch_size=2, max_length=32, patience=0)
    panel, project = _panel(qtbot, tmp_path, tiny_encoder_dir, 400, config)
    try:
        panel.start_training()
        # Wait for a first validation point: there is a model worth keeping, as Cancel promises.
        qtbot.waitUntil(
            lambda: len(panel.plots.f1_curve.getData()[0] if panel.plots.f1_curve.getData()[0] is not None else []) >= 1, timeout=180_000
        )
        with qtbot.waitSignal(panel.training_changed, timeout=90_000, check_params_cb=lambda busy: not busy):
            qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        (run,) = project.runs()
        assert run.status == "cancelled" and run.metrics["world_size"] == 2 and run.metrics["cancelled"] is True
        assert {p.name for p in Path(run.model_dir).iterdir()} == MODEL_FILES  # the best model, whole
        assert not list(training_runs.models_folder(project).glob(f"*{PARTIAL_MARK}*"))
        assert not list(isolated_temp.glob(TRAINER_TEMP_PREFIX + "*"))
        assert _processes_naming(isolated_temp) == []  # torchrun and both ranks are gone
    finally:
        _stop_jobs()
        project.close()


def _processes_naming(folder: Path) -> list[str]:
    """Processes still alive whose command line names ``folder`` (the job file lives there)."""
    deadline = time.monotonic() + 20
    while True:
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if str(folder) in cmdline and state != "Z":
                alive.append(f"{entry.name}: {cmdline[:120]}")
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.5)

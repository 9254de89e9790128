"""``bertdesk train`` under torchrun: two CPU processes (gloo) standing in for two GPUs.

Each test starts real torchrun runs (about 20 s each on two cores): one model folder, written
by rank 0 alone (an audit hook logs every Python-level write of each rank), ``metrics.json``
says two processes trained, the project records exactly one run, and Ctrl+C stops both ranks
and keeps the best model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.importing import ImportOptions, import_spreadsheet
from bertdesk.core.leftovers import TRAINER_TEMP_PREFIX
from bertdesk.core.project import Project
from bertdesk.core.project.runs import RunStatus
from tests.tiny_model import tiny_texts

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = {".bertdesk-model", "config.json", "metrics.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "TMPDIR": str(tmp), **extra}


def _project(folder: Path, rows: int) -> Path:
    texts, labels = tiny_texts(rows)
    folder.mkdir(parents=True)
    csv = folder / "reviews.csv"
    pd.DataFrame({"review": texts, "sentiment": labels}).to_csv(csv, index=False)
    path = folder / "reviews.bertdesk"
    import_spreadsheet(ImportOptions(csv, path, text_column="review", label_column="sentiment")).close()
    return path


def _torchrun(*args: str) -> list[str]:
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", *args]


def test_two_processes_train_a_project_only_rank_0_writes(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    work, temp, audit = tmp_path / "work", tmp_path / "tmp", tmp_path / "audit"
    temp.mkdir()
    audit.mkdir()
    project = _project(work, 80)
    out = work / "models" / "ddp"
    env = _env(temp, BERTDESK_AUDIT_WATCH=os.pathsep.join([str(work), str(temp / TRAINER_TEMP_PREFIX)]), BERTDESK_AUDIT_DIR=str(audit))
    args = ["--model", str(tiny_encoder_dir), "--epochs", "2", "--max-length", "32", "--precision", "fp32", "--json", "--quiet"]
    done = subprocess.run(
        _torchrun("-m", "tests.core.audited_bertdesk", "train", str(project), *args, "--out", str(out)),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    metrics = json.loads(done.stdout.strip().splitlines()[-1])  # rank 0's only line on stdout
    assert metrics["world_size"] == 2
    assert metrics["effective_batch_size"] == 2 * metrics["batch_size_used"] * metrics["gradient_accumulation"]
    assert json.loads((out / "metrics.json").read_text(encoding="utf-8"))["world_size"] == 2
    assert {p.name for p in out.iterdir()} == MODEL_FILES
    assert sorted(p.name for p in out.parent.iterdir()) == ["ddp"]  # no partial or stray folder beside it
    assert sorted(p.name for p in work.iterdir()) == ["models", "reviews.bertdesk", "reviews.csv"]
    assert not list(temp.glob(TRAINER_TEMP_PREFIX + "*"))  # rank 0's scratch folder is gone, no rank left one
    with Project.open(project) as opened:
        runs = opened.runs()
        assert [(r.status, Path(r.model_dir)) for r in runs] == [(RunStatus.FINISHED, out)]
        assert runs[0].metrics["world_size"] == 2

    written = {rank: json.loads((audit / f"rank-{rank}.json").read_text(encoding="utf-8")) for rank in (0, 1)}
    assert any(path.startswith(str(out.parent)) for _event, path in written[0])  # the audit sees rank 0 save
    assert written[1] == []  # rank 1 wrote nothing: no project, model, partial or temp folder


def test_accelerate_launch_trains_on_two_processes_too(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    # What `accelerate launch --multi_gpu --num_processes 2 -m bertdesk train ...` does on two GPUs,
    # here with --device cpu (gloo): accelerate's launcher sets the same RANK / WORLD_SIZE.
    project = _project(tmp_path / "work", 40)
    out = tmp_path / "work" / "m"
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1"]
    launch += ["--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "0"]
    args = ["--model", str(tiny_encoder_dir), "--epochs", "1", "--max-length", "32", "--device", "cpu", "--json", "--quiet"]
    done = subprocess.run(
        [*launch, "-m", "bertdesk", "train", str(project), *args, "--out", str(out)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["world_size"] == 2
    assert {p.name for p in out.iterdir()} == MODEL_FILES
    with Project.open(project) as opened:
        assert [r.status for r in opened.runs()] == [RunStatus.FINISHED]


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (["--text-col", "nope"], "nope"),  # found by rank 0 alone, reading the project
        (["--lr", "0"], "Learning rate"),  # found by every rank, parsing the settings
    ],
)
def test_bad_input_stops_every_rank_with_one_line(tmp_path: Path, tiny_encoder_dir: Path, bad: list[str], named: str) -> None:
    project = _project(tmp_path / "work", 20)
    done = subprocess.run(
        _torchrun("-m", "bertdesk", "train", str(project), *bad, "--model", str(tiny_encoder_dir), "--out", str(tmp_path / "m")),
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode != 0
    assert done.stderr.count("bertdesk: ") == 1 and named in done.stderr  # rank 0's message, once; rank 1 left quietly
    assert not (tmp_path / "m").exists()


def test_ctrl_c_stops_both_ranks_and_keeps_the_best_model(tmp_path: Path, tiny_encoder_dir: Path) -> None:
    project = _project(tmp_path / "work", 400)
    out = tmp_path / "work" / "models" / "ddp"
    args = ["--model", str(tiny_encoder_dir), "--epochs", "50", "--batch-size", "4", "--patience", "0", "--max-length", "32"]
    proc = subprocess.Popen(
        _torchrun("-m", "bertdesk", "train", str(project), *args, "--precision", "fp32", "--json-progress", "--out", str(out)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
        cwd=ROOT,
        start_new_session=True,  # as a terminal runs it: Ctrl+C reaches torchrun, which tells the ranks
    )
    assert proc.stdout is not None
    lines: list[dict] = []
    try:
        for line in proc.stdout:
            lines.append(json.loads(line))
            if "val_macro_f1" in (lines[-1].get("metrics") or {}):  # a first validation: a model worth keeping
                os.killpg(proc.pid, signal.SIGINT)
                break
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    result = json.loads(rest.strip().splitlines()[-1])
    assert result["bertdesk"] == "result" and result["cancelled"] is True, err[-2000:]
    assert result["metrics"]["world_size"] == 2 and result["metrics"]["steps"] < 50 * 50
    assert {p.name for p in out.iterdir()} == MODEL_FILES
    assert sorted(p.name for p in out.parent.iterdir()) == ["ddp"]
    with Project.open(project) as opened:
        assert [r.status for r in opened.runs()] == [RunStatus.CANCELLED]
    _no_worker_left(tmp_path)


def _no_worker_left(marker: Path) -> None:
    """No process whose command line names this test's folder is still running."""
    deadline = time.monotonic() + 30
    while True:
        alive = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if str(marker) in cmdline and "bertdesk" in cmdline:
                    alive.append(entry.name)
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert not alive, f"processes still running: {alive}"


@pytest.mark.parametrize("module", ["bertdesk"])
def test_python_m_bertdesk_is_a_module_entry(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "train", "--help"], capture_output=True, text=True, env=_env(Path("/tmp")), cwd=ROOT
    )
    assert done.returncode == 0 and "--json-progress" in done.stdout


def test_a_failure_in_the_child_comes_back_as_rank_0s_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bertdesk.core.errors import TrainingError
    from bertdesk.core.ml.distributed import train_in_child
    from bertdesk.core.ml.training_config import TrainConfig
    from bertdesk.core.ml.training_data import TrainingData

    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    texts, labels = tiny_texts(20)
    data = TrainingData(texts, labels, list(range(20)), ["neg", "pos"])
    missing = tmp_path / "no-such-model"
    with pytest.raises(TrainingError) as caught:
        train_in_child(data, TrainConfig(model=str(missing), device="cpu"), tmp_path / "out", processes=2)
    assert str(missing) in str(caught.value) and "\n" not in str(caught.value)
    assert "Traceback" not in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_a_cancel_while_torchrun_starts_stops_it_at_once(tmp_path: Path, tiny_encoder_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bertdesk.core.errors import Cancelled
    from bertdesk.core.ml.distributed import train_in_child
    from bertdesk.core.ml.training_config import TrainConfig
    from bertdesk.core.ml.training_data import TrainingData
    from bertdesk.core.progress import CancelToken

    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    texts, labels = tiny_texts(40)
    cancel = CancelToken()
    with pytest.raises(Cancelled):
        train_in_child(
            TrainingData(texts, labels, list(range(40)), ["neg", "pos"]),
            TrainConfig(model=str(tiny_encoder_dir), device="cpu", epochs=1),
            tmp_path / "out",
            processes=2,
            on_progress=lambda _progress: cancel.cancel(),  # at the first word: torchrun is only starting
            cancel=cancel,
        )
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(TRAINER_TEMP_PREFIX + "*"))
    _no_worker_left(tmp_path)

"""The app's torchrun child-process runner (core/ml/distributed.py) without torchrun: its JSON
lines, its job file, and Cancel killing a child that ignores the polite signal, grandchildren
in sessions of their own included (as torchrun starts its workers)."""

from __future__ import annotations

import io
import json
import sys
import textwrap
from pathlib import Path

import pytest

from bertdesk.core.errors import TrainingError
from bertdesk.core.leftovers import process_alive
from bertdesk.core.ml import distributed
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import TrainingData
from bertdesk.core.progress import CancelToken, Progress


def test_progress_lines_round_trip_and_other_output_is_ignored() -> None:
    stream = io.StringIO()
    progress = distributed.JsonLinesProgress(stream)
    progress(Progress(0, 0, "Loading the model..."))
    progress(Progress(0, 0, "Effective batch 32 = 16 per process x 2 processes x 1 accumulation step"))  # not throttled away
    progress(Progress(3, 10, "Epoch 1/2 · step 3/10 · 4s left", metrics={"step": 3.0, "epoch": 0.3, "loss": 0.69}))
    lines = stream.getvalue().splitlines()
    parsed = [distributed.parse_line(line) for line in lines]
    assert [p.message for p in parsed if isinstance(p, Progress)] == [
        "Loading the model...",
        "Effective batch 32 = 16 per process x 2 processes x 1 accumulation step",
        "Epoch 1/2 · step 3/10 · 4s left",
    ]
    assert parsed[2] == Progress(3, 10, "Epoch 1/2 · step 3/10 · 4s left", metrics={"step": 3.0, "epoch": 0.3, "loss": 0.69})
    for other in ["", "W1130 warning from rank 1", "{not json", "[1, 2]", '{"bertdesk": "result"}', '{"other": 1}']:
        assert distributed.parse_line(other) is None


def test_a_job_file_round_trips_and_a_bad_one_is_one_line(tmp_path: Path) -> None:
    data = TrainingData(["good", "bad"], ["pos", "neg"], [7, 9], ["neg", "pos"])
    config = TrainConfig(epochs=3, batch_size=4, device="cuda")
    path = distributed.write_job(tmp_path, data, config)
    assert distributed.is_job_file(path)
    assert distributed.read_job(path) == (data, config)
    path.write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(TrainingError, match="Cannot read the training job .*format-1"):
        distributed.read_job(path)


def test_the_command_is_torchrun_on_bertdesk_with_json_progress(tmp_path: Path) -> None:
    cmd = distributed.command(tmp_path / "job.bertdesk-train", tmp_path / "out", 4)
    assert cmd[:5] == [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=4"]
    assert cmd[5:] == ["-m", "bertdesk", "train", str(tmp_path / "job.bertdesk-train"), "--out", str(tmp_path / "out"), "--json-progress"]


STUBBORN = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.argv[1] == "parent":
        # A worker in a session of its own, as torchrun starts them: not in our process group.
        subprocess.Popen([sys.executable, __file__, "worker", sys.argv[2]], start_new_session=True)
        while not os.path.exists(sys.argv[2]):
            time.sleep(0.05)
        print('{"bertdesk": "progress", "done": 1, "total": 10, "message": "step 1", "metrics": null}', flush=True)
        time.sleep(600)
    else:
        with open(sys.argv[2] + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.replace(sys.argv[2] + ".tmp", sys.argv[2])
        time.sleep(600)
    """
)


def test_cancel_kills_a_child_that_ignores_it_and_its_workers(tmp_path: Path) -> None:
    script = tmp_path / "stubborn.py"
    script.write_text(STUBBORN, encoding="utf-8")
    worker_pid_file = tmp_path / "worker.pid"
    child = distributed._Child([sys.executable, str(script), "parent", str(worker_pid_file)])
    cancel = CancelToken()
    reports: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        reports.append(progress)
        cancel.cancel()  # as soon as training runs: the polite SIGINT is ignored, the grace runs out

    try:
        result, asked = child.follow(on_progress, cancel, grace=1.0)
    finally:
        child.stop()
    worker = int(worker_pid_file.read_text())
    assert result is None and asked and child.killed
    assert [r.message for r in reports] == ["step 1"]
    assert child.proc.returncode is not None
    assert not process_alive(worker)  # the worker in its own session was found and killed too


APP = textwrap.dedent(
    """
    import sys, time
    from bertdesk.core.ml import distributed
    child = distributed._Child([sys.executable, "-c", "import time; time.sleep(600)"])
    print(child.proc.pid, flush=True)
    time.sleep(600)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_the_child_does_not_outlive_a_killed_app(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import time

    root = Path(__file__).resolve().parents[2]
    app = subprocess.Popen([sys.executable, "-c", APP], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(root)})
    assert app.stdout is not None
    child = int(app.stdout.readline())
    assert process_alive(child)
    app.send_signal(signal.SIGKILL)  # the app dies without tidying up
    app.wait()
    deadline = time.monotonic() + 10
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(child)

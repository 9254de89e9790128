"""Training on every GPU of this computer from the app: ``torchrun`` as a child process.

The app cannot run data-parallel training on its own worker thread (each GPU wants its own
process), so :func:`train_in_child` hands the job to ``torchrun``, the launcher people already
use: the rows and settings go to a job file in a scratch folder, ``python -m
torch.distributed.run --standalone --nproc_per_node=N -m bertdesk train JOB --out DIR
--json-progress`` trains, and rank 0 reports on stdout as JSON lines (:func:`progress_line`,
:func:`result_line`), which turn back into the same :class:`Progress` reports and
:class:`TrainResult` an in-process training gives, so the Train panel's bar, curves, ETA and run
history work unchanged.

Cancel asks the way Ctrl+C does (SIGINT to torchrun, which passes it to every rank; they agree
to stop and rank 0 keeps the best model evaluated so far); if the processes are not gone after
a grace period, torchrun and every process under it are killed. torchrun starts its workers in
sessions of their own, so they are found as its descendants, not by process group.

Nothing here imports Qt or torch.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bertdesk.core.errors import Cancelled, TrainingError
from bertdesk.core.leftovers import TRAINER_TEMP_PREFIX, mark_writer, process_alive, remove_dead_partials
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import TrainingData
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, Throttle, no_progress

if TYPE_CHECKING:
    from bertdesk.core.ml.devices import DeviceInfo
    from bertdesk.core.ml.training import TrainResult

# A job file: the rows and settings of one training, for `bertdesk train JOB` under torchrun.
JOB_SUFFIX = ".bertdesk-train"
JOB_FORMAT = 1
# Tests (and machines without two GPUs) set this to N to be offered "All N CPU processes":
# the same child-process path, with gloo between CPU processes standing in for GPUs.
CPU_PROCESSES_ENV = "BERTDESK_DDP_CPU_PROCESSES"
# Seconds the processes get to stop cleanly after a cancel (rank 0 may be saving the best
# model); under the 30 s the window waits for its jobs when it closes.
CANCEL_GRACE_SECONDS = 25.0
LINE_TAG = "bertdesk"  # every JSON line rank 0 writes carries {"bertdesk": <kind>, ...}


# --------------------------------------------------------------------------------------------
# Which "all devices" choice this computer offers.


@dataclass(frozen=True)
class ParallelChoice:
    """ "All N GPUs": train on ``processes`` processes, one ``device`` each."""

    label: str
    device: str  # the TrainConfig device every process asks for (its own GPU by local rank)
    processes: int


def parallel_choice(devices: Sequence[DeviceInfo]) -> ParallelChoice | None:
    """The data-parallel choice for the Train panel's device list: all GPUs when there are two
    or more (or N CPU processes when :data:`CPU_PROCESSES_ENV` asks for them); None otherwise."""
    try:
        cpu_processes = int(os.environ.get(CPU_PROCESSES_ENV, "0"))
    except ValueError:
        cpu_processes = 0
    if cpu_processes >= 2:
        return ParallelChoice(f"All {cpu_processes} CPU processes (torchrun, gloo)", "cpu", cpu_processes)
    gpus = [device for device in devices if device.kind == "cuda"]
    if len(gpus) < 2:
        return None
    names = sorted({gpu.name for gpu in gpus})
    return ParallelChoice(f"All {len(gpus)} GPUs ({', '.join(names)}; torchrun)", "cuda", len(gpus))


# --------------------------------------------------------------------------------------------
# The job file.


def write_job(folder: Path, data: TrainingData, config: TrainConfig) -> Path:
    """Write the rows and settings to a job file in ``folder``; return its path."""
    path = folder / f"job{JOB_SUFFIX}"
    job = {
        "format": JOB_FORMAT,
        "config": config.to_dict(),
        "texts": data.texts,
        "labels": data.labels,
        "row_ids": data.row_ids,
        "label_order": data.label_order,
    }
    path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    return path


def is_job_file(path: str | os.PathLike[str]) -> bool:
    return str(path).endswith(JOB_SUFFIX)


def read_job(path: str | os.PathLike[str]) -> tuple[TrainingData, TrainConfig]:
    """The rows and settings of a job file (raises :class:`TrainingError` for a bad one)."""
    try:
        job = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(job, dict) or job.get("format") != JOB_FORMAT:
            raise ValueError(f"not a format-{JOB_FORMAT} training job")
        data = TrainingData(list(job["texts"]), list(job["labels"]), list(job["row_ids"]), list(job["label_order"]))
        config = TrainConfig.from_dict(job["config"]).validate()
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise TrainingError(f"Cannot read the training job {path}: {err}.") from err
    return data, config


# --------------------------------------------------------------------------------------------
# JSON lines: what rank 0 writes on stdout with --json-progress.


def progress_line(progress: Progress) -> str:
    return json.dumps(
        {LINE_TAG: "progress", "done": progress.done, "total": progress.total, "message": progress.message, "metrics": progress.metrics},
        ensure_ascii=False,
    )


def result_line(result: TrainResult) -> str:
    return json.dumps(
        {LINE_TAG: "result", "model_dir": str(result.model_dir), "cancelled": result.cancelled, "metrics": result.metrics},
        ensure_ascii=False,
        default=str,
    )


class JsonLinesProgress:
    """A progress callback writing one JSON line per report: step reports at most ten a second;
    the points of the live curves and the messages between steps (what is happening) all pass."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stdout
        self._throttle = Throttle(self._write, 0.1)

    def __call__(self, progress: Progress) -> None:
        self._throttle(progress, force=progress.total <= 0)

    def _write(self, progress: Progress) -> None:
        self._stream.write(progress_line(progress) + "\n")
        self._stream.flush()

    def result(self, result: TrainResult) -> None:
        self._stream.write(result_line(result) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Nothing to tidy (the same shape as the stderr progress bar)."""


def parse_line(line: str) -> Progress | dict[str, Any] | None:
    """A progress report, a result (a dict with ``model_dir``, ``cancelled``, ``metrics``) or
    None for anything else (a library's warning printed by another rank)."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    kind = value.get(LINE_TAG)
    if kind == "progress":
        metrics = value.get("metrics")
        return Progress(
            int(value.get("done", 0)),
            int(value.get("total", 0)),
            str(value.get("message", "")),
            metrics={str(k): float(v) for k, v in metrics.items()} if isinstance(metrics, dict) else None,
        )
    if kind == "result" and isinstance(value.get("metrics"), dict):
        return value
    return None


# --------------------------------------------------------------------------------------------
# The child process.


def command(job: Path, out_dir: Path, processes: int, *, overwrite: bool = False) -> list[str]:
    """The torchrun command line: one process per device, rank 0 reporting on stdout.

    ``--standalone`` picks a free port for the rendezvous on this machine, so two trainings (or
    another program using torchrun's default port) never collide.
    """
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    cmd += ["-m", "bertdesk", "train", str(job), "--out", str(out_dir), "--json-progress"]
    return cmd + (["--overwrite"] if overwrite else [])


def train_in_child(
    data: TrainingData,
    config: TrainConfig,
    out_dir: str | os.PathLike[str],
    *,
    processes: int,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    overwrite: bool = False,
    grace_seconds: float = CANCEL_GRACE_SECONDS,
) -> TrainResult:
    """Train on ``processes`` processes under torchrun; same contract as
    :func:`~bertdesk.core.ml.training.fine_tune` (progress, cancel keeping the best model,
    :class:`Cancelled` when there is none, :class:`TrainingError` with rank 0's one-line message)."""
    from bertdesk.core.ml.training import TrainResult

    cancel = cancel or CancelToken()
    out = Path(out_dir)
    scratch = Path(tempfile.mkdtemp(prefix=TRAINER_TEMP_PREFIX))
    try:
        mark_writer(scratch)  # a killed app leaves it: the next run can tell it is abandoned
        job = write_job(scratch, data, config)
        on_progress(Progress(0, 0, f"Starting {processes} training processes (torchrun)..."))
        child = _Child(command(job, out, processes, overwrite=overwrite))
        try:
            result, asked = child.follow(on_progress, cancel, grace_seconds)
        finally:
            child.stop()
            if child.killed:  # rank 0 may have died mid-save: its half-written folder goes too
                remove_dead_partials(Path(os.path.abspath(out)).parent)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result is not None:
        return TrainResult(Path(result["model_dir"]), result["metrics"], cancelled=bool(result["cancelled"]))
    message = child.error_message()
    if asked or message == "cancelled":
        raise Cancelled("Training was cancelled before the first evaluation; no model was saved.")
    raise TrainingError(
        message or f"The training processes stopped (torchrun exit code {child.returncode}) without saving a model.",
        detail="\n".join(child.stderr_tail),
    )


class _Child:
    """torchrun and its workers: their stdout as lines on a queue, the end of stderr kept."""

    def __init__(self, cmd: list[str]) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=True,  # its own group: our SIGINT reaches torchrun, not us
            preexec_fn=_die_with_parent(),
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=200)
        self._known: set[int] = set()  # every process seen under torchrun (they outlive it if it is killed)
        self.killed = False
        assert self.proc.stdout is not None and self.proc.stderr is not None
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put, True), daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_tail.append, False), daemon=True)
        self._stderr_reader.start()

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    @staticmethod
    def _pump(stream: IO[str], put: Callable[[Any], None], mark_end: bool) -> None:
        for line in stream:
            put(line.rstrip("\n"))
        if mark_end:
            put(None)

    def follow(self, on_progress: ProgressCallback, cancel: CancelToken, grace: float) -> tuple[dict[str, Any] | None, bool]:
        """Report until stdout ends; returns rank 0's result (or None) and whether cancel was asked."""
        result: dict[str, Any] | None = None
        asked_at: float | None = None
        reporting = False  # rank 0 has spoken: the ranks are up and answer Ctrl+C
        while True:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                line = ""
            if line is None:
                break
            parsed = parse_line(line) if line else None
            if isinstance(parsed, Progress):
                reporting = True
                on_progress(parsed)
            elif parsed is not None:
                result = parsed
            self._remember_descendants()
            if cancel.is_set() and asked_at is None:
                asked_at = time.monotonic()
                if reporting:
                    self._signal(signal.SIGINT)  # as Ctrl+C: every rank stops at the same step, rank 0 saves
                else:
                    self.kill()  # still starting: nothing to keep, and a half-started torchrun may not pass a signal on
            if asked_at is not None and not self.killed and time.monotonic() - asked_at > grace:
                self.kill()
        self.proc.wait()
        self._stderr_reader.join(timeout=5.0)  # its last lines hold rank 0's message
        return result, asked_at is not None

    def _remember_descendants(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover - accelerate (the Trainer's) requires it
            return
        try:
            self._known.update(child.pid for child in psutil.Process(self.proc.pid).children(recursive=True))
        except psutil.Error:
            pass

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.proc.pid, signum)
        except OSError:
            pass

    def kill(self) -> None:
        """torchrun and every worker under it, at once (SIGKILL)."""
        self.killed = True
        self._remember_descendants()
        self._signal(signal.SIGKILL)
        for pid in self._known:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.monotonic() + 5.0  # SIGKILL is not instant: wait until they are gone
        while any(process_alive(pid) for pid in self._known) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """Make sure nothing is left running (after a normal end this finds nothing)."""
        if self.proc.poll() is None:
            self.kill()
            self.proc.wait()
        else:
            self._known = {pid for pid in self._known if process_alive(pid)}
            if self._known:
                self.kill()

    def error_message(self) -> str:
        """Rank 0's one-line message (``bertdesk: ...`` on stderr), without the prefix."""
        for line in reversed(self.stderr_tail):
            if line.startswith("bertdesk: "):
                return line.removeprefix("bertdesk: ").strip()
        return ""


def _die_with_parent() -> Callable[[], None] | None:
    """Linux: torchrun gets SIGTERM when the app dies (killed, or quit mid-training), and passes
    it to its workers, so no training goes on orphaned, holding the GPUs. (The signal follows
    the thread that started torchrun: the job's, alive until the training ends.)"""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up now: nothing to load after fork
    except (OSError, AttributeError):
        return None

    def set_death_signal() -> None:
        prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG

    return set_death_signal

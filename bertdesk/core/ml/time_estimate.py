"""How long a training run will take on this machine, said before it starts.

The unit is the token, not the row: rows differ in length, and a step costs about what its
padded tokens cost. An estimate is the work (:class:`Workload`: padded tokens per epoch, as the
trainer will batch them, times the epochs; validation tokens per evaluation) divided by a speed
measured on this machine (:class:`Speed`), plus the minutes around training (load, tokenise,
save). The speed comes, best first, from

1. an earlier finished run of the same project with the same model, device, precision and a
   similar max length, on this host (its metrics record the tokens per second it trained at);
2. a short calibration of this model on this device (:mod:`bertdesk.core.ml.speed_calibration`),
   cached in the project's settings so it is measured once.

Early stopping can end a run sooner, so with patience the estimate is "at most". The estimate
is recorded with the run next to the time it took (:func:`record_actual`), so it can be checked.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.progress import format_duration

# Without a measured evaluation speed: a forward pass (no backward, no optimiser step, larger
# batches) reads tokens about this many times faster than a training step.
EVAL_SPEEDUP = 3.0
# Without a measured overhead (load, tokenise, save): seconds. Loading MiniLM on a CPU takes 2-4 s.
DEFAULT_OVERHEAD_SECONDS = 8.0
# An earlier run counts as "similar" when its max length is within this factor of the new one.
SIMILAR_LENGTH = 2.0
# How many texts are tokenised to learn their lengths (a seeded sample beyond this).
LENGTH_SAMPLE = 2000
# The Hugging Face length-grouped sampler sorts mega-batches of this many batches by length.
MEGABATCH_BATCHES = 50


@dataclass(frozen=True)
class Speed:
    """How fast this machine trains this model.

    Attributes:
        tokens_per_second: padded tokens per second in training (forward, backward, step).
        eval_tokens_per_second: tokens per second in validation (forward only); None: not measured.
        overhead_seconds: loading, tokenising and saving around training; None: not measured.
        source: ``run`` (an earlier run of the project) or ``calibration`` (measured for this).
        run_id: the run it was measured in (source ``run``).
    """

    tokens_per_second: float
    eval_tokens_per_second: float | None = None
    overhead_seconds: float | None = None
    source: str = "calibration"
    run_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Speed | None:
        """A stored speed, or None when it is damaged (then it is measured again)."""
        try:
            speed = cls(
                float(values["tokens_per_second"]),
                _positive(values.get("eval_tokens_per_second")),
                _non_negative(values.get("overhead_seconds")),
                str(values.get("source") or "calibration"),
                int(values["run_id"]) if values.get("run_id") is not None else None,
            )
        except (KeyError, TypeError, ValueError):
            return None
        return speed if speed.tokens_per_second > 0 and math.isfinite(speed.tokens_per_second) else None


@dataclass(frozen=True)
class Workload:
    """The tokens a run reads: ``train_tokens`` (padded) per epoch, ``val_tokens`` per evaluation."""

    train_rows: int
    val_rows: int
    train_tokens: int
    val_tokens: int
    epochs: int
    evaluations: int
    processes: int = 1

    @property
    def tokens_per_row(self) -> float:
        """Padded tokens per training row: the unit that turns rows per second into tokens per second."""
        return self.train_tokens / self.train_rows if self.train_rows else 0.0


@dataclass(frozen=True)
class TimeEstimate:
    """How long the run should take, in seconds, and from what."""

    seconds: float
    train_seconds: float
    eval_seconds: float
    overhead_seconds: float
    speed: Speed
    device_kind: str
    at_most: bool  # early stopping may end it sooner

    def describe(self) -> str:
        """``Estimated time: about 3m 10s on this CPU (measured speed: 410 tokens/s in run 2)``."""
        where = "this GPU" if self.device_kind in ("cuda", "mps") else "this CPU"
        how = f"in run {self.speed.run_id}" if self.speed.source == "run" else "in a short calibration"
        speed = f"measured speed: {self.speed.tokens_per_second:,.0f} tokens/s {how}"
        duration = format_duration(rounded_seconds(self.seconds))
        if self.at_most:
            return f"Estimated time: at most about {duration} on {where}, less if early stopping ends it sooner ({speed})"
        return f"Estimated time: about {duration} on {where} ({speed})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimated_seconds": round(self.seconds, 1),
            "train_seconds": round(self.train_seconds, 1),
            "eval_seconds": round(self.eval_seconds, 1),
            "overhead_seconds": round(self.overhead_seconds, 1),
            "at_most": self.at_most,
            "speed": self.speed.to_dict(),
        }


def rounded_seconds(seconds: float) -> float:
    """An estimate is not precise to the second: 5 s steps under 2 minutes, whole minutes above."""
    if seconds < 120:
        return max(5.0, 5.0 * round(seconds / 5.0))
    return 60.0 * round(seconds / 60.0)


# -- the work ----------------------------------------------------------------------------------


def padded_tokens(lengths: Sequence[int], batch_size: int, *, group_by_length: bool, seed: int = 42) -> int:
    """Tokens an epoch reads once each batch is padded to its longest row, batched as the
    trainer batches them: shuffled, and with ``group_by_length`` sorted by length within
    mega-batches of :data:`MEGABATCH_BATCHES` batches (less padding)."""
    order = list(lengths)
    random.Random(seed).shuffle(order)
    batch_size = max(1, batch_size)
    if group_by_length:
        size = batch_size * MEGABATCH_BATCHES
        order = [n for start in range(0, len(order), size) for n in sorted(order[start : start + size], reverse=True)]
    return sum(max(order[i : i + batch_size]) * len(order[i : i + batch_size]) for i in range(0, len(order), batch_size))


def workload(lengths: Sequence[int], rows: int, config: TrainConfig, processes: int = 1) -> Workload:
    """The work of training ``config`` on ``rows`` labelled texts whose token lengths (special
    tokens included; all of them or a sample) are ``lengths``."""
    capped = [max(1, min(int(n), config.max_length)) for n in lengths]
    val_rows = round(rows * config.val_split) if rows > 1 else 0
    train_rows = max(0, rows - val_rows)
    if not capped or not rows:
        return Workload(train_rows, val_rows, 0, 0, config.epochs, 0, processes)
    share = round(len(capped) * val_rows / rows)  # the sample splits as the rows do
    train_lengths, val_lengths = capped[share:] or capped, capped[:share]
    scale = train_rows / len(train_lengths)
    train_tokens = round(padded_tokens(train_lengths, config.batch_size, group_by_length=config.group_by_length, seed=config.seed) * scale)
    val_tokens = round(sum(val_lengths) * val_rows / len(val_lengths)) if val_lengths else 0
    evaluations = config.epochs * config.evals_per_epoch if val_rows else 0
    return Workload(train_rows, val_rows, train_tokens, val_tokens, config.epochs, evaluations, processes)


def sample_texts(texts: Sequence[str], limit: int = LENGTH_SAMPLE, seed: int = 0) -> list[str]:
    """``texts``, or a seeded sample of ``limit`` of them: their mean length is what matters."""
    if len(texts) <= limit:
        return list(texts)
    return random.Random(seed).sample(list(texts), limit)


def estimate(work: Workload, speed: Speed, *, device_kind: str, early_stopping: bool) -> TimeEstimate:
    """Seconds for ``work`` at ``speed``: training, validation, and the overhead around them."""
    processes = max(1, work.processes)
    train = work.epochs * work.train_tokens / (speed.tokens_per_second * processes)
    eval_speed = speed.eval_tokens_per_second or speed.tokens_per_second * EVAL_SPEEDUP
    evaluation = work.evaluations * work.val_tokens / eval_speed
    overhead = speed.overhead_seconds if speed.overhead_seconds is not None else DEFAULT_OVERHEAD_SECONDS
    return TimeEstimate(train + evaluation + overhead, train, evaluation, overhead, speed, device_kind, early_stopping)


# -- the speed of earlier runs -------------------------------------------------------------------


def run_speed(run_id: int, metrics: dict[str, Any], tokens_per_row: float) -> Speed | None:
    """The speed a finished run trained at. Runs recorded before tokens were counted give rows
    per second only: times ``tokens_per_row`` of the rows about to be trained (same project)."""
    tokens = _positive(metrics.get("tokens_per_second"))
    if tokens is None:
        rows = _positive(metrics.get("samples_per_second"))
        if rows is None or tokens_per_row <= 0:
            return None
        tokens = rows * tokens_per_row
    tokens /= max(1, int(metrics.get("world_size") or 1))  # all processes together: per process, as estimate() counts
    overhead = None
    wall, trained = _positive(metrics.get("wall_seconds")), _positive(metrics.get("training_seconds"))
    if wall is not None and trained is not None:
        overhead = max(0.0, wall - trained)
    return Speed(tokens, _positive(metrics.get("evaluation_tokens_per_second")), overhead, "run", run_id)


def speed_from_runs(
    runs: Iterable[Any],
    config: TrainConfig,
    *,
    device_kind: str,
    device_name: str,
    precision: str,
    host: str,
    tokens_per_row: float,
    processes: int = 1,
) -> Speed | None:
    """The speed of the newest finished run of ``runs`` (:class:`~bertdesk.core.project.runs.RunRecord`)
    that trained the same model on the same device and host, at the same precision and number of
    processes and a similar max length; None when there is none."""
    for run in sorted(runs, key=lambda r: r.id, reverse=True):
        metrics = run.metrics or {}
        trained = metrics.get("config") or run.config or {}
        if str(run.status) != "finished" or (run.host is not None and run.host != host):
            continue
        if trained.get("model") != config.model or metrics.get("device_kind") != device_kind:
            continue
        if device_name not in str(metrics.get("device", "")) or metrics.get("precision") != precision:
            continue
        if int(metrics.get("world_size") or 1) != processes or not _similar(trained.get("max_length"), config.max_length):
            continue
        speed = run_speed(run.id, metrics, tokens_per_row)
        if speed is not None:
            return speed
    return None


def _similar(length: Any, wanted: int) -> bool:
    try:
        ratio = float(length) / wanted
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return 1 / SIMILAR_LENGTH <= ratio <= SIMILAR_LENGTH


# -- what a run measured, and how the estimate did -------------------------------------------------


def measured_speeds(
    train_lengths: Sequence[int],
    val_lengths: Sequence[int],
    config: TrainConfig,
    samples: int,
    train_seconds: float,
    evaluations: int,
    eval_seconds: float,
) -> dict[str, float]:
    """The speeds a run trained and validated at, in tokens per second, for its metrics (what
    :func:`run_speed` reads back): ``train_tokens_per_epoch``, ``tokens_per_second`` and
    ``evaluation_tokens_per_second`` (the last two 0.0 when nothing was timed)."""
    per_epoch = padded_tokens(train_lengths, config.batch_size, group_by_length=config.group_by_length, seed=config.seed)
    per_row = per_epoch / len(train_lengths) if train_lengths else 0.0
    training = train_seconds - eval_seconds
    return {
        "train_tokens_per_epoch": per_epoch,
        "tokens_per_second": round(samples * per_row / training, 2) if samples and training > 0 else 0.0,
        "evaluation_tokens_per_second": round(evaluations * sum(val_lengths) / eval_seconds, 2)
        if evaluations and eval_seconds > 0
        else 0.0,
    }


def record_actual(metrics: dict[str, Any], wall_seconds: float, predicted: TimeEstimate | None) -> None:
    """Write into a run's ``metrics`` how long it took (``wall_seconds``) and, when there was
    one, the estimate beside it (``time_estimate``, with ``actual_seconds`` and their ``ratio``)."""
    metrics["wall_seconds"] = round(wall_seconds, 3)
    if predicted is not None:
        record = predicted.to_dict()
        record["actual_seconds"] = round(wall_seconds, 1)
        record["ratio"] = round(wall_seconds / predicted.seconds, 3) if predicted.seconds > 0 else None
        metrics["time_estimate"] = record


def _positive(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 and math.isfinite(number) else None


def _non_negative(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 and math.isfinite(number) else None

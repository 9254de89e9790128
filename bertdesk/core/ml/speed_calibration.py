"""Measure how fast this machine trains a model, in a few seconds, when no earlier run says.

A few training steps (forward, backward, clipped gradients, AdamW step) of the model on a batch
of the run's size and a typical padded length, then a couple of validation forwards; the model's
load time stands for the overhead around training (load, and save at the end). The answer is
cached in the project's settings per host, model, device, precision, length and batch size, so
the Train panel measures it once (:func:`estimate_training_time`).

torch and transformers are imported inside the functions.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bertdesk.core.leftovers import host_name
from bertdesk.core.ml.split_step import StepSplitter, splits_steps
from bertdesk.core.ml.time_estimate import Speed, TimeEstimate, estimate, sample_texts, speed_from_runs, workload
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress

if TYPE_CHECKING:
    from bertdesk.core.ml.devices import DeviceInfo
    from bertdesk.core.ml.training_config import TrainConfig
    from bertdesk.core.project import Project

log = logging.getLogger(__name__)

# The project setting holding calibrations: {key: Speed.to_dict()}.
CACHE_KEY = "train.speed"
CACHE_LIMIT = 32  # calibrations kept per project (the newest)
STEPS = 3  # timed training steps, after one warm-up step
EVAL_STEPS = 2
# Saving a model takes about what loading it does: the overhead is this many load times.
OVERHEAD_LOADS = 2.0
MEASURING = "Measuring training speed..."
# Split CPU steps (split_step) run the calibration loop's uniform random batches much faster than
# a real run's Trainer steps (its per-step work, length-grouped batches of mixed lengths, the
# window redrawing its curves on the same two cores): the sample data trained at 3,824 tokens/s
# headless and 2,869 in the app against 5,381-6,043 calibrated (0.47-0.71). Unsplit the loop was
# close enough for "at most" (0.80). So a split calibration counts this share of what it measured.
SPLIT_RUN_SHARE = 0.5


def length_bucket(tokens_per_row: float, max_length: int) -> int:
    """The padded length calibrated for: the power of two at or above the typical padded row,
    at least 16 and at most ``max_length`` (so a few lengths cover every data set)."""
    bucket = 16
    while bucket < tokens_per_row:
        bucket *= 2
    return max(8, min(bucket, max_length))


def cache_key(
    model: str, device: DeviceInfo, precision: str, length: int, batch_size: int, *, frozen_words: bool = True, split_steps: bool = False
) -> str:
    # "frozen words", "split steps": calibrations from before word embeddings were frozen, or
    # before CPU steps were split across cores, measured a slower step.
    parts = [host_name(), model, device.kind, device.name, precision, str(length), str(batch_size)]
    return "|".join(parts + (["frozen words"] if frozen_words else []) + (["split steps"] if split_steps else []))


def calibrate(
    model: str,
    device: DeviceInfo,
    precision: str,
    *,
    length: int,
    batch_size: int,
    cancel: CancelToken | None = None,
    steps: int = STEPS,
    frozen_words: bool = True,
    split_steps: bool = False,
) -> Speed:
    """Train ``model`` for ``steps`` steps on random tokens (``batch_size`` rows of ``length``)
    on ``device`` and return the measured :class:`Speed`; as training does, with fused AdamW,
    (``frozen_words``) the word embeddings frozen and (``split_steps``) each step's rows split
    across CPU cores (:mod:`~bertdesk.core.ml.split_step`)."""
    import torch

    from bertdesk.core.ml.devices import training_attention
    from bertdesk.core.ml.models import freeze_word_embeddings, load_classifier, resolve_model_source

    cancel = cancel or CancelToken()
    started = time.monotonic()
    net: Any = load_classifier(resolve_model_source(model), ["a", "b"], attn_implementation=training_attention(device))
    load_seconds = time.monotonic() - started
    cancel.raise_if_cancelled()
    net.to(device.torch_device)
    generator = torch.Generator().manual_seed(0)
    vocab = int(getattr(net.config, "vocab_size", 1000) or 1000)
    ids = torch.randint(0, vocab, (batch_size, length), generator=generator).to(device.torch_device)
    mask = torch.ones_like(ids)
    labels = torch.zeros(batch_size, dtype=torch.long, device=device.torch_device)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    autocast_kind = "cuda" if device.kind == "cuda" else device.kind

    def autocast() -> Any:
        return torch.autocast(device_type=autocast_kind, dtype=dtype) if dtype is not None else torch.autocast(autocast_kind, enabled=False)

    if frozen_words:
        freeze_word_embeddings(net)
    learning = [p for p in net.parameters() if p.requires_grad]
    # The Trainer's default optimizer is fused AdamW (adamw_torch_fused): 4x faster on the CPU.
    optimizer = torch.optim.AdamW(learning, lr=1e-5, fused=device.kind in ("cpu", "cuda"))
    net.train()

    def part_loss(part: dict[str, Any]) -> Any:
        with autocast():
            rows = net(input_ids=part["input_ids"], attention_mask=part["attention_mask"], labels=part["labels"]).loss
        return rows * len(part["labels"]) / batch_size  # the part's share of the batch's mean

    def step(splitter: StepSplitter | None) -> None:
        batch = {"input_ids": ids, "attention_mask": mask, "labels": labels}
        if splitter is not None:
            splitter.backward(batch, part_loss)
        else:
            part_loss(batch).backward()
        torch.nn.utils.clip_grad_norm_(learning, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    with StepSplitter() if split_steps else contextlib.nullcontext() as splitter:
        step(splitter)  # warm-up: first-call allocations and kernel choices
        _sync(device)
        began = time.monotonic()
        for _ in range(steps):
            cancel.raise_if_cancelled()
            step(splitter)
        _sync(device)
        train_seconds = time.monotonic() - began
    net.eval()
    with torch.no_grad():
        with autocast():
            net(input_ids=ids, attention_mask=mask)
        _sync(device)
        began = time.monotonic()
        for _ in range(EVAL_STEPS):
            with autocast():
                net(input_ids=ids, attention_mask=mask)
        _sync(device)
        eval_seconds = time.monotonic() - began
    tokens = batch_size * length
    share = SPLIT_RUN_SHARE if split_steps else 1.0
    return Speed(
        share * tokens * steps / max(train_seconds, 1e-9),
        tokens * EVAL_STEPS / max(eval_seconds, 1e-9),
        OVERHEAD_LOADS * load_seconds,
        "calibration",
    )


def _sync(device: DeviceInfo) -> None:
    if device.kind == "cuda":
        import torch

        torch.cuda.synchronize()


def cached_speed(project: Project | None, key: str) -> Speed | None:
    if project is None:
        return None
    stored = _read_cache(project).get(key)
    return Speed.from_dict(stored) if isinstance(stored, dict) else None


def remember_speed(project: Project | None, key: str, speed: Speed) -> None:
    """Keep a calibration in the project's settings (a project that cannot be written: not kept)."""
    from bertdesk.core.errors import BertdeskError

    if project is None or project.closed:
        return
    cache = _read_cache(project)
    cache.pop(key, None)
    cache[key] = speed.to_dict()
    kept = dict(list(cache.items())[-CACHE_LIMIT:])
    try:
        project.set_setting(CACHE_KEY, json.dumps(kept))
    except BertdeskError as err:
        log.info("calibration not cached: %s", err)


def _read_cache(project: Project) -> dict[str, Any]:
    try:
        cache = json.loads(project.get_setting(CACHE_KEY) or "{}")
    except ValueError:  # damaged: measured again
        return {}
    return cache if isinstance(cache, dict) else {}


def estimate_training_time(
    config: TrainConfig,
    texts: Sequence[str],
    *,
    project: Project | None = None,
    processes: int = 1,
    measure: bool = True,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
) -> TimeEstimate | None:
    """How long training ``config`` on ``texts`` (the labelled texts) will take here.

    The speed comes from the project's newest similar finished run, else from a calibration
    cached in the project, else (``measure``) from a calibration measured now (reported as
    :data:`MEASURING` first, then cached). None when there is nothing to train or no speed.
    """
    from bertdesk.core.ml.devices import choose_device, choose_precision
    from bertdesk.core.ml.models import load_tokenizer, read_model_info, readable_tokens, resolve_model_source
    from bertdesk.core.ml.truncation import token_lengths

    cancel = cancel or CancelToken()
    device = choose_device(config.device)
    precision = choose_precision(device, config.precision)
    source = resolve_model_source(config.model)
    tokenizer = load_tokenizer(source)
    readable = readable_tokens(read_model_info(source.path), tokenizer)
    if config.max_length > readable:  # training cuts it so too
        config = config.replace(max_length=readable)
    sample = sample_texts(texts)
    if not sample:
        return None
    work = workload(token_lengths(tokenizer, sample), len(texts), config, processes)
    if not work.train_rows:
        return None
    cancel.raise_if_cancelled()
    speed = None
    if project is not None and not project.closed:
        speed = speed_from_runs(
            project.runs(),
            config,
            device_kind=device.kind,
            device_name=device.name,
            precision=precision,
            host=host_name(),
            tokens_per_row=work.tokens_per_row,
            processes=processes,
        )
    if speed is None:
        length = length_bucket(work.tokens_per_row, config.max_length)
        frozen = config.freeze_word_embeddings
        split = splits_steps(config, device.kind, processes > 1)
        key = cache_key(config.model, device, precision, length, config.batch_size, frozen_words=frozen, split_steps=split)
        speed = cached_speed(project, key)
        if speed is None:
            if not measure:
                return None
            on_progress(Progress(0, 0, MEASURING))
            speed = calibrate(
                config.model,
                device,
                precision,
                length=length,
                batch_size=config.batch_size,
                cancel=cancel,
                frozen_words=frozen,
                split_steps=split,
            )
            remember_speed(project, key, speed)
    return estimate(work, speed, device_kind=device.kind, early_stopping=config.patience > 0 and work.val_rows > 0)

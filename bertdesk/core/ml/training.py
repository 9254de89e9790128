"""Fine-tune a BERT classifier on labelled rows, with progress, cancel and no half-written models.

:func:`fine_tune` drives the Hugging Face ``Trainer``. One :class:`_Monitor` callback turns its
events into :class:`~bertdesk.core.progress.Progress` reports, answers cancel at the next step,
evaluates on the validation rows (our own loop: length-sorted, mixed precision, in row order),
keeps a copy of the best weights by validation macro-F1 and stops early when they stop
improving. The model is written to a temporary folder beside ``out_dir`` and renamed into place
only when complete, so a cancel, crash or kill never leaves a half-written model where one is
expected. Before any work, :func:`check_output` refuses a destination bertdesk may not replace
or cannot write; if saving still fails at the end, the trained model is kept elsewhere and the
error says where.

Under ``torchrun`` or ``accelerate launch`` (:mod:`bertdesk.core.ml.ddp`) every process runs
:func:`fine_tune` on the same rows; only rank 0 checks and cleans folders, reports progress and
saves the model, and the ranks agree on every stop (cancel, early stopping) at the same step.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertdesk import __version__
from bertdesk.core.destinations import check_model_destination, estimate_model_bytes
from bertdesk.core.errors import Cancelled, TrainingError
from bertdesk.core.leftovers import PARTIAL_MARK as PARTIAL_MARK  # re-exported: where partial folders are named
from bertdesk.core.leftovers import TRAINER_TEMP_PREFIX, mark_writer, remove_dead_partials, remove_dead_trainer_folders
from bertdesk.core.ml import ddp
from bertdesk.core.ml.devices import DeviceInfo, choose_device, choose_precision, is_out_of_memory, process_device, training_attention
from bertdesk.core.ml.inference_shortcuts import first_token_last_layer
from bertdesk.core.ml.layer_rates import with_layer_rates
from bertdesk.core.ml.model_folder import save_model
from bertdesk.core.ml.models import (
    ModelSource,
    freeze_word_embeddings,
    load_classifier,
    load_tokenizer,
    read_model_info,
    readable_tokens,
    resolve_model_source,
)
from bertdesk.core.ml.split_step import StepSplitter, splits_steps
from bertdesk.core.ml.time_estimate import measured_speeds
from bertdesk.core.ml.training_config import TrainConfig
from bertdesk.core.ml.training_data import TrainingData, class_weights, small_class_warnings, stratified_split
from bertdesk.core.ml.training_metrics import ValidationPoint, score_sheet
from bertdesk.core.ml.truncation import check_truncation, encode_cut
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, format_duration, no_progress

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

# Tokens per validation batch: bounded by tokens, not rows, so long texts do not blow memory.
EVAL_TOKEN_BUDGET = 8192


@dataclass
class TrainResult:
    """What a finished (or cancelled-with-a-model) run produced."""

    model_dir: Path
    metrics: dict[str, Any]
    cancelled: bool = False
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Preflight:
    """What the user should know before training starts."""

    warnings: list[str]
    truncated: int  # texts longer than max_length
    train_rows: int
    val_rows: int
    device: str


def data_warnings(data: TrainingData, tokenizer: Any, max_length: int) -> tuple[list[str], int]:
    """What to tell the user before training: small classes and texts cut at ``max_length``;
    also returns how many texts are cut."""
    warnings = small_class_warnings(data)
    check = check_truncation(tokenizer, data.texts, max_length)
    note = check.describe()
    if note:
        warnings.append(note)
    return warnings, check.truncated


def preflight(data: TrainingData, config: TrainConfig) -> Preflight:
    """Check the data and settings without training: warnings, truncation, split sizes, device."""
    config.validate()
    source = resolve_model_source(config.model)
    tokenizer = load_tokenizer(source)
    train, val = stratified_split(data, config.val_split, config.seed)
    warnings, truncated = data_warnings(data, tokenizer, config.max_length)
    device = choose_device(config.device)
    return Preflight(warnings, truncated, len(train), len(val), f"{device.describe()}, {choose_precision(device, config.precision)}")


def describe_batch(per_device: int, accumulation: int, processes: int) -> str:
    """The effective batch, spelled out: what each optimiser step averages over."""
    steps = f"{accumulation} accumulation step{'s' if accumulation != 1 else ''}"
    return f"Effective batch {per_device * accumulation * processes} = {per_device} per process x {processes} processes x {steps}"


# --------------------------------------------------------------------------------------------
# The output folder: checked before any work (saving it is model_folder.py's job).


def check_output(
    out_dir: str | os.PathLike[str], config: TrainConfig, *, overwrite: bool = False, protect: Sequence[str | os.PathLike[str]] = ()
) -> ModelSource:
    """Check before any work that the model can be saved to ``out_dir`` (see
    :func:`~bertdesk.core.destinations.check_model_destination`: never a folder bertdesk did
    not write, writable, room for a model the size of the base one); returns the base model.

    Raises:
        TrainingError: one line saying why; nothing was touched.
        ModelError: the base model cannot be found.
    """
    source = resolve_model_source(config.model)
    check_model_destination(
        out_dir, overwrite=overwrite, expected_bytes=estimate_model_bytes(source.path), protect=protect, error=TrainingError
    )
    return source


# --------------------------------------------------------------------------------------------
# Tokenised rows and our own evaluation loop.


class _Rows:
    """Tokenised rows as the Trainer wants them: one dict per row, unpadded."""

    def __init__(self, encoded: dict[str, list[list[int]]], targets: list[int]) -> None:
        self._encoded = encoded
        self._targets = targets
        self.lengths = [len(ids) for ids in encoded["input_ids"]]

    def __len__(self) -> int:
        return len(self._targets)

    def __getitem__(self, index: int) -> dict[str, Any]:
        item: dict[str, Any] = {name: values[index] for name, values in self._encoded.items()}
        item["labels"] = self._targets[index]
        return item

    def subset(self, positions: Sequence[int]) -> _Rows:
        return _Rows(
            {name: [values[i] for i in positions] for name, values in self._encoded.items()}, [self._targets[i] for i in positions]
        )


def _encode(tokenizer: Any, data: TrainingData, max_length: int, truncation: str = "head") -> _Rows:
    encoded = encode_cut(tokenizer, data.texts, max_length, truncation, return_attention_mask=True)
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in encoded]
    index = {label: i for i, label in enumerate(data.label_order)}
    return _Rows({n: encoded[n] for n in names}, [index[label] for label in data.labels])


def _autocast(device: DeviceInfo, precision: str) -> Any:
    import contextlib

    import torch

    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device_type=device.kind, dtype=dtype)


def predict_rows(model: Any, tokenizer: Any, rows: _Rows, device: DeviceInfo, precision: str, cancel: CancelToken) -> list[int]:
    """Predicted class per row, in row order (batches are length-sorted, then put back)."""
    return [int(x) for x in predict_logits(model, tokenizer, rows, device, precision, cancel).argmax(axis=1).tolist()]


def predict_logits(model: Any, tokenizer: Any, rows: _Rows, device: DeviceInfo, precision: str, cancel: CancelToken) -> Any:
    """The model's logits per row (float32 numpy ``[rows, classes]``), in row order."""
    import numpy as np
    import torch

    from bertdesk.core.ml.inference import length_batches

    logits = np.zeros((len(rows), int(model.config.num_labels)), dtype=np.float32)
    order = sorted(range(len(rows)), key=rows.lengths.__getitem__)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode(), _autocast(device, precision):
            for batch in length_batches(order, rows.lengths, EVAL_TOKEN_BUDGET, None):
                cancel.raise_if_cancelled()
                features = [{k: v for k, v in rows[i].items() if k != "labels"} for i in batch]
                inputs = tokenizer.pad(features, return_tensors="pt")
                inputs = {k: v.to(device.torch_device) for k, v in inputs.items()}
                logits[batch] = model(**inputs).logits.float().cpu().numpy()
    finally:
        model.train(was_training)
    return logits


def _mean_cross_entropy(logits: Any, true: Sequence[int]) -> float:
    """Mean validation cross-entropy (log-loss) of ``logits`` for the ``true`` classes."""
    import numpy as np

    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(true)), np.asarray(true, dtype=np.int64)].mean())


def build_in_decision_offsets(model: Any, logits: Any, true: Sequence[int]) -> tuple[list[float], list[int]] | None:
    """Tune per-class decision offsets on validation ``logits`` (:func:`tune_offsets`) and add
    them to the classifier's output bias, so that every reader of the saved model applies them:
    ``argmax(logits + offsets)`` is ``argmax(log p + offsets)``, and the softmax of the shifted
    logits is the probability each reader shows. Returns the offsets and the validation
    predictions with them, or None when the model has no output layer with a bias to carry them."""
    import numpy as np
    import torch

    from bertdesk.core.ml.decision_offsets import apply_offsets, tune_offsets

    classes = int(model.config.num_labels)
    outputs = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == classes and m.bias is not None]
    if not outputs:
        return None
    shifted = np.asarray(logits, dtype=np.float64)
    probabilities = np.exp(shifted - shifted.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    offsets = tune_offsets(probabilities, true)
    with torch.no_grad():
        bias = outputs[-1].bias
        bias.add_(torch.tensor(offsets, dtype=bias.dtype, device=bias.device))
    return offsets, [int(x) for x in apply_offsets(probabilities, offsets).tolist()]


# --------------------------------------------------------------------------------------------
# The callback that reports, cancels, evaluates and stops early.


class _Monitor:
    """Built as a ``TrainerCallback`` subclass at run time (transformers is imported lazily)."""

    def __init__(
        self,
        *,
        tokenizer: Any,
        val_rows: _Rows | None,
        labels: list[str],
        config: TrainConfig,
        device: DeviceInfo,
        precision: str,
        eval_every: int,
        on_progress: ProgressCallback,
        cancel: CancelToken,
        ranks: ddp.Ranks = ddp.SINGLE,
    ) -> None:
        self.ranks = ranks
        self.tokenizer = tokenizer
        self.val_rows = val_rows
        self.labels = labels
        self.config = config
        self.device = device
        self.precision = precision
        self.eval_every = eval_every
        self.on_progress = on_progress
        self.cancel = cancel
        self.best_state: dict[str, torch.Tensor] | None = None
        self.best: dict[str, Any] | None = None  # scores + step/epoch of the best evaluation
        self.evals: list[dict[str, Any]] = []
        self.losses: list[dict[str, float]] = []
        self.bad_evals = 0
        self.stopped_early = False
        self.cancelled = False
        self.eval_seconds = 0.0
        self.started = time.monotonic()
        self.last_loss: float | None = None
        self.final_step = 0
        self.step_parts = 1  # parts each step's rows ran in, side by side (split_step)
        self.top_macro_f1 = float("-inf")  # the best validation macro-F1 so far (kept or not)

    # -- Trainer events ------------------------------------------------------------------------

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.started = time.monotonic()
        self._report(state, "Training started")

    def on_substep_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        # Gradient accumulation: answer between micro-batches too (a single process only: the
        # ranks of a distributed run agree on a cancel at the end of a step).
        if self.cancel.is_set() and not self.ranks.distributed:
            self.cancelled = True
            control.should_training_stop = True

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        # Every rank must stop at the same step, or the others wait for it forever.
        if ddp.any_rank(self.cancel.is_set(), self.ranks):
            self.cancelled = True
            control.should_training_stop = True
            return
        last = state.global_step >= state.max_steps
        if self.val_rows is not None and len(self.val_rows) and (state.global_step % self.eval_every == 0 or last):
            self._evaluate(kwargs["model"], state, control)
        self._report(state)

    def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any) -> None:
        if logs and "loss" in logs:
            self.last_loss = float(logs["loss"])
            point = {"step": float(state.global_step), "epoch": float(state.epoch or 0.0), "loss": self.last_loss}
            self.losses.append(point)
            self.on_progress(Progress(state.global_step, state.max_steps, self._message(state), metrics=point))

    # -- helpers -------------------------------------------------------------------------------

    def _evaluate(self, model: Any, state: Any, control: Any) -> None:
        assert self.val_rows is not None  # on_step_end evaluates only when there are rows
        started = time.monotonic()
        self.on_progress(Progress(state.global_step, state.max_steps, f"Evaluating on {len(self.val_rows)} validation rows..."))
        try:
            logits = self._validation_logits(model)
        except Cancelled:
            self.cancelled = True
            control.should_training_stop = True
            return
        finally:
            self.eval_seconds += time.monotonic() - started
        true = [self.val_rows[i]["labels"] for i in range(len(self.val_rows))]
        predicted = [int(x) for x in logits.argmax(axis=1).tolist()]
        loss = _mean_cross_entropy(logits, true)
        sheet = score_sheet(true, predicted, self.labels)
        point = ValidationPoint(state.global_step, float(state.epoch or 0.0), sheet.accuracy, sheet.macro_f1)
        self.evals.append(point.to_dict())
        assert sheet.macro_f1 is not None  # validation rows were scored
        improved = self._keeps(sheet.macro_f1, loss)
        self.top_macro_f1 = max(self.top_macro_f1, sheet.macro_f1)
        if improved:
            self.best = {"scores": sheet.to_dict(), "predicted": predicted, "step": point.step, "epoch": point.epoch, "loss": loss}
            # A CPU copy: the best weights survive later steps (and a cancel) without a checkpoint on
            # disk. Only the leader saves, so only it keeps one.
            if self.ranks.leader:
                self.best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
            self.bad_evals = 0
        else:
            self.bad_evals += 1
            if self.config.patience and self.bad_evals >= self.config.patience and state.global_step < state.max_steps:
                self.stopped_early = True
                control.should_training_stop = True
        self.on_progress(
            Progress(
                state.global_step,
                state.max_steps,
                f"Validation: {sheet.summary()}" + (" (best so far)" if improved else ""),
                metrics=point.progress_metrics(),
            )
        )

    def _keeps(self, macro_f1: float, loss: float) -> bool:
        """Whether this evaluation's weights replace the kept ones.

        A better validation macro-F1 than any so far always does. A few dozen validation rows
        tie often: ``later_ties`` keeps the later (more trained) of equals. Within
        ``near_tie_f1`` of the best macro-F1 so far, a lower validation loss wins: a model as
        right but more sure of its answers (an early epoch can score as well while its
        confidences sit near chance)."""
        if self.best is None:
            return True
        top = self.top_macro_f1
        if macro_f1 > top + 1e-9:
            return True
        if self.config.later_ties and macro_f1 >= top - 1e-9:
            return True
        tolerance = self.config.near_tie_f1
        return tolerance > 0 and macro_f1 >= top - tolerance - 1e-9 and loss < self.best["loss"]

    def _validation_logits(self, model: Any) -> Any:
        """Logits per validation row. Distributed, each rank scores its share and all get every
        row's, so they all take the same early-stopping decision; a cancel waits for the end of
        the step there (a rank leaving mid-way would strand the others)."""
        import numpy as np

        assert self.val_rows is not None
        if not self.ranks.distributed:
            return predict_logits(model, self.tokenizer, self.val_rows, self.device, self.precision, self.cancel)
        share = self.val_rows.subset(ddp.shard(len(self.val_rows), self.ranks))
        mine = predict_logits(model, self.tokenizer, share, self.device, self.precision, CancelToken()).tolist()
        return np.asarray([row for part in ddp.gather(mine, self.ranks) for row in part], dtype=np.float32)

    def _message(self, state: Any) -> str:
        epochs = self.config.epochs
        parts = [f"Epoch {min(epochs, int(state.epoch or 0) + 1)}/{epochs}", f"step {state.global_step}/{state.max_steps}"]
        if self.last_loss is not None:
            parts.append(f"loss {self.last_loss:.3f}")
        elapsed = time.monotonic() - self.started
        if state.global_step:
            remaining = elapsed / state.global_step * (state.max_steps - state.global_step)
            parts.append(f"{format_duration(remaining)} left (at most)" if self.config.patience else f"{format_duration(remaining)} left")
        return " · ".join(parts)

    def _report(self, state: Any, message: str | None = None) -> None:
        self.on_progress(Progress(state.global_step, state.max_steps, message or self._message(state)))


def _callback_class() -> type:
    from transformers import TrainerCallback

    return type("BertdeskMonitor", (_Monitor, TrainerCallback), {})


def _trainer_class(weights: list[float] | None, splitter: StepSplitter | None = None, layer_decay: float = 1.0) -> type:
    """The Trainer, with class-weighted cross-entropy, steps split across CPU cores and/or
    layer-wise learning-rate decay."""
    from transformers import Trainer

    if weights is None and splitter is None and layer_decay == 1.0:
        return Trainer

    class BertdeskTrainer(Trainer):
        def create_optimizer(self, model: Any = None) -> Any:
            optimizer = super().create_optimizer(model)
            if layer_decay != 1.0:
                self.optimizer = optimizer = with_layer_rates(optimizer, self.model if model is None else model, layer_decay)
            return optimizer

        def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None) -> Any:
            if weights is None:
                return super().compute_loss(model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch)
            import torch

            # Cross-entropy with per-class weights, so rare labels are not drowned out.
            targets = inputs.pop("labels")
            outputs = model(**inputs)
            logits = outputs.logits
            weight = torch.tensor(weights, dtype=torch.float32, device=logits.device)
            loss = torch.nn.functional.cross_entropy(logits.float(), targets, weight=weight)
            return (loss, outputs) if return_outputs else loss

        def training_step(self, model: Any, inputs: dict[str, Any], num_items_in_batch: Any = None) -> Any:
            if splitter is None:
                return super().training_step(model, inputs, num_items_in_batch)
            import torch

            model.train()
            inputs = self._prepare_inputs(inputs)
            targets = inputs["labels"]
            weight = None if weights is None else torch.tensor(weights, dtype=torch.float32, device=targets.device)
            # Each part's loss is its share of the batch's (weighted) mean cross-entropy, so the
            # parts' gradients add up to the whole batch's; then scaled for accumulation as the
            # Trainer scales a per-batch mean.
            batch_weight = weight[targets].sum() if weight is not None else torch.tensor(float(len(targets)))
            scale = batch_weight * self.current_gradient_accumulation_steps

            def part_loss(part: dict[str, Any]) -> Any:
                features = {name: value for name, value in part.items() if name != "labels"}
                with self.compute_loss_context_manager():
                    logits = model(**features).logits
                summed = torch.nn.functional.cross_entropy(logits.float(), part["labels"], weight=weight, reduction="sum")
                return summed / scale

            return splitter.backward(inputs, part_loss)

    return BertdeskTrainer


# --------------------------------------------------------------------------------------------
# The run.


def fine_tune(
    data: TrainingData,
    config: TrainConfig,
    out_dir: str | os.PathLike[str],
    *,
    on_progress: ProgressCallback = no_progress,
    cancel: CancelToken | None = None,
    overwrite: bool = False,
) -> TrainResult:
    """Train a classifier on ``data`` and save it to ``out_dir``.

    Returns the result with its metrics (also written to ``out_dir/metrics.json``). A cancel after
    at least one evaluation keeps the best model evaluated so far (``result.cancelled``); a
    cancel before raises :class:`Cancelled` and writes nothing.

    Raises:
        TrainingError: unusable data or settings (one line saying what to do), or the GPU ran
            out of memory even with one row per batch.
        Cancelled: cancelled before any model was worth keeping.
    """
    cancel = cancel or CancelToken()
    config.validate()
    out = Path(out_dir)
    ranks = ddp.current()
    if not ranks.leader:
        on_progress = no_progress  # one voice: the leader's
    on_progress(Progress(0, 0, "Loading the model..."))
    if ranks.leader:
        source = check_output(out, config, overwrite=overwrite)
        remove_dead_partials(Path(os.path.abspath(out)).parent)
        remove_dead_trainer_folders()
    else:  # followers never write, nor remove: the leader checked the destination
        source = resolve_model_source(config.model)
    # Distributed: one GPU per process, its own (cuda:LOCAL_RANK).
    device = process_device(config.device, ranks.local_rank) if ranks.distributed else choose_device(config.device)
    ddp.start(device.kind)
    precision = choose_precision(device, config.precision)
    tokenizer = load_tokenizer(source)
    on_progress(Progress(0, 0, f"Training {source.name} on {device.describe()}, {precision}"))
    if ranks.distributed:
        on_progress(Progress(0, 0, describe_batch(config.batch_size, 1, ranks.size)))
    cancel.raise_if_cancelled()
    # Texts longer than the model's position table index past it (a RuntimeError mid-training):
    # a 128-position model, or RoBERTa's 514 slots that read 512, are cut to what they read.
    readable = readable_tokens(read_model_info(source.path), tokenizer)
    if config.max_length > readable:
        on_progress(
            Progress(0, 0, f"{source.name} reads at most {readable} tokens per text; max length {config.max_length} is cut to {readable}.")
        )
        config = config.replace(max_length=readable)

    warnings, truncated = data_warnings(data, tokenizer, config.max_length)
    for warning in warnings:
        log.info(warning)
        on_progress(Progress(0, 0, warning))

    train_data, val_data = stratified_split(data, config.val_split, config.seed)
    on_progress(Progress(0, 0, f"Tokenising {len(data)} rows..."))
    train_rows = _encode(tokenizer, train_data, config.max_length, config.truncation)
    val_rows = _encode(tokenizer, val_data, config.max_length, config.truncation) if len(val_data) else None
    weights = class_weights(train_data, config.class_weights)
    cancel.raise_if_cancelled()

    batch, accumulation = config.batch_size, 1
    while True:
        try:
            monitor, model, train_seconds = _train_once(
                source,
                tokenizer,
                data.label_order,
                train_rows,
                val_rows,
                config,
                device,
                precision,
                batch,
                accumulation,
                weights,
                on_progress,
                cancel,
                ranks,
            )
            break
        except Exception as err:
            if not is_out_of_memory(err):
                raise
            _free_accelerator_memory()
            if ranks.distributed:  # retrying on one rank alone would leave the others waiting
                raise TrainingError(
                    f"The {device.kind.upper()} ran out of memory with {batch} rows per batch on each process: lower --batch-size or Max length.",
                    detail=str(err),
                ) from err
            if batch == 1:
                raise TrainingError(
                    f"The {device.kind.upper()} ran out of memory even with one row per batch: train on the CPU, or lower Max length.",
                    detail=str(err),
                ) from err
            batch, accumulation = max(1, batch // 2), accumulation * 2
            message = f"Out of memory: retrying with batch {batch} x {accumulation} accumulation steps (same effective batch of {config.batch_size})."
            log.warning(message)
            warnings.append(message)
            on_progress(Progress(0, 0, message))

    if monitor.best is None and (monitor.cancelled or val_rows is not None):
        # Cancelled (or failed) before anything was evaluated: there is no model worth keeping.
        raise Cancelled("Training was cancelled before the first evaluation; no model was saved.")
    if monitor.best_state is not None:
        model.load_state_dict(monitor.best_state)
    offsets: list[float] | None = None
    macro_f1_without_offsets = monitor.best["scores"]["macro_f1"] if monitor.best else None
    if config.decision_offsets and val_rows is not None and len(val_rows) and monitor.best is not None and ranks.leader:
        on_progress(Progress(0, 0, "Tuning the decision offsets on the validation rows..."))
        logits = predict_logits(model, tokenizer, val_rows, device, precision, cancel)
        true = [val_rows[i]["labels"] for i in range(len(val_rows))]
        built = build_in_decision_offsets(model, logits, true)
        if built is None:
            warnings.append("This model has no output layer with a bias to carry decision offsets; they were not applied.")
        else:
            offsets, predicted = built
            # The saved model predicts with the offsets: validation scores say what it now does.
            monitor.best = {**monitor.best, "scores": score_sheet(true, predicted, data.label_order).to_dict(), "predicted": predicted}

    on_progress(Progress(0, 0, "Saving the model..."))
    # The saved tokenizer cuts texts where training and validation did, so every reader of the
    # folder (bertdesk's predict and attention, transformers.pipeline(..., truncation=True))
    # gives the answer validation measured; metrics.json keeps it too (config.max_length).
    tokenizer.model_max_length = config.max_length
    steps_done = monitor.final_step
    metrics = {
        "bertdesk_version": __version__,
        "model_source": {"kind": source.kind, "name": source.name, "path": str(source.path)},
        "labels": list(data.label_order),
        "label_counts": data.counts(),
        "train_rows": len(train_data),
        "val_rows": len(val_data),
        "validation": monitor.best["scores"] if monitor.best else None,
        "validation_row_ids": list(val_data.row_ids),
        "validation_predictions": [data.label_order[i] for i in monitor.best["predicted"]] if monitor.best else [],
        "best_step": monitor.best["step"] if monitor.best else None,
        "best_epoch": monitor.best["epoch"] if monitor.best else None,
        "steps": steps_done,
        "stopped_early": monitor.stopped_early,
        "cancelled": monitor.cancelled,
        "training_seconds": round(train_seconds, 3),
        "evaluation_seconds": round(monitor.eval_seconds, 3),
        "samples_per_second": round(steps_done * config.batch_size * ranks.size / max(train_seconds - monitor.eval_seconds, 1e-9), 2)
        if steps_done
        else 0.0,
        # Tokens per second (padded, as batched): what the next run's time estimate is read from.
        **measured_speeds(
            train_rows.lengths,
            val_rows.lengths if val_rows is not None else [],
            config,
            steps_done * config.batch_size * ranks.size,
            train_seconds,
            len(monitor.evals),
            monitor.eval_seconds,
        ),
        "world_size": ranks.size,  # processes that trained together (torchrun / accelerate launch)
        "effective_batch_size": batch * accumulation * ranks.size,
        "device": device.describe(),
        "device_kind": device.kind,
        "precision": precision,
        "batch_size_used": batch,
        "step_parts": monitor.step_parts,
        "gradient_accumulation": accumulation,
        "class_weights": weights,
        # Added to the log-probabilities (built into the output bias); None: not tuned.
        "decision_offsets": offsets,
        "validation_macro_f1_without_offsets": macro_f1_without_offsets,
        "truncated_texts": truncated,
        "history": {"loss": monitor.losses, "validation": monitor.evals},
        "warnings": warnings,
        "config": config.to_dict(),
    }
    if not ranks.leader:
        return TrainResult(out, metrics, cancelled=monitor.cancelled, warnings=warnings)
    save_model(model, tokenizer, metrics, out)
    on_progress(Progress(1, 1, f"Saved the model to {out}"))
    return TrainResult(out, metrics, cancelled=monitor.cancelled, warnings=warnings)


def _free_accelerator_memory() -> None:
    import gc

    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:  # pragma: no cover
        pass


def _train_once(
    source: Any,
    tokenizer: Any,
    labels: list[str],
    train_rows: _Rows,
    val_rows: _Rows | None,
    config: TrainConfig,
    device: DeviceInfo,
    precision: str,
    batch: int,
    accumulation: int,
    weights: list[float] | None,
    on_progress: ProgressCallback,
    cancel: CancelToken,
    ranks: ddp.Ranks = ddp.SINGLE,
) -> tuple[_Monitor, Any, float]:
    """One attempt at training with this micro-batch size; the model is loaded afresh each time."""
    import math

    from transformers import DataCollatorWithPadding, PrinterCallback, TrainingArguments, set_seed
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    set_seed(config.seed)  # the new head's initial weights, the batch order, dropout
    model = load_classifier(
        source, labels, attn_implementation=training_attention(device), on_message=lambda message: on_progress(Progress(0, 0, message))
    )
    if config.freeze_word_embeddings:
        freeze_word_embeddings(model)
    # Distributed, every step takes a batch on each process: an epoch has that many fewer steps.
    steps_per_epoch = max(1, math.ceil(len(train_rows) / (batch * accumulation * ranks.size)))
    max_steps = steps_per_epoch * config.epochs
    eval_every = max(1, steps_per_epoch // config.evals_per_epoch)
    monitor = _callback_class()(
        tokenizer=tokenizer,
        val_rows=val_rows,
        labels=labels,
        config=config,
        device=device,
        precision=precision,
        eval_every=eval_every,
        on_progress=on_progress,
        cancel=cancel,
        ranks=ranks,
    )
    if ranks.leader:
        scratch = tempfile.mkdtemp(prefix=TRAINER_TEMP_PREFIX)
        mark_writer(Path(scratch))  # a kill leaves it behind: the next run can tell it is abandoned
    else:
        # The Trainer creates its output folder on the process that saves (rank 0) only; a
        # follower names one that is never made, so it writes nothing at all.
        scratch = os.path.join(tempfile.gettempdir(), f"{TRAINER_TEMP_PREFIX}rank-{ranks.rank}-never-written")
    try:
        args = TrainingArguments(
            output_dir=scratch,
            num_train_epochs=config.epochs,
            per_device_train_batch_size=batch,
            gradient_accumulation_steps=accumulation,
            learning_rate=config.learning_rate,
            weight_decay=config.weight_decay,
            warmup_steps=int(round(config.warmup_ratio * max_steps)),
            lr_scheduler_type="linear",
            seed=config.seed,
            data_seed=config.seed,
            bf16=precision == "bf16",
            fp16=precision == "fp16",
            use_cpu=device.kind == "cpu",
            train_sampling_strategy="group_by_length" if config.group_by_length else "random",
            eval_strategy="no",  # the monitor evaluates: in row order, length-sorted, cancellable
            save_strategy="no",  # the best weights are kept in memory, not as checkpoints
            logging_strategy="steps",
            logging_steps=max(1, max_steps // 100),
            report_to="none",
            disable_tqdm=True,
            dataloader_pin_memory=device.kind == "cuda",
            remove_unused_columns=False,
            ddp_backend=ddp.backend_for(device.kind) if ranks.distributed else None,
            ddp_find_unused_parameters=False,  # a classifier uses every weight; looking costs a pass
        )
        # On a CPU, each step's rows are split in two, each half on a core of its own
        # (split_step: 1.34-1.48x the samples/s on 2 cores, the same gradients).
        splitter = StepSplitter() if splits_steps(config, device.kind, ranks.distributed) else None
        monitor.step_parts = splitter.parts if splitter else 1
        trainer = _trainer_class(weights, splitter, config.layer_lr_decay)(
            model=model,
            args=args,
            train_dataset=train_rows,
            data_collator=DataCollatorWithPadding(tokenizer),
            processing_class=tokenizer,
            callbacks=[monitor],
        )
        trainer.remove_callback(PrinterCallback)  # it prints every log line to stdout
        started = time.monotonic()
        # Trainer.train() starts with a full gc.collect() (accelerate's free_memory), which holds
        # the GIL for 200-400 ms with torch and transformers loaded: the GUI thread freezes.
        # Freezing the objects alive now makes that collection (and automatic ones during
        # training) skip them; they were alive anyway. Unfrozen once training ends.
        gc.freeze()
        try:
            # The classifier reads only the first ([CLS]) position of the last layer: that layer
            # computes just it (same loss and gradients; 1.4 -> 2.2x the plain Trainer's
            # samples/s in a step benchmark on real SMS texts, fp32, AVX2 CPU).
            with first_token_last_layer(model), splitter or contextlib.nullcontext():
                output = trainer.train()
        finally:
            gc.unfreeze()
        seconds = time.monotonic() - started
        monitor.final_step = int(output.global_step)
    finally:
        if ranks.leader:
            shutil.rmtree(scratch, ignore_errors=True)
    return monitor, trainer.model, seconds

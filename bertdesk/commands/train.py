"""``bertdesk train``: fine-tune a classifier from a labelled spreadsheet or a bertdesk project.

Under ``torchrun --nproc_per_node=N -m bertdesk train ...`` or ``accelerate launch -m bertdesk
train ...`` every process runs this command; rank 0 (the leader) does everything it does alone
(checks the destination, reads the data or the project, records the run, prints, saves) and
hands the rows and settings to the others, which only train (:mod:`bertdesk.core.ml.ddp`).
If the leader stops before training (bad input), it tells them, and they leave quietly.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import time
from pathlib import Path
from typing import Any

from bertdesk.commands.common import (
    EXIT_CANCELLED,
    EXIT_OK,
    StderrProgress,
    add_data_arguments,
    ctrl_c_cancels,
    labelled_table,
    open_project_with_text_column,
    print_json,
)
from bertdesk.core.importing import PROJECT_SUFFIX
from bertdesk.core.ml.devices import DEVICE_CHOICES, PRECISION_CHOICES
from bertdesk.core.ml.training_config import CLASS_WEIGHT_CHOICES, DEFAULT_PRESET, HELP, PRESETS

log = logging.getLogger(__name__)

# Option name -> TrainConfig field, for the settings that override the preset.
OVERRIDES = {
    "model": "model",
    "epochs": "epochs",
    "batch_size": "batch_size",
    "max_length": "max_length",
    "lr": "learning_rate",
    "val_split": "val_split",
    "device": "device",
    "precision": "precision",
    "seed": "seed",
    "patience": "patience",
    "class_weights": "class_weights",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = sub.add_parser(
        "train",
        help="fine-tune a classifier on labelled rows",
        description="Fine-tune a BERT classifier on the labelled rows of a spreadsheet or a bertdesk project. "
        "Progress goes to stderr; the validation scores to stdout. Ctrl+C cancels and keeps the best model evaluated so far.",
    )
    add_data_arguments(train)
    train.add_argument("--out", metavar="DIR", required=True, help="folder to save the model to (must not exist or be empty)")
    train.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a model bertdesk saved in --out, once the new one is complete (a folder holding anything else is never replaced)",
    )
    train.add_argument("--preset", choices=list(PRESETS), default=DEFAULT_PRESET, help=f"starting settings (default {DEFAULT_PRESET})")
    train.add_argument("--model", metavar="SRC", help=HELP["model"] + " (default: default)")
    train.add_argument("--epochs", metavar="N", type=int, help=HELP["epochs"])
    train.add_argument("--batch-size", metavar="B", type=int, help=HELP["batch_size"])
    train.add_argument("--max-length", metavar="N", type=int, help=HELP["max_length"])
    train.add_argument("--lr", metavar="X", type=float, help=HELP["learning_rate"])
    train.add_argument("--val-split", metavar="F", type=float, help=HELP["val_split"])
    train.add_argument("--patience", metavar="N", type=int, help=HELP["patience"])
    train.add_argument("--class-weights", choices=CLASS_WEIGHT_CHOICES, help=HELP["class_weights"])
    train.add_argument("--device", choices=DEVICE_CHOICES, help=HELP["device"])
    train.add_argument("--precision", choices=PRECISION_CHOICES, help=HELP["precision"])
    train.add_argument("--seed", metavar="S", type=int, help=HELP["seed"])
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    train.add_argument(
        "--json-progress",
        action="store_true",
        help='progress as JSON lines on stdout ({"bertdesk": "progress", ...}), then one {"bertdesk": "result", ...} line '
        "with the metrics (for programs driving bertdesk; the app uses it to train on all GPUs)",
    )
    train.set_defaults(handler=_cmd_train)


def _config(args: argparse.Namespace) -> Any:
    config = PRESETS[args.preset]
    changes = {field: getattr(args, option) for option, field in OVERRIDES.items() if getattr(args, option) is not None}
    return config.replace(**changes).validate()


def _cmd_train(args: argparse.Namespace) -> int:
    from bertdesk.core.errors import BertdeskError
    from bertdesk.core.ml import ddp, distributed
    from bertdesk.core.ml.devices import process_device

    ranks = ddp.current()
    try:
        config = distributed.read_job(args.data)[1] if distributed.is_job_file(args.data) else _config(args)
    except BertdeskError:
        if ranks.leader:
            raise
        # Every rank found the same bad setting: the leader says it, once, and exits 2 (so does
        # torchrun). A follower failing first would get the leader killed before it could say it.
        return EXIT_OK
    if ranks.distributed:
        ddp.start(process_device(config.device, ranks.local_rank).kind)
    if not ranks.leader:
        return _follow(ranks)
    handed = [False]
    try:
        return _lead(args, config, ranks, handed)
    finally:
        if ranks.distributed and not handed[0]:
            ddp.broadcast(None, ranks)  # nothing to train: the followers leave
        ddp.finish(ranks)


def _lead(args: argparse.Namespace, config: Any, ranks: Any, handed: list[bool]) -> int:
    """What a single process does; distributed, also hands the rows to the other ranks."""
    from bertdesk.core.ml import distributed
    from bertdesk.core.ml.training import check_output, fine_tune

    # Before reading any data: never replace what bertdesk did not write; writable, with room.
    check_output(args.out, config, overwrite=args.overwrite, protect=[args.data])
    progress: Any = distributed.JsonLinesProgress() if args.json_progress else StderrProgress(quiet=args.quiet)
    trainer: Any = functools.partial(fine_tune, overwrite=args.overwrite)
    if ranks.distributed:
        trainer = functools.partial(_hand_out, ranks=ranks, handed=handed, overwrite=args.overwrite)
    if distributed.is_job_file(args.data):
        result = _train_job(args, trainer, progress)
    elif str(args.data).lower().endswith(PROJECT_SUFFIX):
        result = _train_project(args, config, progress, trainer)
    else:
        result = _train_table(args, config, progress, trainer)
    if args.json_progress:
        progress.result(result)
    else:
        _report(result, as_json=args.json)
    if result.cancelled:
        sys.stderr.write("bertdesk: cancelled; kept the best model evaluated before the cancel\n")
        return EXIT_CANCELLED
    return EXIT_OK


def _hand_out(data: Any, config: Any, out_dir: Any, *, ranks: Any, handed: list[bool], overwrite: bool, **kwargs: Any) -> Any:
    """The leader's training step: send the rows and settings to the other ranks, then train with them."""
    from bertdesk.core.ml import ddp
    from bertdesk.core.ml.training import fine_tune

    ddp.broadcast((data, config, str(out_dir), overwrite), ranks)
    handed[0] = True
    return fine_tune(data, config, out_dir, overwrite=overwrite, **kwargs)


def _follow(ranks: Any) -> int:
    """A follower: train on what the leader sends, write and print nothing; leave when told to."""
    from bertdesk.core.errors import Cancelled
    from bertdesk.core.ml import ddp
    from bertdesk.core.ml.training import fine_tune
    from bertdesk.core.progress import CancelToken

    try:
        job = ddp.broadcast(None, ranks)
        if job is None:
            return EXIT_OK  # the leader stopped before training and says why itself
        data, config, out_dir, overwrite = job
        # torchrun passes Ctrl+C on to every rank: the ranks agree to stop at the same step.
        with ctrl_c_cancels(CancelToken(), quiet=True) as token:
            fine_tune(data, config, out_dir, cancel=token, overwrite=overwrite)
        # Even after a cancel: the leader reports it (exit 130). A follower exiting non-zero
        # first would have torchrun kill the leader while it saves the best model.
        return EXIT_OK
    except Cancelled:
        return EXIT_OK
    finally:
        ddp.finish(ranks)


def _train_job(args: argparse.Namespace, trainer: Any, progress: Any) -> Any:
    """A job file the app wrote (rows and settings of a project it has open): train, record nothing."""
    from bertdesk.core.ml import distributed
    from bertdesk.core.progress import CancelToken

    data, config = distributed.read_job(args.data)
    with ctrl_c_cancels(CancelToken(), quiet=True) as token:
        try:
            return trainer(data, config, args.out, on_progress=progress, cancel=token)
        finally:
            progress.close()


def _train_project(args: argparse.Namespace, config: Any, progress: Any, trainer: Any) -> Any:
    """The same use case as the Train panel's: the run is recorded in the project."""
    from bertdesk.core import usecases
    from bertdesk.core.progress import CancelToken

    project = open_project_with_text_column(args)
    try:
        with ctrl_c_cancels(CancelToken()) as token:
            try:
                outcome = usecases.train_in_project(
                    project,
                    config,
                    Path(args.out).resolve(),
                    on_progress=progress,
                    cancel=token,
                    overwrite=args.overwrite,
                    on_data=functools.partial(_announce, model=config.model, column=args.text_col),
                    train=trainer,
                    estimate=functools.partial(_estimate, config=config, project=project),
                )
            finally:
                progress.close()
    finally:
        project.close()
    return outcome.result


def _train_table(args: argparse.Namespace, config: Any, progress: Any, trainer: Any) -> Any:
    from bertdesk.core.ml.time_estimate import record_actual
    from bertdesk.core.progress import CancelToken

    data = labelled_table(args)
    _announce(data, model=config.model, column=args.text_col)
    predicted = _estimate(data, config=config)
    with ctrl_c_cancels(CancelToken()) as token:
        started = time.monotonic()
        try:
            result = trainer(data, config, args.out, on_progress=progress, cancel=token)
        finally:
            progress.close()
    record_actual(result.metrics, time.monotonic() - started, predicted)
    return result


def _estimate(data: Any, *, config: Any, project: Any = None) -> Any:
    """Print how long training should take (one line on stderr) and return the estimate: from
    the project's earlier runs, else a short calibration (cached in the project when there is
    one). An estimate that cannot be made says nothing: it never stops the training."""
    from bertdesk.core.errors import BertdeskError
    from bertdesk.core.ml import ddp
    from bertdesk.core.ml.speed_calibration import estimate_training_time

    try:  # under torchrun, the processes share the rows
        predicted = estimate_training_time(config, data.texts, project=project, processes=ddp.current().size)
    except (BertdeskError, OSError, RuntimeError, ValueError) as err:  # the training says what is wrong, if it is
        log.info("no time estimate: %s", err)
        return None
    if predicted is not None:
        sys.stderr.write(f"{predicted.describe()}\n")
    return predicted


def _announce(data: Any, *, model: str | None = None, column: str | None = None) -> None:
    """The rows about to be trained on; and, before minutes of training, a warning when the
    model's tokenizer cannot read much of their text (a language its vocabulary does not cover)."""
    from bertdesk.core.ml.models import load_tokenizer, resolve_model_source
    from bertdesk.core.ml.vocabulary_coverage import measure

    sys.stderr.write(f"bertdesk: training on {len(data)} labelled rows ({', '.join(f'{k}: {v}' for k, v in data.counts().items())})\n")
    warning = measure(load_tokenizer(resolve_model_source(model)), data.texts).message(column)
    if warning:
        sys.stderr.write(f"Warning: {warning}\n")


def _report(result: Any, *, as_json: bool) -> None:
    """The validation scores on stdout: one JSON object, or a text report."""
    from bertdesk.core.ml.training import describe_batch
    from bertdesk.core.ml.training_metrics import format_scores

    metrics = result.metrics
    if as_json:
        print_json(metrics)
    else:
        out = sys.stdout
        out.write(f"Model saved to {result.model_dir}\n")
        out.write(
            f"Device: {metrics['device']}, {metrics['precision']}; {metrics['training_seconds']:.1f} s, {metrics['samples_per_second']:.1f} samples/s\n"
        )
        processes = metrics.get("world_size", 1)
        if processes > 1:
            out.write(
                f"Processes: {processes}; {describe_batch(metrics['batch_size_used'], metrics['gradient_accumulation'], processes)}\n"
            )
        for warning in result.warnings:
            out.write(f"Warning: {warning}\n")
        if metrics["validation"]:
            best = f"best at epoch {metrics['best_epoch']:.1f}" if metrics["best_epoch"] is not None else ""
            out.write(f"Validation ({metrics['val_rows']} rows, {best}{', stopped early' if metrics['stopped_early'] else ''}):\n")
            out.write(format_scores(metrics["validation"]))

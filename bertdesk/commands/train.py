"""``bertdesk train``: fine-tune a classifier from a labelled spreadsheet or a bertdesk project."""

from __future__ import annotations

import argparse
import sys
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
    train.set_defaults(handler=_cmd_train)


def _config(args: argparse.Namespace) -> Any:
    config = PRESETS[args.preset]
    changes = {field: getattr(args, option) for option, field in OVERRIDES.items() if getattr(args, option) is not None}
    return config.replace(**changes).validate()


def _cmd_train(args: argparse.Namespace) -> int:
    from bertdesk.core.ml.training import check_output

    config = _config(args)
    # Before reading any data: never replace what bertdesk did not write; writable, with room.
    check_output(args.out, config, overwrite=args.overwrite, protect=[args.data])
    progress = StderrProgress(quiet=args.quiet)
    if str(args.data).lower().endswith(PROJECT_SUFFIX):
        result = _train_project(args, config, progress)
    else:
        result = _train_table(args, config, progress)
    _report(result, as_json=args.json)
    if result.cancelled:
        sys.stderr.write("bertdesk: cancelled; kept the best model evaluated before the cancel\n")
        return EXIT_CANCELLED
    return EXIT_OK


def _train_project(args: argparse.Namespace, config: Any, progress: StderrProgress) -> Any:
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
                    on_data=_announce,
                )
            finally:
                progress.close()
    finally:
        project.close()
    return outcome.result


def _train_table(args: argparse.Namespace, config: Any, progress: StderrProgress) -> Any:
    from bertdesk.core.ml.training import fine_tune
    from bertdesk.core.progress import CancelToken

    data = labelled_table(args)
    _announce(data)
    with ctrl_c_cancels(CancelToken()) as token:
        try:
            return fine_tune(data, config, args.out, on_progress=progress, cancel=token, overwrite=args.overwrite)
        finally:
            progress.close()


def _announce(data: Any) -> None:
    sys.stderr.write(f"bertdesk: training on {len(data)} labelled rows ({', '.join(f'{k}: {v}' for k, v in data.counts().items())})\n")


def _report(result: Any, *, as_json: bool) -> None:
    """The validation scores on stdout: one JSON object, or a text report."""
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
        for warning in result.warnings:
            out.write(f"Warning: {warning}\n")
        if metrics["validation"]:
            best = f"best at epoch {metrics['best_epoch']:.1f}" if metrics["best_epoch"] is not None else ""
            out.write(f"Validation ({metrics['val_rows']} rows, {best}{', stopped early' if metrics['stopped_early'] else ''}):\n")
            out.write(format_scores(metrics["validation"]))

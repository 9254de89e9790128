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
    add_header_row_option,
    ctrl_c_cancels,
    labelled_table,
    open_project,
    print_json,
)
from bertdesk.core.devices import DEVICE_CHOICES, PRECISION_CHOICES
from bertdesk.core.importing import PROJECT_SUFFIX
from bertdesk.core.training_config import CLASS_WEIGHT_CHOICES, DEFAULT_PRESET, HELP, PRESETS

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


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    train = sub.add_parser(
        "train",
        help="fine-tune a classifier on labelled rows",
        description="Fine-tune a BERT classifier on the labelled rows of a spreadsheet or a bertdesk project. "
        "Progress goes to stderr; the validation scores to stdout. Ctrl+C cancels and keeps the best model evaluated so far.",
    )
    train.add_argument("data", metavar="DATA_OR_PROJECT", help=f"a .csv/.tsv/.xlsx/.parquet file or a {PROJECT_SUFFIX} project")
    train.add_argument("--text-col", metavar="C", help="the column holding the text (default: the suggested one; for a project, this also becomes its text column)")
    train.add_argument("--label-col", metavar="L", help="the column holding the labels (spreadsheets; default: the suggested one)")
    train.add_argument("--sheet", metavar="NAME", help="sheet to read (Excel files)")
    add_header_row_option(train)
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
    from bertdesk.core.errors import Cancelled
    from bertdesk.core.progress import CancelToken
    from bertdesk.core.training import check_output, fine_tune
    from bertdesk.core.training_metrics import format_scores
    from bertdesk.core.training_runs import begin_run, fail_run, finish_run

    config = _config(args)
    # Before reading any data: never replace what bertdesk did not write; writable, with room.
    check_output(args.out, config, overwrite=args.overwrite, protect=[args.data])
    progress = StderrProgress(quiet=args.quiet)
    project = None
    run_id = None
    try:
        if str(args.data).lower().endswith(PROJECT_SUFFIX):
            from bertdesk.core.training_data import data_from_project

            project = open_project(args.data)
            if args.text_col and args.text_col != project.text_column:
                project.set_text_column(args.text_col)
            data = data_from_project(project)
            run_id, _ = begin_run(project, config, Path(args.out).resolve())
        else:
            data = labelled_table(args)
        sys.stderr.write(f"bertdesk: training on {len(data)} labelled rows ({', '.join(f'{k}: {v}' for k, v in data.counts().items())})\n")
        with ctrl_c_cancels(CancelToken()) as token:
            try:
                result = fine_tune(data, config, args.out, on_progress=progress, cancel=token, overwrite=args.overwrite)
            finally:
                progress.close()
        if project is not None and run_id is not None:
            finish_run(project, run_id, result)
    except BaseException as err:
        if project is not None and run_id is not None:
            fail_run(project, run_id, None if isinstance(err, (Cancelled, KeyboardInterrupt)) else err)
        raise
    finally:
        if project is not None:
            project.close()
    metrics = result.metrics
    if args.json:
        print_json(metrics)
    else:
        out = sys.stdout
        out.write(f"Model saved to {result.model_dir}\n")
        out.write(f"Device: {metrics['device']}, {metrics['precision']}; {metrics['training_seconds']:.1f} s, {metrics['samples_per_second']:.1f} samples/s\n")
        for warning in result.warnings:
            out.write(f"Warning: {warning}\n")
        if metrics["validation"]:
            best = f"best at epoch {metrics['best_epoch']:.1f}" if metrics["best_epoch"] is not None else ""
            out.write(f"Validation ({metrics['val_rows']} rows, {best}{', stopped early' if metrics['stopped_early'] else ''}):\n")
            out.write(format_scores(metrics["validation"]))
    if result.cancelled:
        sys.stderr.write("bertdesk: cancelled; kept the best model evaluated before the cancel\n")
        return EXIT_CANCELLED
    return EXIT_OK

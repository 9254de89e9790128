"""``bertdesk evaluate MODEL_DIR DATA``: how a saved classifier scores on labelled rows."""

from __future__ import annotations

import argparse
import sys

from bertdesk.commands.common import EXIT_OK, TABLE_FILES, StderrProgress, ctrl_c_cancels, labelled_table, open_project, print_json
from bertdesk.core.importing import PROJECT_SUFFIX
from bertdesk.core.ml.devices import DEVICE_CHOICES, PRECISION_CHOICES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    evaluate = sub.add_parser(
        "evaluate",
        help="score a trained model on labelled rows",
        description="Print accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix of a model on labelled rows.",
    )
    evaluate.add_argument(
        "model", metavar="MODEL_DIR", help="a model folder saved by bertdesk train (or any Hugging Face classifier folder)"
    )
    evaluate.add_argument("data", metavar="DATA", help=f"a {TABLE_FILES} file or a {PROJECT_SUFFIX} project")
    evaluate.add_argument("--text-col", metavar="C", help="the column holding the text (default: the suggested one)")
    evaluate.add_argument("--label-col", metavar="L", help="the column holding the true labels (default: the suggested one)")
    evaluate.add_argument("--sheet", metavar="NAME", help="sheet to read (Excel files)")
    evaluate.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    evaluate.add_argument("--precision", choices=PRECISION_CHOICES, default="auto")
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    evaluate.set_defaults(handler=_cmd_evaluate)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from bertdesk.core.ml.evaluation import evaluate
    from bertdesk.core.ml.models import read_model_info, resolve_model_source
    from bertdesk.core.ml.training_metrics import format_scores
    from bertdesk.core.progress import CancelToken

    # The model folder first: a wrong one (or a bad config.json) is reported before the data is read.
    read_model_info(resolve_model_source(args.model).path)
    if str(args.data).lower().endswith(PROJECT_SUFFIX):
        from bertdesk.core.ml.training_data import data_from_project

        project = open_project(args.data)
        try:
            data = data_from_project(project)
        finally:
            project.close()
    else:
        data = labelled_table(args)
    progress = StderrProgress(quiet=args.quiet)
    with ctrl_c_cancels(CancelToken()) as token:
        try:
            scores = evaluate(args.model, data, device=args.device, precision=args.precision, on_progress=progress, cancel=token)
        finally:
            progress.close()
    if args.json:
        print_json(scores)
        return EXIT_OK
    out = sys.stdout
    out.write(f"Model: {scores['model']}\n")
    for label, n in scores["unknown_labels"].items():
        out.write(f"Warning: {n} row{'s' if n != 1 else ''} labelled {label!r}, a label the model does not know, left out.\n")
    out.write(format_scores(scores))
    return EXIT_OK

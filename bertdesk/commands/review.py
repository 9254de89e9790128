"""``bertdesk review DATA_OR_PROJECT``: the labels that are probably wrong, most suspicious first."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bertdesk.commands.common import (
    EXIT_OK,
    StderrProgress,
    add_data_arguments,
    ctrl_c_cancels,
    labelled_table,
    open_project_with_text_column,
    print_json,
)
from bertdesk.core.importing import PROJECT_SUFFIX

TEXT_SHOWN = 60  # characters of each suspect's text in the table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    review = sub.add_parser(
        "review",
        help="find the labels that are probably wrong",
        description="Check every label against the others (k-fold out-of-sample probabilities and confident learning) "
        "and list the rows whose label is probably wrong, most suspicious first, with the label the model suggests. "
        "A project keeps the review (the app's Label panel shows it) and the embeddings; "
        "nothing is written beside a spreadsheet. Progress goes to stderr.",
    )
    add_data_arguments(review)
    review.add_argument(
        "--mode",
        choices=("fast", "thorough"),
        default="fast",
        help="fast: sentence embeddings + logistic regression (seconds once embedded); "
        "thorough: one short fine-tune per fold (far slower, sometimes better) (default fast)",
    )
    review.add_argument("--top", metavar="K", type=int, help="list the K most suspicious rows only (default: all)")
    review.add_argument(
        "--model", metavar="SRC", help="the model (folder or hub id; default: the project's chosen model, else the bundled one)"
    )
    review.add_argument("--folds", metavar="N", type=int, default=5, help="cross-validation folds (default 5; fewer for small labels)")
    review.add_argument("--seed", metavar="S", type=int, default=0, help="fixes the folds (default 0)")
    review.add_argument("--quiet", action="store_true", help="no progress bar")
    review.add_argument("--json", action="store_true", help="print one JSON object")
    review.set_defaults(handler=_cmd_review)


def _cmd_review(args: argparse.Namespace) -> int:
    from bertdesk.core.errors import BertdeskError

    if args.top is not None and args.top < 0:
        raise BertdeskError(f"--top must be 0 or more, not {args.top}.")
    model = _model(args)
    progress = StderrProgress(quiet=args.quiet)
    if str(args.data).lower().endswith(PROJECT_SUFFIX):
        review, suspects, texts = _review_project(args, model, progress)
    else:
        review, suspects, texts = _review_table(args, model, progress)
    shown = suspects if args.top is None else suspects[: args.top]
    if args.json:
        print_json(
            {
                "mode": review.mode,
                "labelled_rows": review.labelled_rows,
                "estimated_noise": review.estimated_noise,
                "noise_by_label": review.noise_by_label,
                "suspects_total": len(suspects),
                "suspects": [{"row": s.row_id + 1, "label": s.label, "suggested": s.suggested, "score": s.score} for s in shown],
            }
        )
    else:
        _print_report(review, suspects, shown, texts)
    return EXIT_OK


def _model(args: argparse.Namespace) -> Path | None:
    """The --model folder, checked before any data is read (None: the default)."""
    from bertdesk.core.ml.models import resolve_model_source

    return None if args.model is None else resolve_model_source(args.model).path


def _review_project(args: argparse.Namespace, model: Path | None, progress: StderrProgress) -> tuple[Any, list[Any], dict[int, str]]:
    """The same use case as the Label panel's: the review and the embeddings are stored in the project."""
    from bertdesk.core.progress import CancelToken
    from bertdesk.core.review.label_review import review_labels, suspects_to_show

    project = open_project_with_text_column(args)
    try:
        with ctrl_c_cancels(CancelToken()) as token:
            try:
                review = review_labels(
                    project, mode=args.mode, model_dir=model, folds=args.folds, seed=args.seed, on_progress=progress, cancel=token
                )
            finally:
                progress.close()
        suspects = suspects_to_show(project, review)
        ids = [s.row_id for s in (suspects if args.top is None else suspects[: args.top])]
        texts = dict(zip(ids, project.texts(ids)))
    finally:
        project.close()
    return review, suspects, texts


def _review_table(args: argparse.Namespace, model: Path | None, progress: StderrProgress) -> tuple[Any, list[Any], dict[int, str]]:
    """A spreadsheet's labelled rows, reviewed in memory: nothing is written."""
    from bertdesk.core.ml.models import resolve_model_source
    from bertdesk.core.progress import CancelToken
    from bertdesk.core.review.label_review import review_data

    data = labelled_table(args)
    with ctrl_c_cancels(CancelToken()) as token:
        try:
            review = review_data(
                data,
                mode=args.mode,
                model_dir=model or resolve_model_source(None).path,
                folds=args.folds,
                seed=args.seed,
                on_progress=progress,
                cancel=token,
            )
        finally:
            progress.close()
    return review, list(review.suspects), dict(zip(data.row_ids, data.texts))


def _print_report(review: Any, suspects: list[Any], shown: list[Any], texts: dict[int, str]) -> None:
    out = sys.stdout
    out.write(
        f"Checked {review.labelled_rows:,} labels ({review.mode} mode): about {review.estimated_noise:.0%} look wrong; "
        f"{len(suspects):,} suspicious.\n"
    )
    if review.noise_by_label:
        out.write("Estimated share of wrong labels, by label:\n")
        width = max(len(name) for name in review.noise_by_label)
        for name, rate in review.noise_by_label.items():
            out.write(f"  {name:<{width}}  {rate:6.1%}\n")
    if not shown:
        out.write("No label looks wrong.\n" if not suspects else "")
        return
    more = f" (the first {len(shown):,} of {len(suspects):,})" if len(shown) < len(suspects) else ""
    out.write(f"Suspicious labels, most suspicious first{more}:\n")
    rows = [(f"{s.row_id + 1:,}", s.label, s.suggested, f"{s.score:.3f}", _snippet(texts.get(s.row_id, ""))) for s in shown]
    header = ("row", "label", "suggested", "score", "text")
    widths = [max(len(header[c]), *(len(r[c]) for r in rows)) for c in range(4)]
    out.write(f"  {header[0]:>{widths[0]}}  {header[1]:<{widths[1]}}  {header[2]:<{widths[2]}}  {header[3]:>{widths[3]}}  {header[4]}\n")
    for row in rows:
        out.write(f"  {row[0]:>{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]:>{widths[3]}}  {row[4]}\n")


def _snippet(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= TEXT_SHOWN else flat[: TEXT_SHOWN - 1] + "…"

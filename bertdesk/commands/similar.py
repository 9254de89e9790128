"""``bertdesk similar DATA_OR_PROJECT "TEXT"``: the rows most like a text, by meaning."""

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
    header_row_index,
    open_project_with_text_column,
    print_json,
)
from bertdesk.core.importing import PROJECT_SUFFIX

TEXT_SHOWN = 70


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    similar = sub.add_parser(
        "similar",
        help="list the rows most like a text",
        description="List the rows whose text is most like TEXT by meaning (cosine similarity of sentence embeddings), "
        "most similar first. A project keeps the embeddings, so later look-ups are instant; "
        "nothing is written beside a spreadsheet. Progress goes to stderr.",
    )
    add_data_arguments(similar)
    similar.add_argument("text", metavar="TEXT", help="the text to find similar rows for")
    similar.add_argument("--top", metavar="K", type=int, default=20, help="how many rows (default 20)")
    similar.add_argument(
        "--model", metavar="SRC", help="the model (folder or hub id; default: the project's chosen model, else the bundled one)"
    )
    similar.add_argument("--quiet", action="store_true", help="no progress bar")
    similar.add_argument("--json", action="store_true", help="print one JSON object")
    similar.set_defaults(handler=_cmd_similar)


def _cmd_similar(args: argparse.Namespace) -> int:
    from bertdesk.core.errors import BertdeskError
    from bertdesk.core.ml.models import resolve_model_source
    from bertdesk.core.progress import CancelToken

    if args.top < 0:
        raise BertdeskError(f"--top must be 0 or more, not {args.top}.")
    if not args.text.strip():
        raise BertdeskError("TEXT is empty: give the text to find similar rows for.")
    model = None if args.model is None else resolve_model_source(args.model).path
    progress = StderrProgress(quiet=args.quiet)
    with ctrl_c_cancels(CancelToken()) as token:
        try:
            if str(args.data).lower().endswith(PROJECT_SUFFIX):
                rows = _similar_in_project(args, model, progress, token)
            else:
                rows = _similar_in_table(args, model or resolve_model_source(None).path, progress, token)
        finally:
            progress.close()
    if args.json:
        print_json(
            {
                "text": args.text,
                "similar": [{"row": r.row_id + 1, "similarity": r.similarity, "label": r.label, "text": r.text} for r in rows],
            }
        )
        return EXIT_OK
    out = sys.stdout
    if not rows:
        out.write("No rows to compare with.\n")
        return EXIT_OK
    out.write(f"The {len(rows):,} rows most like {_snippet(args.text)!r}, most similar first:\n")
    widths = (max(3, *(len(f"{r.row_id + 1:,}") for r in rows)), max(5, *(len(r.label or "") for r in rows)))
    out.write(f"  {'row':>{widths[0]}}  similarity  {'label':<{widths[1]}}  text\n")
    for r in rows:
        out.write(f"  {r.row_id + 1:>{widths[0]},}  {r.similarity:10.3f}  {r.label or '':<{widths[1]}}  {_snippet(r.text)}\n")
    return EXIT_OK


def _similar_in_project(args: argparse.Namespace, model: Path | None, progress: StderrProgress, token: Any) -> list[Any]:
    from bertdesk.core.review.label_review import similar_rows

    project = open_project_with_text_column(args)
    try:
        return similar_rows(project, text=args.text, top=args.top, model_dir=model, on_progress=progress, cancel=token)
    finally:
        project.close()


def _similar_in_table(args: argparse.Namespace, model: Path, progress: StderrProgress, token: Any) -> list[Any]:
    """The spreadsheet's rows, embedded in memory: nothing is written."""
    from bertdesk.core.errors import BertdeskError
    from bertdesk.core.project.label_set import normalise_label
    from bertdesk.core.review.label_review import similar_texts
    from bertdesk.core.tables.reading import read_table

    table = read_table(args.data, sheet=args.sheet, header_row=header_row_index(args))
    name = Path(args.data).name
    frame = table.frame
    text_col = args.text_col or table.info.text_column
    label_col = args.label_col or table.info.label_column
    for column, option in ((text_col, "--text-col"), (label_col, "--label-col")):
        if column is not None and column not in frame.columns:
            raise BertdeskError(f"{name} has no column {column!r} ({option}); columns are: {', '.join(map(str, frame.columns))}.")
    if not text_col:
        raise BertdeskError(f"Cannot tell which column of {name} holds the text: pass --text-col.")
    texts = ["" if t is None or t != t else str(t) for t in frame[text_col].tolist()]  # t != t: NaN
    labels: list[str | None] = [None] * len(texts)
    if label_col:
        labels = [None if v is None or v != v else (normalise_label(str(v)) or None) for v in frame[label_col].tolist()]
    return similar_texts(texts, labels, args.text, top=args.top, model_dir=model, on_progress=progress, cancel=token)


def _snippet(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= TEXT_SHOWN else flat[: TEXT_SHOWN - 1] + "…"

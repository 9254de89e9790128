"""``bertdesk import FILE --out PROJECT.bertdesk``: the import dialog, from a script.

The same steps as the dialog: read the first rows to detect the layout and suggest the
columns (:func:`~bertdesk.core.importing.preview_import`), then
:func:`~bertdesk.core.importing.import_spreadsheet`.
"""

from __future__ import annotations

import argparse
import codecs
import sys
from pathlib import Path
from typing import Any

from bertdesk.commands.common import (
    EXIT_OK,
    TABLE_FILES,
    StderrProgress,
    add_header_row_option,
    ctrl_c_cancels,
    header_row_index,
    print_json,
)
from bertdesk.commands.inspect import terminal_safe
from bertdesk.core.errors import BertdeskError
from bertdesk.core.importing import PROJECT_SUFFIX
from bertdesk.core.tables.encoding import DELIMITER_CHOICES, ENCODING_CHOICES

# A delimiter by its character or its name ("tab" is easier to type than a tab).
_DELIMITERS = {**{d: d for d in DELIMITER_CHOICES}, **{n.lower(): d for d, n in DELIMITER_CHOICES.items()}, "\\t": "\t"}
_SHOWN_COLUMNS = 20


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser(
        "import",
        help="create a project from a spreadsheet",
        description="Create a bertdesk project from a spreadsheet, as the app's import dialog does: the encoding, "
        "delimiter, header row and columns are detected unless given. Labels in the label column are imported "
        "(trimmed; labels differing only in case or spaces are kept apart, with a warning). Progress and warnings "
        "go to stderr, a summary (or with --json one JSON object) to stdout. Ctrl+C cancels and leaves no project file.",
    )
    command.add_argument("file", metavar="FILE", help=f"a {TABLE_FILES} file")
    command.add_argument(
        "--out",
        metavar="PROJECT",
        required=True,
        help=f"the project file to create (required; {PROJECT_SUFFIX} is added if missing). It must not exist: nothing is ever overwritten",
    )
    command.add_argument("--text-col", metavar="C", help="the column holding the text (default: the suggested one)")
    command.add_argument("--label-col", metavar="L", help="the column holding existing labels (default: the suggested one; '' for none)")
    command.add_argument("--sheet", metavar="S", help="sheet to read (Excel files; default: the first with data)")
    add_header_row_option(command)
    command.add_argument(
        "--encoding", metavar="E", type=_encoding, help=f"text encoding (default: detected); one of {', '.join(ENCODING_CHOICES)}"
    )
    command.add_argument(
        "--delimiter",
        metavar="D",
        type=_delimiter,
        help="column delimiter (default: detected): comma, semicolon, tab or pipe (or the character)",
    )
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    command.add_argument("--json", action="store_true", help="print one JSON object describing the project")
    command.set_defaults(handler=_cmd_import)


def _encoding(value: str) -> str:
    # Accept any spelling Python knows (UTF8, windows-1252) of an encoding the dialog offers.
    by_codec = {codecs.lookup(name).name: name for name in ENCODING_CHOICES}
    try:
        found = by_codec.get(codecs.lookup(value).name)
    except LookupError:
        found = None
    if found is None:
        raise argparse.ArgumentTypeError(f"unknown encoding {value!r}; use one of {', '.join(ENCODING_CHOICES)}")
    return value.lower() if value.lower() in ENCODING_CHOICES else found


def _delimiter(value: str) -> str:
    found = _DELIMITERS.get(value) or _DELIMITERS.get(value.lower())
    if found is None:
        raise argparse.ArgumentTypeError(f"unknown delimiter {value!r}; use comma, semicolon, tab or pipe")
    return found


def project_path(out: str) -> Path:
    """``--out`` as the project file to create: ``.bertdesk`` added when missing; an existing
    path (file, folder or link) is refused, because bertdesk never overwrites what it did not write."""
    path = Path(out)
    if path.is_dir():
        raise BertdeskError(f"--out {out} is a folder: give the project file's name, e.g. {path / ('project' + PROJECT_SUFFIX)}.")
    if path.suffix.lower() != PROJECT_SUFFIX:
        path = path.with_name(path.name + PROJECT_SUFFIX)
    if path.exists() or path.is_symlink():
        raise BertdeskError(f"{path.name} already exists: choose another --out (bertdesk import never replaces a file).")
    return path


def _columns_listed(columns: Any) -> str:
    names = [repr(str(c)) for c in columns]
    more = f", … ({len(names) - _SHOWN_COLUMNS} more)" if len(names) > _SHOWN_COLUMNS else ""
    return ", ".join(names[:_SHOWN_COLUMNS]) + more


def chosen_columns(args: argparse.Namespace, info: Any) -> tuple[str, str | None]:
    """The text and label columns: as given, else the suggested ones (as ``inspect`` shows them)."""
    name = Path(info.path).name
    for option, column in (("--text-col", args.text_col), ("--label-col", args.label_col)):
        if column and column not in info.columns:
            raise BertdeskError(f"{name}: there is no column named {column!r} ({option}); the columns are {_columns_listed(info.columns)}.")
    text = args.text_col or info.text_column
    if not text:
        raise BertdeskError(f"{name}: cannot tell which column holds the text; pass --text-col, one of {_columns_listed(info.columns)}.")
    label = (args.label_col or None) if args.label_col is not None else info.label_column
    if label == text:
        raise BertdeskError(
            f"The text column and the label column must be different (both are {text!r}); "
            "pass another --label-col, or --label-col '' for none."
        )
    return text, label


def _cmd_import(args: argparse.Namespace) -> int:
    from bertdesk.core.importing import ImportOptions, check_destination, import_spreadsheet, preview_import
    from bertdesk.core.progress import CancelToken, Progress

    target = project_path(args.out)
    header_row = header_row_index(args)
    # Before any reading (a workbook's preview parses the whole sheet): where the project goes.
    check_destination(Path(args.file), target)
    progress = StderrProgress(quiet=args.quiet)
    with ctrl_c_cancels(CancelToken()) as token:
        preview = preview_import(
            args.file, encoding=args.encoding, delimiter=args.delimiter, sheet=args.sheet, header_row=header_row, cancel=token
        )
        text, label = chosen_columns(args, preview.info)
        # Only the user's choices: the full read detects the rest again (from the same head of
        # the file, so the same columns), and so keeps its notes (header row found, encoding
        # guessed) and can still switch to a legacy encoding met past the preview's rows.
        options = ImportOptions(
            source=Path(args.file),
            project_path=target,
            text_column=text,
            label_column=label,
            encoding=args.encoding,
            delimiter=args.delimiter,
            sheet=args.sheet,
            header_row=header_row,
        )
        try:
            # A first line at once (the reader's first report comes after its first block).
            progress(Progress(0, 1000, f"Importing {Path(args.file).name}"))
            project = import_spreadsheet(options, on_progress=progress, cancel=token)
        finally:
            progress.close()
        # Still under the Ctrl+C handler: the project is complete now, and a late Ctrl+C must
        # not end the command with "cancelled" while leaving it on disk.
        try:
            result = _describe(project, args.file)
        finally:
            project.close()
    if token.is_set():
        sys.stderr.write("bertdesk: the import had already finished; the project is kept\n")
    warnings = result["warnings"]
    for warning in warnings:
        sys.stderr.write(f"Warning: {terminal_safe(warning)}\n")
    if args.json:
        print_json(result)
    else:
        _print_summary(result)
    return EXIT_OK


def _describe(project: Any, source_file: str) -> dict[str, Any]:
    """What ``--json`` prints about a just-imported project."""
    from bertdesk.core.importing import label_clash_warnings

    source = project.source
    labels = project.label_counts()
    return {
        "project": str(project.path.resolve()),
        "source": str(Path(source_file).resolve()),
        "format": source.get("format"),
        "encoding": source.get("encoding"),
        "delimiter": source.get("delimiter"),
        "sheet": source.get("sheet"),
        "header_row": int(source.get("header_row") or 0) + 1,
        "rows": project.row_count,
        "columns": list(project.columns),
        "text_column": project.text_column,
        "label_column": project.label_column,
        "labels": labels,
        "warnings": [*source.get("warnings", []), *label_clash_warnings(labels)],
    }


def _print_summary(result: dict[str, Any]) -> None:
    out = sys.stdout
    read = [result["format"].upper()]
    if result["encoding"]:
        read.append(f"{result['encoding']}, {DELIMITER_CHOICES.get(result['delimiter'], repr(result['delimiter'])).lower()}")
    if result["sheet"]:
        read.append(f"sheet {result['sheet']!r}")
    read.append(f"column names in row {result['header_row']}")
    labels = result["labels"]
    out.write(terminal_safe(f"Project saved to {result['project']}\n"))
    out.write(terminal_safe(f"Read:    {'; '.join(read)}\n"))
    out.write(terminal_safe(f"Rows:    {result['rows']:,}; columns: {', '.join(result['columns'])}\n"))
    out.write(terminal_safe(f"Text column: {result['text_column']}; label column: {result['label_column'] or '-'}\n"))
    if labels:
        listed = ", ".join(f"{name}: {n:,}" for name, n in labels.items())
        out.write(terminal_safe(f"Labels imported: {sum(labels.values()):,} rows ({listed})\n"))

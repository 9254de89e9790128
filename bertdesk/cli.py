"""The ``bertdesk`` command line: every job the GUI does, scriptable and display-free.

This module never imports Qt (an import-linter contract checks it). Exit codes:
0 success, 2 bad input (one-line message on stderr), 130 cancelled (Ctrl+C), 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Callable, Sequence

from bertdesk import __version__
from bertdesk.core.errors import BertdeskError, Cancelled

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130

log = logging.getLogger("bertdesk.cli")


def _cmd_inspect(args: argparse.Namespace) -> int:
    from bertdesk.core.data import read_table

    table = read_table(args.file, sheet=args.sheet, max_rows=None)
    info = table.info
    preview_rows = table.frame.head(max(args.preview, 0))
    preview = [dict(zip(map(str, preview_rows.columns), map(str, row))) for row in preview_rows.itertuples(index=False, name=None)]
    result = {
        "file": str(info.path),
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "sheet": info.sheet,
        "rows": info.rows,
        "columns": list(info.columns),
        "text_column": info.text_column,
        "label_column": info.label_column,
        "warnings": list(info.warnings),
        "preview": preview,
    }
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    out = sys.stdout
    delimiter_name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(info.delimiter or "", info.delimiter)
    out.write(f"File:      {info.path}\n")
    out.write(f"Format:    {info.format}" + (f" (sheet {info.sheet!r} of {len(info.sheets)})" if info.sheet else "") + "\n")
    if info.encoding:
        out.write(f"Encoding:  {info.encoding}, delimiter: {delimiter_name}\n")
    out.write(f"Rows:      {info.rows:,}\n")
    out.write(f"Columns:   {', '.join(info.columns)}\n")
    out.write(f"Text column (suggested):  {info.text_column or '-'}\n")
    out.write(f"Label column (suggested): {info.label_column or '-'}\n")
    for warning in info.warnings:
        out.write(f"Warning:   {warning}\n")
    if preview:
        out.write("\n")
        out.write(_format_preview(list(map(str, preview_rows.columns)), [list(r.values()) for r in preview]))
    return EXIT_OK


def _format_preview(columns: list[str], rows: list[list[str]], width: int = 40) -> str:
    """A plain-text table; long cells are cut and newlines shown as a symbol so rows stay rows."""

    def cell(text: str) -> str:
        text = text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    table = [[cell(c) for c in columns]] + [[cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bertdesk",
        description="Classify the text in your spreadsheets with BERT. Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"bertdesk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    inspect = sub.add_parser("inspect", help="show what bertdesk detects in a spreadsheet")
    inspect.add_argument("file", metavar="FILE", help="a .csv, .tsv, .txt, .xlsx or .parquet file")
    inspect.add_argument("--sheet", metavar="NAME", help="sheet to read (Excel files; default: the first)")
    inspect.add_argument("--preview", metavar="N", type=int, default=5, help="rows to preview (default 5)")
    inspect.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    inspect.set_defaults(handler=_cmd_inspect)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return handler(args)
    except Cancelled:
        print("bertdesk: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("bertdesk: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except BertdeskError as err:
        print(f"bertdesk: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line, log the rest
        log.debug("internal error", exc_info=True)
        print(f"bertdesk: internal error: {type(err).__name__}: {err} (run with -v for details)", file=sys.stderr)
        if args.verbose:
            import traceback

            traceback.print_exc()
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

"""``bertdesk inspect FILE``: what bertdesk detects in a spreadsheet."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TextIO

from bertdesk.commands.common import EXIT_OK, TABLE_FILES, add_header_row_option, header_row_index


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inspect = sub.add_parser("inspect", help="show what bertdesk detects in a spreadsheet")
    inspect.add_argument("file", metavar="FILE", help=f"a {TABLE_FILES} file")
    inspect.add_argument("--sheet", metavar="NAME", help="sheet to read (Excel files; default: the first)")
    add_header_row_option(inspect)
    inspect.add_argument("--preview", metavar="N", type=int, default=5, help="rows to preview (default 5)")
    inspect.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    inspect.set_defaults(handler=_cmd_inspect)


def _cmd_inspect(args: argparse.Namespace) -> int:
    from bertdesk.core.tables.reading import read_table

    table = read_table(args.file, sheet=args.sheet, header_row=header_row_index(args), max_rows=None)
    info = table.info
    preview_rows = table.frame.head(max(args.preview, 0))
    preview = [dict(zip(map(str, preview_rows.columns), map(str, row))) for row in preview_rows.itertuples(index=False, name=None)]
    result = {
        "file": str(info.path),
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "sheet": info.sheet,
        "header_row": info.header_row + 1,
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
    out = _TerminalSafe(sys.stdout)
    delimiter_name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(info.delimiter or "", info.delimiter)
    out.write(f"File:      {info.path}\n")
    out.write(f"Format:    {info.format}" + (f" (sheet {info.sheet!r} of {len(info.sheets)})" if info.sheet else "") + "\n")
    if info.encoding:
        out.write(f"Encoding:  {info.encoding}, delimiter: {delimiter_name}\n")
    if info.header_row:
        out.write(f"Header:    row {info.header_row + 1} (the rows above it are skipped)\n")
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
        text = terminal_safe(text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", " "))
        return text if len(text) <= width else text[: width - 1] + "…"

    table = [[cell(c) for c in columns]] + [[cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


# Characters that can drive a terminal or reorder what it shows: C0/C1 controls (ESC starts
# colour and cursor codes), DEL, and the invisible bidi and zero-width format characters.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def terminal_safe(text: str) -> str:
    """``text`` with every unsafe character written as a visible escape (ESC -> ``\\x1b``,
    RIGHT-TO-LEFT OVERRIDE -> ``\\u202e``); the data itself is not changed (``--json`` has it)."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


class _TerminalSafe:
    """A text stream that escapes what :func:`terminal_safe` escapes; line breaks pass."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_safe(text))

"""What every subcommand shares: exit codes, a progress bar on stderr, Ctrl+C as cancel."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from bertdesk.core.progress import CancelToken, Progress

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130


# What the table arguments accept (the readers decide by content; these are the usual names).
TABLE_FILES = ".csv, .tsv, .txt, .xlsx, .xls, .ods or .parquet"


class StderrProgress:
    """A one-line progress bar redrawn in place on a terminal, or a line every few seconds in a log."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if self.is_tty else 5.0
        self._last = 0.0
        self._line = ""
        self._width = 0

    def __call__(self, progress: Progress) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        finished = progress.total > 0 and progress.done >= progress.total
        if now - self._last < self.interval and not finished:
            return
        line = self.format(progress)
        if line == self._line:
            return  # a job may report its end twice; one line is enough
        self._last = now
        self._line = line
        if self.is_tty:
            columns = shutil.get_terminal_size((100, 20)).columns - 1
            line = line[:columns]
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    @staticmethod
    def format(progress: Progress, bar_width: int = 24) -> str:
        fraction = progress.fraction
        if fraction is None:
            return progress.message or f"{progress.done:,}"
        else:
            filled = int(round(fraction * bar_width))
            bar = "[" + "#" * filled + "-" * (bar_width - filled) + f"] {fraction * 100:5.1f}%"
        return f"{bar} {progress.message}".rstrip()

    def close(self) -> None:
        if self.is_tty and self._width and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


@contextmanager
def ctrl_c_cancels(token: CancelToken, *, quiet: bool = False) -> Iterator[CancelToken]:
    """The first Ctrl+C asks the job to stop cleanly; a second one interrupts at once.
    ``quiet``: say nothing (the other ranks of a distributed run; a program driving bertdesk)."""

    def handler(signum: int, frame: Any) -> None:
        if token.is_set():
            raise KeyboardInterrupt
        token.cancel()
        if not quiet:
            sys.stderr.write("\nbertdesk: cancelling (press Ctrl+C again to stop at once)...\n")

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (e.g. called from a test thread): nothing to install
        yield token
        return
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)


def print_json(value: Any, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    json.dump(value, out, ensure_ascii=False, default=str)
    out.write("\n")


def add_header_row_option(parser: argparse.ArgumentParser) -> None:
    """``--header-row N``: the row holding the column names, 1-based as the import dialog shows it."""
    parser.add_argument(
        "--header-row",
        metavar="N",
        type=int,
        help="the row holding the column names, counting non-blank rows from 1 "
        "(default: detected; rows above it, such as a title, are skipped)",
    )


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``DATA_OR_PROJECT`` and the options that choose its columns (``train``, ``review``, ``similar``)."""
    from bertdesk.core.importing import PROJECT_SUFFIX

    parser.add_argument("data", metavar="DATA_OR_PROJECT", help=f"a {TABLE_FILES} file or a {PROJECT_SUFFIX} project")
    parser.add_argument(
        "--text-col",
        metavar="C",
        help="the column holding the text (default: the suggested one; for a project, this also becomes its text column)",
    )
    parser.add_argument("--label-col", metavar="L", help="the column holding the labels (spreadsheets; default: the suggested one)")
    parser.add_argument("--sheet", metavar="NAME", help="sheet to read (Excel files)")
    add_header_row_option(parser)


def open_project_with_text_column(args: argparse.Namespace) -> Any:
    """:func:`open_project` of ``args.data``, its text column set to ``--text-col`` when given."""
    project = open_project(args.data)
    try:
        if args.text_col and args.text_col != project.text_column:
            project.set_text_column(args.text_col)
    except BaseException:
        project.close()
        raise
    return project


def header_row_index(args: argparse.Namespace) -> int | None:
    """``--header-row`` as read_table's 0-based ``header_row`` (None: detect it)."""
    from bertdesk.core.errors import BertdeskError

    n = getattr(args, "header_row", None)
    if n is None:
        return None
    if n < 1:
        raise BertdeskError(f"--header-row must be 1 or more (the first row is 1), not {n}.")
    return n - 1


def open_project(path: str) -> Any:
    """Open the project at ``path`` and clean up after runs a killed process left (saying so on stderr)."""
    from bertdesk.core.ml.training_runs import clean_leftovers
    from bertdesk.core.project import Project

    project = Project.open(path)
    try:
        note = clean_leftovers(project).describe()
    except BaseException:
        project.close()
        raise
    if note:
        sys.stderr.write(f"bertdesk: {Path(path).name}: {note}\n")
    return project


def labelled_table(args: argparse.Namespace) -> Any:
    """The labelled rows of the spreadsheet ``args.data`` (columns from --text-col/--label-col,
    else the suggested ones) as :class:`~bertdesk.core.ml.training_data.TrainingData`."""
    from bertdesk.core.errors import TrainingError
    from bertdesk.core.ml.training_data import data_from_frame
    from bertdesk.core.tables.reading import read_table

    table = read_table(args.data, sheet=getattr(args, "sheet", None), header_row=header_row_index(args))
    name = Path(args.data).name
    text_col = args.text_col or table.info.text_column
    label_col = args.label_col or table.info.label_column
    if not text_col:
        raise TrainingError(f"Cannot tell which column of {name} holds the text: pass --text-col.")
    if not label_col:
        raise TrainingError(f"Cannot tell which column of {name} holds the labels: pass --label-col.")
    return data_from_frame(table.frame, text_col, label_col, where=name)

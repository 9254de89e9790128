"""Import a spreadsheet into a new project: read it, then snapshot it into a project file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bertdesk.core.errors import BertdeskError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback, no_progress

if TYPE_CHECKING:
    from bertdesk.core.project import Project
    from bertdesk.core.tables.reading import LoadedTable

PROJECT_SUFFIX = ".bertdesk"

#: Rows read to detect a file's layout and suggest its columns before the full import (the
#: import dialog's preview, and ``bertdesk import``), so both front ends detect alike.
PREVIEW_ROWS = 200


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose in the import dialog (``None`` = use what was detected)."""

    source: Path
    project_path: Path
    text_column: str
    label_column: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # 0-based among the non-blank rows; None: detected


def preview_import(
    source: str | Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    cancel: CancelToken | None = None,
) -> LoadedTable:
    """The first :data:`PREVIEW_ROWS` rows of ``source``: what an import detects and suggests.

    ``None`` options are detected from the head of the file, as the full read in
    :func:`import_spreadsheet` detects them, so the preview's columns are the project's.

    Raises:
        TableReadError: the file cannot be read (one line naming it).
    """
    from bertdesk.core.tables.reading import read_table

    return read_table(
        source, encoding=encoding, delimiter=delimiter, sheet=sheet, header_row=header_row, max_rows=PREVIEW_ROWS, cancel=cancel
    )


def label_clash_warnings(counts: Mapping[str, int]) -> list[str]:
    """One line per group of labels that differ only in case or spaces (imported, kept apart).

    Args:
        counts: rows per label, in label-set order (``Project.label_counts()``).
    """
    from bertdesk.core.project.label_hygiene import check_labels

    return [
        f"{issue.message} They were kept apart; merge them in the label-set editor if they are one label."
        for issue in check_labels(counts)
        if issue.kind == "near_duplicate"
    ]


def default_project_path(source: str | Path, fallback_dir: str | Path | None = None) -> Path:
    """``reviews.csv`` -> ``reviews.bertdesk`` beside it, or ``reviews (2).bertdesk`` if taken.

    Falls back to ``fallback_dir`` when the source's folder is not writable (a read-only share).
    """
    source = Path(source)
    folder = source.parent
    if fallback_dir is not None and not _writable(folder):
        folder = Path(fallback_dir)
    candidate = folder / f"{source.stem}{PROJECT_SUFFIX}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{source.stem} ({n}){PROJECT_SUFFIX}"
        n += 1
    return candidate


def _writable(folder: Path) -> bool:
    import os

    return folder.is_dir() and os.access(folder, os.W_OK)


# How much bigger a project file is than its source: text files are stored about as they are
# (plus SQLite's pages and the row index); workbooks and Parquet are compressed several times.
_GROWTH = {".xlsx": 6, ".xlsm": 6, ".parquet": 6}
_TEXT_GROWTH = 2


def expected_project_bytes(source: Path) -> int:
    """A generous estimate of the size of a project made from ``source``."""
    try:
        size = Path(source).stat().st_size
    except OSError:
        return 0
    return size * _GROWTH.get(Path(source).suffix.lower(), _TEXT_GROWTH)


def check_destination(source: Path, project_path: Path) -> None:
    """Refuse, before the (possibly long) read, a project path that is taken, under a file or a
    missing folder, not writable, or on a disk without room for a project made from ``source``.

    Raises:
        ProjectError: the reason, in one line.
    """
    from bertdesk.core.destinations import check_file_destination
    from bertdesk.core.errors import ProjectError
    from bertdesk.core.project.build import check_target

    check_target(Path(project_path), overwrite=False)
    check_file_destination(project_path, expected_project_bytes(source), error=ProjectError)


def import_spreadsheet(
    options: ImportOptions, *, on_progress: ProgressCallback = no_progress, cancel: CancelToken | None = None
) -> Project:
    """Read ``options.source`` in full and create the project file at ``options.project_path``.

    Progress runs 0-1000: the first half reading, the second half writing the snapshot.
    Cancelling leaves no project file behind.
    """
    from bertdesk.core.project import Project
    from bertdesk.core.tables.reading import read_table

    check_destination(options.source, options.project_path)

    def reading(p: Progress) -> None:
        on_progress(Progress(int(500 * (p.fraction or 0)), 1000, p.message or f"Reading {options.source.name}"))

    def writing(p: Progress) -> None:
        on_progress(Progress(500 + int(500 * (p.fraction or 0)), 1000, p.message or "Saving the project"))

    table = read_table(
        options.source,
        encoding=options.encoding,
        delimiter=options.delimiter,
        sheet=options.sheet,
        header_row=options.header_row,
        on_progress=reading,
        cancel=cancel,
    )
    for name in (options.text_column, options.label_column):
        if name is not None and name not in table.frame.columns:
            raise BertdeskError(f"{options.source.name}: there is no column named {name!r}.")
    if cancel is not None:
        cancel.raise_if_cancelled()
    info = table.info
    source = {
        "path": str(info.path),
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "sheet": info.sheet,
        "header_row": info.header_row,
        "warnings": list(info.warnings),
        # Only the typed columns: exports give them their type back (see core.column_types).
        "column_types": {name: kind for name, kind in zip(info.columns, info.column_types) if kind != "text"},
    }
    return Project.create(
        options.project_path,
        table.frame,
        text_column=options.text_column,
        label_column=options.label_column,
        source=source,
        on_progress=writing,
        cancel=cancel,
    )

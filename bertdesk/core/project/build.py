"""Writing whole project files: building one from a DataFrame, copying one, placing it atomically.

Every whole-file write goes to ``<target>.tmp-<random>`` in the target's folder and is renamed
into place only when complete and flushed to disk, so a cancelled, failed or killed job never
leaves a half-written project under the user's chosen name.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bertdesk.core.errors import Cancelled, ProjectError
from bertdesk.core.progress import CancelToken, Progress, ProgressCallback
from bertdesk.core.project.label_set import normalise_label
from bertdesk.core.project.paths import stored_path
from bertdesk.core.project.schema import APP_NAME, SCHEMA_VERSION, create_schema, has_sqlite_header, write_meta
from bertdesk.core.project.snapshot import frame_columns, write_chunks

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

# Rows between progress reports (and so between Cancel checks' visible effect): several a second.
CHUNK_ROWS = 50_000
# SQLite page size of a new project file: 16 KiB measured fastest for building (fewer overflow
# pages per snapshot chunk, and a compact labels table), with single label writes unchanged.
PAGE_SIZE = 16384
_SIDECARS = ("-wal", "-shm", "-journal")


def temp_path_for(target: Path) -> Path:
    """A fresh temporary name beside ``target`` (same folder, so the final rename is atomic)."""
    return target.with_name(f"{target.name}.tmp-{secrets.token_hex(4)}")


def remove_with_sidecars(path: Path) -> None:
    """Delete ``path`` and any SQLite ``-wal``/``-shm``/``-journal`` files beside it."""
    for suffix in ("", *_SIDECARS):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse a target we must not write: existing (unless ``overwrite``), a folder, in use.

    Raises:
        ProjectError: the reason, in one line.
    """
    if not target.parent.is_dir():
        if target.parent.exists():
            raise ProjectError(f"Cannot save {target.name} in {target.parent}: it is a file, not a folder.")
        raise ProjectError(f"Cannot save {target.name}: the folder {target.parent} does not exist.")
    if target.is_dir():
        raise ProjectError(f"Cannot save the project as {target}: that is a folder.")
    if not target.exists():
        return
    if not overwrite:
        raise ProjectError(f"{target.name} already exists; choose another name or allow overwriting.")
    if has_sqlite_header(target) and _is_locked(target):
        raise ProjectError(f"Cannot overwrite {target.name}: it is open in bertdesk or another program.")


def _is_locked(path: Path) -> bool:
    # A project open in another window holds an exclusive lock; taking one ourselves (without
    # waiting) is the only reliable probe. Any other error means "not a live database".
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as err:
        return "locked" in str(err).lower() or "busy" in str(err).lower()
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def place_atomically(temp: Path, target: Path) -> None:
    """fsync ``temp`` and rename it onto ``target``, dropping ``target``'s stale sidecars first.

    A leftover ``target-wal`` from an older project would be replayed into the new file by
    SQLite (the WAL does not know which database it belongs to), so it must go before the
    rename, never after.
    """
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    for suffix in _SIDECARS:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{target}{suffix}")
    os.replace(temp, target)
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open folders, and NTFS
    # journals the rename anyway.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def build_project_file(
    temp: Path,
    frame: pd.DataFrame,
    *,
    columns: list[str],
    text_column: str,
    label_column: str | None,
    source: dict[str, Any],
    on_progress: ProgressCallback,
    cancel: CancelToken | None,
) -> Counter[int]:
    """Write a complete project into ``temp`` (which must not exist yet), ready to be renamed.

    The table goes straight from the frame's Arrow columns into the snapshot's chunks
    (:mod:`bertdesk.core.project.snapshot`), with no Python string per cell.

    Returns:
        The rows per label key imported from ``label_column`` (what ``labels`` now holds).

    Raises:
        Cancelled: ``cancel`` was set; ``temp`` is left for the caller to delete.
    """
    total = len(frame)
    message = "Saving the project"
    on_progress(Progress(0, total, message))
    cells = frame_columns(frame)
    reported = 0

    def on_rows(done: int) -> None:
        nonlocal reported
        if done - reported >= CHUNK_ROWS or done == total:
            reported = done
            on_progress(Progress(done, total, message))

    conn = sqlite3.connect(temp, isolation_level=None)
    try:
        # Nothing needs protecting yet (the file is thrown away on any failure), so skip the
        # journal and every fsync while building; durability is restored before the rename.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("PRAGMA cache_size = -131072")  # 128 MiB of page cache
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        conn.execute("BEGIN")
        create_schema(conn)
        write_chunks(conn, cells, total, on_rows=on_rows, cancel=cancel)
        _check(cancel)
        counts: Counter[int] = Counter()
        if label_column is not None:
            counts = _import_labels(conn, cells[columns.index(label_column)], cancel)
        write_meta(
            conn,
            {
                "app": APP_NAME,
                "schema_version": str(SCHEMA_VERSION),
                "created_at": time.time(),
                "columns": columns,
                "row_count": total,
                "text_column": text_column,
                "label_column": label_column,
                "source": source,
            },
        )
        conn.execute("COMMIT")
        _check(cancel)
        # WAL is a property of the file; set it now so every later open uses it.
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise ProjectError(f"Cannot use write-ahead logging for {temp.name}.")
    finally:
        conn.close()
    on_progress(Progress(total, total, message))
    return counts


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


# Labels per INSERT ... SELECT FROM json_each(?) (see _import_labels): a few MB of JSON each.
_LABEL_SLICE = 250_000


def _import_labels(conn: sqlite3.Connection, column: pa.ChunkedArray, cancel: CancelToken | None) -> Counter[int]:
    """Fill ``label_set`` and ``labels`` from the label column; return the rows per key.

    A label column repeats a handful of values: its distinct values are found in Arrow (in
    order of first appearance = the label-set order) and each is normalised once; every row's
    key is then one numpy look-up. The keys reach SQLite as one JSON array per slice, expanded
    by ``json_each`` inside SQLite: measured ~3x faster than binding a million rows.
    """
    import numpy as np
    import pyarrow.compute as pc

    distinct = pc.unique(column)
    keys: dict[str, int] = {}  # label name -> key
    key_of = np.zeros(len(distinct), dtype=np.int64)  # distinct raw value -> key (0: no label)
    for position, raw in enumerate(distinct.to_pylist()):
        name = normalise_label(raw)
        if name:
            key_of[position] = keys.setdefault(name, len(keys) + 1)
    conn.executemany(
        "INSERT INTO label_set(key, name, position, color) VALUES (?, ?, ?, NULL)", [(key, name, key - 1) for name, key in keys.items()]
    )
    per_row = key_of[pc.index_in(column, value_set=distinct).to_numpy()] if len(column) else np.zeros(0, dtype=np.int64)
    now = time.time()
    for start in range(0, len(per_row), _LABEL_SLICE):
        _check(cancel)
        part = per_row[start : start + _LABEL_SLICE]
        # json_each numbers an array's elements from 0 (its "key"): row id = start + key.
        conn.execute(
            "INSERT INTO labels(row_id, label_key, source, updated_at) "
            "SELECT ? + key, value, 'imported', ? FROM json_each(?) WHERE value > 0",
            (start, now, _json_ints(part)),
        )
    tally = np.bincount(per_row, minlength=len(keys) + 1)
    return Counter({key: int(tally[key]) for key in keys.values() if tally[key]})


def _json_ints(values: np.ndarray) -> str:
    """``values`` (small non-negative ints) as a JSON array, built in C when every one is a digit."""
    import numpy as np

    if len(values) and int(values.max()) < 10:
        text = np.full(2 * len(values) + 1, ord(","), dtype=np.uint8)
        text[0], text[-1] = ord("["), ord("]")
        text[1::2] = values + ord("0")
        return text.tobytes().decode("ascii")
    return "[" + ",".join(map(str, values.tolist())) + "]"


def copy_database(conn: sqlite3.Connection, temp: Path) -> None:
    """Copy the live database behind ``conn`` into the new file ``temp`` (SQLite backup API).

    The backup API copies a consistent snapshot page by page, including committed data
    still sitting in the WAL, which a plain file copy would miss.
    """
    target = sqlite3.connect(temp, isolation_level=None)
    try:
        conn.backup(target)
        if target.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise ProjectError(f"Cannot use write-ahead logging for {temp.name}.")
        result = target.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise ProjectError(f"The copy of the project is damaged ({result}).")
    finally:
        target.close()


def check_columns(frame: pd.DataFrame, text_column: str, label_column: str | None) -> list[str]:
    """The frame's column names as strings, after checking the chosen roles.

    Raises:
        ProjectError: duplicate names, a missing role column, or text == label column.
    """
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        duplicates = sorted({c for c in columns if columns.count(c) > 1})
        raise ProjectError(f"The table has more than one column named {', '.join(map(repr, duplicates))}; rename them first.")
    for role, name in (("text", text_column), ("label", label_column)):
        if name is not None and name not in columns:
            raise ProjectError(f"There is no column named {name!r} to use as the {role} column.")
    if label_column == text_column:
        raise ProjectError(f"The column {text_column!r} cannot be both the text and the label column.")
    return columns


def write_new_project(
    target: Path,
    frame: pd.DataFrame,
    *,
    text_column: str,
    label_column: str | None,
    source: dict[str, Any] | None,
    overwrite: bool,
    on_progress: ProgressCallback,
    cancel: CancelToken | None,
) -> Counter[int]:
    """Build the project in a temporary file and rename it onto ``target`` when complete.

    Returns:
        The rows per label key imported (see :func:`build_project_file`).

    Raises:
        ProjectError: bad columns, ``target`` exists (without ``overwrite``) or a write failed.
        Cancelled: ``cancel`` was set; nothing is left on disk.
    """
    columns = check_columns(frame, text_column, label_column)
    check_target(target, overwrite)
    # Round-trip through JSON now so a non-serialisable value fails before any work is done.
    clean_source = json.loads(json.dumps(source or {}, default=str))
    if isinstance(clean_source.get("path"), str):
        # Relative to the project when beside it, so the pair can move together (see project_paths).
        clean_source["path"] = stored_path(target, clean_source["path"])
    with _built_in_temp(target, "write the project") as temp:
        counts = build_project_file(
            temp,
            frame,
            columns=columns,
            text_column=text_column,
            label_column=label_column,
            source=clean_source,
            on_progress=on_progress,
            cancel=cancel,
        )
        _check(cancel)
    return counts


def save_copy(conn: sqlite3.Connection, target: Path, overwrite: bool) -> None:
    """Copy the live database behind ``conn`` to ``target`` via a temporary file.

    Raises:
        ProjectError: ``target`` exists (without ``overwrite``) or the copy failed.
    """
    check_target(target, overwrite)
    with _built_in_temp(target, "save a copy as") as temp:
        copy_database(conn, temp)


@contextmanager
def _built_in_temp(target: Path, doing: str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` if the body succeeds.

    On any failure (cancel included) the temporary file and its sidecars are removed, so the
    target path never holds a half-written project; SQLite and OS errors become one-line
    ``ProjectError`` messages.
    """
    temp = temp_path_for(target)
    try:
        yield temp
        place_atomically(temp, target)
    except BaseException as err:
        remove_with_sidecars(temp)
        if isinstance(err, (sqlite3.Error, OSError)):
            raise ProjectError(f"Could not {doing} {target.name}: {err}.", detail=str(err)) from err
        raise

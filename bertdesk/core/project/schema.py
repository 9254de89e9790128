"""The project file's SQLite schema, how a file is recognised, and schema migrations.

Layout (schema version 4; version 3 lacked the label source "reviewed" and the last three
tables; version 2 kept the table in a ``rows`` table, one SQLite row per data row; version 1
also lacked ``runs.pid``/``runs.host``):

``meta``        key/value: ``app`` = "bertdesk", ``schema_version``, ``columns`` (JSON list),
                ``row_count``, ``text_column``, ``label_column`` (JSON), ``source`` (JSON: path,
                format, ... and ``column_types``, the typed columns of the source file, which
                exports give back their type; absent in older projects = all text).
``settings``    free key/value for the app (:meth:`Project.get_setting`).
``chunks``      the imported table, as Arrow record batches of a few thousand rows stored as
                blobs (see :mod:`bertdesk.core.project.snapshot`); rows are numbered from 0
                (the row id) in file order. Column *names* live in ``meta`` so any header text is fine.
``label_set``   ``key`` (stable internal id, never reused while referenced), ``name`` (unique,
                case-sensitive), ``position`` (order shown to the user = the class id), ``color``.
``labels``      one row per labelled data row: ``row_id`` (0 .. row_count-1), ``label_key``, ``source``, ``updated_at``.
                Keying labels by ``label_key`` makes a rename touch one row, not a million.
``runs``        training runs, with the ``pid`` and ``host`` of the process that ran them (so a run
                left ``running`` by a dead process can be told from a live one);
                ``predictions`` the per-row output of a run.
``embeddings``  one float16 vector per (model, row): sentence embeddings for "similar rows" and
                the label review, kept so neither recomputes them after a restart.
``label_reviews`` the latest label review (JSON: suspects, estimated noise), one row.
``prediction_maps`` per run, the rows placed on the Predict panel's 2-D map and their coordinates.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from bertdesk.core.errors import ProjectError
from bertdesk.core.project.meta import read_schema_version
from bertdesk.core.project.snapshot import CHUNKS_TABLE, chunks_from_rows_table

SCHEMA_VERSION = 4
APP_NAME = "bertdesk"
# PRAGMA application_id lets `file(1)` and other tools recognise the file ("BDSK").
APPLICATION_ID = 0x4244534B
SQLITE_MAGIC = b"SQLite format 3\x00"
# "reviewed": a person looked at the label again (the suspicious-labels review) and kept it.
LABEL_SOURCES = ("human", "imported", "model", "reviewed")
# Spelled out with OR: SQLite evaluates "x IN (...)" in a CHECK about 3x slower per row,
# which cost 1.5 s when importing a million labels.
_SOURCE_CHECK = " OR ".join(f"source = '{name}'" for name in LABEL_SOURCES)

# labels and predictions name no table of rows: rows live inside the snapshot's chunks, and
# every write path checks row ids against row_count (schema 2 declared REFERENCES rows(row_id)).
_LABELS_TABLE = f"""CREATE TABLE {{name}} (
    row_id INTEGER PRIMARY KEY,
    label_key INTEGER NOT NULL REFERENCES label_set(key),
    source TEXT NOT NULL CHECK ({_SOURCE_CHECK}),
    updated_at REAL NOT NULL
)"""
_PREDICTIONS_TABLE = """CREATE TABLE {name} (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    row_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    confidence REAL NOT NULL,
    probabilities BLOB,
    PRIMARY KEY (run_id, row_id)
) WITHOUT ROWID"""

# Schema 4: what the label review and "similar rows" keep between sessions.
_REVIEW_TABLES = """
CREATE TABLE embeddings (
    model_key TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model_key, row_id)
) WITHOUT ROWID;
CREATE TABLE label_reviews (id INTEGER PRIMARY KEY CHECK (id = 1), created_at REAL NOT NULL, review TEXT NOT NULL);
CREATE TABLE prediction_maps (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    row_ids BLOB NOT NULL,
    coords BLOB NOT NULL
);
"""

_FIXED_TABLES = f"""
{CHUNKS_TABLE};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE label_set (
    key INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    color TEXT
);
{_LABELS_TABLE.format(name="labels")};
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    status TEXT NOT NULL,
    model_dir TEXT NOT NULL,
    config TEXT NOT NULL,
    metrics TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
    pid INTEGER,
    host TEXT
);
CREATE UNIQUE INDEX runs_one_active ON runs(is_active) WHERE is_active = 1;
{_PREDICTIONS_TABLE.format(name="predictions")};
{_REVIEW_TABLES}
"""

# There is deliberately no index on labels(label_key): it cost ~0.3 s per million imported
# labels at creation and slowed every bulk edit, while the only queries that would use it
# (counts per label) are answered from an in-memory tally (project_labels.LabelStore), and
# merge/delete scan the compact labels table in ~0.2 s per million rows.


def create_schema(conn: sqlite3.Connection) -> None:
    """Create every table of an empty project."""
    _run_script(conn, _FIXED_TABLES)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the open transaction first; run statement by statement instead.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


# Plain text so any tool can identify the file; every other meta value is JSON.
_PLAIN_META = frozenset({"app", "schema_version"})


def write_meta(conn: sqlite3.Connection, values: dict[str, object]) -> None:
    """Store ``values`` in ``meta``: ``app``/``schema_version`` as text, the rest as JSON."""
    conn.executemany(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
        [(key, str(value) if key in _PLAIN_META else json.dumps(value)) for key, value in values.items()],
    )


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """Every ``meta`` entry as stored (decode all but ``app``/``schema_version`` with ``json.loads``)."""
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def has_sqlite_header(path: Path) -> bool:
    """True when the file starts with SQLite's magic string (cheap sniff before connecting)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError as err:
        raise ProjectError(f"Cannot read the project file {path}: {err.strerror or err}.") from err


def check_identity(conn: sqlite3.Connection, path: Path) -> int:
    """Make sure ``conn`` is a bertdesk project this version can read; return its schema version.

    Raises:
        ProjectError: another program's database, or a newer schema.
    """
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        raise ProjectError(f"{path.name} is not a bertdesk project (it is an SQLite database made by another program).")
    meta = read_meta(conn)
    if meta.get("app") != APP_NAME:
        raise ProjectError(f"{path.name} is not a bertdesk project (it is an SQLite database made by another program).")
    version = read_schema_version(meta, path)
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path.name} was saved by a newer version of bertdesk (project format {version}); "
            f"this version reads format {SCHEMA_VERSION} and older. Please update bertdesk."
        )
    return version


def migrate(conn: sqlite3.Connection, from_version: int, path: Path) -> None:
    """Bring a project from ``from_version`` up to :data:`SCHEMA_VERSION` inside the open transaction.

    Each step is one ``if version == N:`` block that alters the schema and bumps the
    version, so a file several versions old walks through every step in order. Version 1 is the
    first. The caller commits (or rolls back) the whole walk as one transaction, so a file
    killed midway is still the old version, whole.

    Raises:
        ProjectError: the old file's table cannot be converted (damaged); nothing was changed.
    """
    version = from_version
    if version == 1:  # 2: runs record the process (pid, host) that runs them
        conn.execute("ALTER TABLE runs ADD COLUMN pid INTEGER")
        conn.execute("ALTER TABLE runs ADD COLUMN host TEXT")
        version = 2
    if version == 2:  # 3: the table as Arrow chunks instead of one SQLite row per data row
        chunks_from_rows_table(conn, path)
        for name, table, fields in (
            ("labels", _LABELS_TABLE, "row_id, label_key, source, updated_at"),
            ("predictions", _PREDICTIONS_TABLE, "run_id, row_id, label, confidence, probabilities"),
        ):
            # SQLite cannot drop a column's REFERENCES clause: rebuild the table without it.
            conn.execute(table.format(name=f"{name}_v3"))
            conn.execute(f"INSERT INTO {name}_v3({fields}) SELECT {fields} FROM {name}")
            conn.execute(f"DROP TABLE {name}")
            conn.execute(f"ALTER TABLE {name}_v3 RENAME TO {name}")
        conn.execute("DROP TABLE rows")
        version = 3
    if version == 3:  # 4: label source "reviewed"; stored embeddings, label review and maps
        # The labels table's CHECK names the sources: SQLite cannot alter a CHECK, so rebuild it.
        fields = "row_id, label_key, source, updated_at"
        conn.execute(_LABELS_TABLE.format(name="labels_v4"))
        conn.execute(f"INSERT INTO labels_v4({fields}) SELECT {fields} FROM labels")
        conn.execute("DROP TABLE labels")
        conn.execute("ALTER TABLE labels_v4 RENAME TO labels")
        _run_script(conn, _REVIEW_TABLES)
        version = 4
    if version != SCHEMA_VERSION:
        raise ProjectError(f"Cannot upgrade {path.name} from project format {from_version} to {SCHEMA_VERSION}.")
    write_meta(conn, {"schema_version": str(version)})
    conn.execute(f"PRAGMA user_version = {version}")


def describe_sqlite_error(path: Path, err: sqlite3.Error) -> ProjectError:
    """Turn an SQLite error met while opening ``path`` into a one-line :class:`ProjectError`."""
    text = str(err).lower()
    if "locked" in text or "busy" in text:
        return ProjectError(f"{path.name} is open in another bertdesk window or program; close it there first.")
    if "not a database" in text or "file is encrypted" in text:
        return ProjectError(f"{path.name} is not a bertdesk project (it is not an SQLite database).", detail=str(err))
    if "malformed" in text or "corrupt" in text or "disk i/o" in text:
        return ProjectError(f"{path.name} is damaged and cannot be opened ({err}).", detail=str(err))
    if "readonly" in text or "read-only" in text:
        return ProjectError(f"{path.name} is read-only; copy it to a folder you can write to.", detail=str(err))
    if "unable to open" in text:
        return ProjectError(f"Cannot open {path}: the file or its folder is not accessible.", detail=str(err))
    return ProjectError(f"Cannot open {path.name}: {err}.", detail=str(err))


def open_connection(path: Path, *, check: bool = True) -> tuple[sqlite3.Connection, int]:
    """Open and vet the project file at ``path``; return the connection and its schema version.

    ``check`` runs ``PRAGMA quick_check`` (about 0.2-1.5 s per million rows); it is skipped
    only for a file this process has just written and checked.

    The connection holds SQLite's exclusive lock from its first read until it closes, is in
    WAL mode with ``synchronous=FULL`` and enforces foreign keys. A hot WAL left by a crash
    is replayed by SQLite on that first read, so committed labels come back.

    Raises:
        ProjectError: missing, not a bertdesk project, damaged, newer, read-only or locked.
    """
    if not path.exists():
        raise ProjectError(f"The project file {path} does not exist.")
    if path.is_dir():
        raise ProjectError(f"{path} is a folder, not a project file.")
    if not has_sqlite_header(path):
        raise ProjectError(f"{path.name} is not a bertdesk project (it is not an SQLite database).")
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        # SQLite must write the file and a WAL beside it even to record one label.
        raise ProjectError(f"{path.name} or its folder is read-only; copy the project to a folder you can write to.")
    try:
        # mode=rw: never create an empty database if the file vanished meanwhile.
        uri = path.resolve().as_uri() + "?mode=rw"
        conn = sqlite3.connect(uri, uri=True, timeout=1.0, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as err:
        raise describe_sqlite_error(path, err) from err
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        version = check_identity(conn, path)
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")] if check else ["ok"]
        if problems != ["ok"]:
            raise ProjectError(f"{path.name} is damaged ({problems[0]}); restore it from a backup.", detail="\n".join(problems))
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise ProjectError(f"Cannot use write-ahead logging for {path.name}.")
        conn.execute("PRAGMA synchronous = FULL")
        # Foreign keys are declared (documentation, foreign_key_check in tests) but not
        # enforced: enforcement made a 1M-row bulk label 4x slower, and every write path
        # already checks row ids against row_count and takes label keys from label_set.
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA cache_size = -32768")  # 32 MiB: bulk label edits stay in memory
        missing = {"columns", "row_count", "text_column"} - set(read_meta(conn))
        if missing:
            raise ProjectError(f"{path.name} is damaged: its description lacks {', '.join(sorted(missing))}.")
        return conn, version
    except ProjectError:
        conn.close()
        raise
    except sqlite3.Error as err:
        conn.close()
        raise describe_sqlite_error(path, err) from err

"""Where bertdesk may write: the rules every output (model folder, export file) is checked against
before any work starts.

Two promises live here:

* bertdesk replaces only a folder it wrote itself as a model. It recognises one by its marker
  file (:data:`MODEL_MARKER`, written into every model folder it publishes and listing the files
  it wrote there) or, for models saved before the marker existed, by ``metrics.json`` holding
  ``bertdesk_version`` beside ``config.json``; and only when the folder holds nothing else. The
  current folder, the home folder, a filesystem root and any folder holding the project or the
  data are never a model's destination, whatever they hold.
* A destination that cannot be written, or whose disk lacks room, is refused before minutes of
  training or prediction, not discovered afterwards. Writability is tested by creating (and
  removing) a temporary file, because permission bits lie (root, ACLs, read-only mounts).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bertdesk import __version__
from bertdesk.core.errors import BertdeskError

if TYPE_CHECKING:
    import pandas as pd

MODEL_MARKER = ".bertdesk-model"
MARKER_FORMAT = 1
# Written by leftovers.py into folders being written (PID and host of the writer); bertdesk's own.
WRITER_FILE = ".bertdesk-writer"
METRICS_FILE = "metrics.json"
# What Hugging Face's save_pretrained writes for a model and its tokenizer, plus our metrics:
# the whole content of a model folder saved before the marker existed.
_LEGACY_NAMES = frozenset(
    {
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "model.safetensors.index.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "vocab.txt",
        "vocab.json",
        "merges.txt",
        "spiece.model",
        "sentencepiece.bpe.model",
        "tokenizer.model",
        "chat_template.jinja",
        METRICS_FILE,
    }
)
_SHARD = re.compile(r"model-\d{5}-of-\d{5}\.safetensors")
_OWN_FILES = frozenset({MODEL_MARKER, WRITER_FILE})
# Files of a base model that end up (as large) in the fine-tuned one: weights and tokenizer.
_MODEL_PARTS = re.compile(r".*\.safetensors|tokenizer.*|vocab\..*|merges\.txt|.*\.model|config\.json")
_MIB = 1 << 20


class DestinationError(BertdeskError):
    """An output cannot go where the user asked (not ours to replace, not writable, no room)."""


# --------------------------------------------------------------------------------------------
# The model marker.


def write_model_marker(folder: Path) -> None:
    """Record that bertdesk wrote ``folder`` as a model, and which files it wrote there."""
    files = sorted(entry.name for entry in folder.iterdir() if entry.name not in _OWN_FILES)
    marker = {"format": MARKER_FORMAT, "bertdesk_version": __version__, "files": files}
    (folder / MODEL_MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")


def _json_object(path: Path) -> dict[str, object] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def foreign_entries(folder: Path) -> list[str] | None:
    """What in ``folder`` bertdesk did not write as a model: ``None`` when it is no bertdesk model
    at all, ``[]`` when every entry is bertdesk's own (safe to replace)."""
    names = sorted(entry.name for entry in folder.iterdir())
    marker = _json_object(folder / MODEL_MARKER)
    files = marker.get("files") if marker is not None else None
    if isinstance(files, list):
        own = {str(name) for name in files} | _OWN_FILES
        return [name for name in names if name not in own or (folder / name).is_dir() or (folder / name).is_symlink()]
    metrics = _json_object(folder / METRICS_FILE)
    if metrics is None or "bertdesk_version" not in metrics or not (folder / "config.json").is_file():
        return None
    return [
        name
        for name in names
        if not (
            (name in _LEGACY_NAMES or _SHARD.fullmatch(name) or name in _OWN_FILES)
            and (folder / name).is_file()
            and not (folder / name).is_symlink()
        )
    ]


def is_bertdesk_model(folder: Path) -> bool:
    """True when ``folder`` is a model folder bertdesk wrote and holds nothing else."""
    return folder.is_dir() and foreign_entries(folder) == []


def check_replaceable(folder: Path, *, error: type[BertdeskError] = DestinationError) -> None:
    """Refuse to replace ``folder`` unless it is empty or a model bertdesk wrote with nothing else in it."""
    if not any(folder.iterdir()):
        return
    foreign = foreign_entries(folder)
    if foreign is None:
        raise error(
            f"{folder} is not a model folder bertdesk saved; bertdesk replaces only its own models: choose a new folder for the model."
        )
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise error(
            f"{folder} holds {foreign[0]}{more}, which bertdesk did not write; bertdesk replaces only its own models: "
            "choose a new folder for the model."
        )


# --------------------------------------------------------------------------------------------
# Folders no output may replace.


def _resolved(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.abspath(Path(path).expanduser())).resolve()


def _guarded(protect: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, str]]:
    """(path, how to name it) for everything an output folder must never be or contain."""
    guarded = []
    for where, name in ((Path.cwd, "the current folder"), (Path.home, "your home folder")):
        try:
            guarded.append((_resolved(where()), name))
        except (OSError, RuntimeError, KeyError):  # deleted current folder, no home folder known
            pass
    for path in protect:
        guarded.append((_resolved(path), Path(path).name or str(path)))
    return guarded


def check_not_guarded(
    out_dir: str | os.PathLike[str], protect: Iterable[str | os.PathLike[str]] = (), *, error: type[BertdeskError] = DestinationError
) -> None:
    """Refuse a filesystem root, the current or home folder, and any folder holding one of them
    or one of ``protect`` (the project, the data)."""
    target = _resolved(out_dir)
    if target == Path(target.anchor):
        raise error(f"{out_dir} is the root of a filesystem; choose a new folder for the model.")
    for path, name in _guarded(protect):
        if path == target:
            raise error(f"{out_dir} is {name}; choose a new folder for the model.")
        if path.is_relative_to(target):
            raise error(f"{out_dir} holds {name}; choose a new folder for the model.")


# --------------------------------------------------------------------------------------------
# Writable, with room.


def format_bytes(size: int) -> str:
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GB"
    if size >= _MIB:
        return f"{size / _MIB:.0f} MB"
    return f"{max(1, size // 1024)} KB"


def _nearest_existing(path: Path) -> Path:
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


def probe_write(folder: Path) -> None:
    """Create and remove a temporary file in ``folder``; raises ``OSError`` when that fails."""
    handle, name = tempfile.mkstemp(prefix=".bertdesk-probe-", dir=folder)
    os.close(handle)
    os.unlink(name)


def check_writable(folder: Path, expected_bytes: int, *, what: str, error: type[BertdeskError] = DestinationError) -> None:
    """Make sure ``folder`` (or, if missing, the folders that would hold it) can be created and
    written, and that its disk has ``expected_bytes`` free.

    ``what`` names the output in messages ("the model", "reviews.csv").
    """
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise error(f"Cannot save {what} in {folder}: {existing} is a file, not a folder.")
    try:
        probe_write(existing)
    except OSError as err:
        raise error(
            f"Cannot save {what} in {folder}: {existing} is not writable ({err.strerror or err}); choose a folder you can write to."
        ) from err
    free = shutil.disk_usage(existing).free
    if expected_bytes > free:
        raise error(
            f"Not enough room for {what} in {folder}: it needs about {format_bytes(expected_bytes)} and the disk has "
            f"{format_bytes(free)} free; free some space or choose another disk."
        )


def check_model_destination(
    out_dir: str | os.PathLike[str],
    *,
    overwrite: bool,
    expected_bytes: int = 0,
    protect: Iterable[str | os.PathLike[str]] = (),
    error: type[BertdeskError] = DestinationError,
) -> None:
    """The one rule for a model's output folder, for the CLI, the GUI and the API alike.

    ``out_dir`` must not be (or hold) the current folder, the home folder, a filesystem root or
    anything in ``protect``; if it exists it must be a folder that is empty or, with
    ``overwrite``, a model bertdesk wrote with nothing else in it; the folder beside it (where
    the new model is written first) must be writable with ``expected_bytes`` free.

    Raises:
        error: one line saying why and what to do; nothing was touched.
    """
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise error(f"{out} is a file; the model is saved as a folder: choose another name.")
    check_not_guarded(out, protect, error=error)
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise error(f"{out} already exists and is not empty: choose a new folder for the model (or allow overwriting).")
        check_replaceable(out, error=error)
    check_writable(Path(os.path.abspath(out)).parent, expected_bytes, what="the model", error=error)


def check_file_destination(path: str | os.PathLike[str], expected_bytes: int = 0, *, error: type[BertdeskError] = DestinationError) -> None:
    """An export file: its folder exists, can be written and has ``expected_bytes`` free."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise error(f"Cannot write {target}: it is a folder; name a file.")
    folder = Path(os.path.abspath(target)).parent
    if not folder.is_dir():
        if _nearest_existing(folder).is_dir():
            raise error(f"Cannot write {target}: the folder {folder} does not exist.")
    check_writable(folder, expected_bytes, what=target.name, error=error)


# --------------------------------------------------------------------------------------------
# Expected sizes.


def estimate_model_bytes(base: Path) -> int:
    """About how big a model fine-tuned from the base model folder ``base`` will be on disk:
    its weights and tokenizer, plus a margin for the new head and the metrics."""
    try:
        total = sum(entry.stat().st_size for entry in base.iterdir() if entry.is_file() and _MODEL_PARTS.fullmatch(entry.name))
    except OSError:
        return 0
    return int(total * 1.05) + _MIB


def estimate_table_bytes(frame: pd.DataFrame, sample: int = 200) -> int:
    """About how many bytes ``frame`` takes written out: rows × mean row bytes (from a sample)."""
    rows = len(frame)
    if rows == 0:
        return 4096
    step = max(1, rows // sample)
    picked = frame.iloc[::step].head(sample)
    row_bytes = sum(len(str(value).encode("utf-8")) + 1 for row in picked.itertuples(index=False) for value in row) / max(len(picked), 1)
    return int(rows * (row_bytes + 2)) + 4096

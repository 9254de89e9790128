"""Saving a trained model folder without ever leaving half of one, or losing it.

The model is written to a hidden partial folder beside its destination (carrying the writer's
pid and host, so a killed run's folder can be told from a live one's and cleaned later), gets
bertdesk's model marker, and is renamed into place only when complete; an old model there is
replaced last, and only if it is still bertdesk's alone. If writing or renaming fails (disk
full, gone read-only, the old folder changed), the trained model is kept (the complete folder
under a visible name beside the destination, or a fresh copy in the temp dir) and the error
says where.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bertdesk.core.destinations import METRICS_FILE, WRITER_FILE, check_replaceable, write_model_marker
from bertdesk.core.errors import BertdeskError, TrainingError
from bertdesk.core.leftovers import PARTIAL_MARK, mark_writer

log = logging.getLogger(__name__)


def _partial_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}{PARTIAL_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _publish(partial: Path, out_dir: Path) -> None:
    """Move the complete model from ``partial`` to ``out_dir`` (replacing an old one last).

    The old folder is checked again here: it may have changed while training ran.
    """
    if out_dir.is_dir():
        check_replaceable(out_dir, error=TrainingError)
        if not any(out_dir.iterdir()):
            out_dir.rmdir()
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(out_dir, old)
        os.replace(partial, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(partial, out_dir)
    (out_dir / WRITER_FILE).unlink(missing_ok=True)


def _write_model(folder: Path, model: Any, tokenizer: Any, metrics: dict[str, Any]) -> None:
    """Write into ``folder``, which the caller has just created (so removing it on failure can
    never take anything that was there before)."""
    mark_writer(folder)  # a kill from here on leaves a folder the next run can tell is abandoned
    model.to("cpu").save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    (folder / METRICS_FILE).write_text(json.dumps(metrics, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    write_model_marker(folder)


def save_model(model: Any, tokenizer: Any, metrics: dict[str, Any], out: Path) -> None:
    """Write the model beside ``out`` and rename it into place. If that fails, the trained model
    is kept (the complete folder under a visible name, or a fresh copy in the temp dir) and the
    error says where."""
    partial = _partial_dir(out)
    created = False
    try:
        partial.mkdir(parents=True)  # a name taken by anything else raises here, before any removal
        created = True
        _write_model(partial, model, tokenizer, metrics)
    except BaseException as err:
        if created:
            shutil.rmtree(partial, ignore_errors=True)
        if not isinstance(err, Exception):  # Ctrl+C twice: stop at once
            raise
        # Disk full or gone read-only mid-way (safetensors reports that as its own error type).
        kept = _keep_elsewhere(model, tokenizer, metrics, out)
        raise _not_saved(out, err, kept) from err
    try:
        _publish(partial, out)
    except (OSError, BertdeskError) as err:
        kept = out.parent / f"{out.name}.unsaved-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}"
        try:
            os.replace(partial, kept)
            (kept / WRITER_FILE).unlink(missing_ok=True)  # a kept model, not an abandoned partial
        except OSError:
            kept = partial
        raise _not_saved(out, err, kept) from err


def _keep_elsewhere(model: Any, tokenizer: Any, metrics: dict[str, Any], out: Path) -> Path | None:
    """Save the model into the temp dir when its destination failed; None if that fails too."""
    folder = Path(tempfile.gettempdir()) / f"bertdesk-unsaved-{out.name}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:4]}"
    created = False
    try:
        folder.mkdir(parents=True)
        created = True
        _write_model(folder, model, tokenizer, metrics)
        (folder / WRITER_FILE).unlink()
        return folder
    except Exception as err:  # noqa: BLE001 - whatever failed, the caller says the model is lost
        log.warning("could not keep the model in %s either: %s", folder, err)
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        return None


def _not_saved(out: Path, err: BaseException, kept: Path | None) -> TrainingError:
    reason = (str(err) if isinstance(err, BertdeskError) else (getattr(err, "strerror", None) or str(err))).rstrip(".")
    if kept is None:
        return TrainingError(
            f"Could not save the model to {out} ({reason}), nor in the temp folder; the trained model is lost.", detail=repr(err)
        )
    return TrainingError(f"Could not save the model to {out} ({reason}); the trained model was kept in {kept}.", detail=repr(err))

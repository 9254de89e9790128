"""What a killed run leaves behind, and how to tell whose it is before removing it.

Every folder bertdesk writes while working (a model's partial folder beside its destination, the
trainer's scratch folder in the temp dir) gets a :data:`WRITER_FILE` naming the process and
host writing it. Such a folder is removed later only when it carries that file, was written on
this host, and its process is gone: a live run (in this process or another) and a folder that
is not bertdesk's are never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

from bertdesk.core.destinations import WRITER_FILE

PARTIAL_MARK = ".partial-"  # a model being written: .<name>.partial-<pid>-<random> beside <name>
TRAINER_TEMP_PREFIX = "bertdesk-trainer-"


def host_name() -> str:
    return socket.gethostname()


def writer_identity() -> dict[str, object]:
    """This process, as recorded in a folder it writes or a run it starts."""
    return {"pid": os.getpid(), "host": host_name(), "started_at": time.time()}


def mark_writer(folder: Path) -> None:
    """Record in ``folder`` that this process is writing it."""
    (folder / WRITER_FILE).write_text(json.dumps(writer_identity()), encoding="utf-8")


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (without disturbing it)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl+C there
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return not _zombie(pid)
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process whose parent has not reaped it yet still answers kill(pid, 0), but it
    will never write again (Linux: state Z in /proc/PID/stat; elsewhere we cannot tell)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    # The command name in parentheses may hold spaces or ')'; the state follows the last ')'.
    return stat[stat.rfind(")") + 2 : stat.rfind(")") + 3] == "Z"


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def writer_is_gone(pid: object, host: object) -> bool:
    """True only when ``pid`` ran on this host and is no longer alive; unknown means alive."""
    return isinstance(pid, int) and host == host_name() and pid != os.getpid() and not process_alive(pid)


def _abandoned(folder: Path) -> bool:
    """A folder bertdesk was writing when its process died (never a live one, never a stranger's)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        writer = json.loads((folder / WRITER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # no marker: not ours to remove
    return isinstance(writer, dict) and writer_is_gone(writer.get("pid"), writer.get("host"))


def _remove(candidates: list[Path]) -> list[Path]:
    removed = []
    for folder in candidates:
        if _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
    return removed


def remove_dead_partials(folder: Path) -> list[Path]:
    """Remove half-written model folders of dead processes in ``folder``; return what was removed."""
    try:
        candidates = [entry for entry in folder.iterdir() if entry.name.startswith(".") and PARTIAL_MARK in entry.name]
    except OSError:  # missing or unreadable folder: nothing to clean
        return []
    return _remove(candidates)


def remove_dead_trainer_folders(temp_dir: Path | None = None) -> list[Path]:
    """Remove the trainer's scratch folders that dead processes left in the temp dir."""
    root = Path(temp_dir or tempfile.gettempdir())
    try:
        candidates = list(root.glob(TRAINER_TEMP_PREFIX + "*"))
    except OSError:
        return []
    return _remove(candidates)

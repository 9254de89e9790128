"""The file being read: opening it, reading its first bytes, an exception as one line.

Shared by :mod:`bertdesk.core.tables.reading` and the readers it dispatches to. Readers call
``rawfile._open`` through the module, so tests can swap it in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from bertdesk.core.errors import TableReadError


def _open(path: Path) -> BinaryIO:
    """Open for reading; one place, so tests can simulate an unreadable file."""
    return open(path, "rb")


def _read_head(p: Path, n: int) -> tuple[bytes, bool]:
    """The first ``n`` bytes and whether that is the whole file; file-system errors -> one line."""
    try:
        if p.is_dir():  # checked first: on Windows opening a folder says "permission denied"
            raise TableReadError(f"{p.name or p}: is a folder, not a file")
        with _open(p) as f:
            head = f.read(n)
            return head, len(head) < n or not f.read(1)
    except FileNotFoundError:
        raise TableReadError(f"{p.name}: file not found") from None
    except PermissionError:
        raise TableReadError(f"{p.name}: permission denied (the file cannot be opened)") from None
    except OSError as exc:
        raise TableReadError(f"{p.name}: cannot be read ({exc.strerror or exc})") from None


def _short(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."

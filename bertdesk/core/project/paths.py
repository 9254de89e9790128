"""Paths stored in a project file (run model folders, the source spreadsheet), valid from anywhere.

A path inside the project's folder tree is stored relative to the project file's folder, so
the folder can be moved or synced elsewhere together with its models; any other path is stored
absolute. A path given relative is taken relative to the working directory, as a user means it
on the command line. Reading turns every stored path back into an absolute one.

Older projects stored whatever path they were given, which may be relative to the working
directory of the day. Such a path is looked for beside the project file first, then in the
working directory; when it is in neither, the path beside the project file is returned, so the
caller's "model is missing" message names a place that makes sense.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

__all__ = ["resolve_stored_path", "stored_path"]


def _absolute(path: str | os.PathLike[str]) -> Path:
    # abspath, not resolve(): a folder reached through a symlink stays under the name the user sees.
    return Path(os.path.abspath(path))


def _project_folder(project_file: Path) -> Path:
    return _absolute(project_file).parent


def stored_path(project_file: Path, path: str | os.PathLike[str]) -> str:
    """How ``path`` is written into ``project_file``: relative (POSIX separators) inside its folder tree, else absolute.

    ``""`` stays ``""`` (no path yet).
    """
    if not str(path):
        return ""
    target = _absolute(path)
    folder = _project_folder(project_file)
    try:
        inside = target.relative_to(folder)
    except ValueError:
        return str(target)
    # "/" on every system, so a project made on Windows still finds its models on Linux.
    return inside.as_posix() if inside.parts else "."


def resolve_stored_path(project_file: Path, stored: str) -> str:
    """The absolute path that ``stored`` (as read from ``project_file``) means; ``""`` stays ``""``."""
    if not stored:
        return ""
    if os.path.isabs(stored):
        return str(Path(stored))
    beside = Path(os.path.normpath(_project_folder(project_file) / PurePosixPath(stored)))
    if beside.exists():
        return str(beside)
    legacy = _absolute(stored)  # an older project's path, relative to the working directory
    if legacy.exists():
        return str(legacy)
    return str(beside)

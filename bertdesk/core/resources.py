"""Where the files in ``resources/`` are, installed (wheel) or run from a source checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def resources_dir() -> Path:
    """Folder holding icons, the sample data and the desktop entry."""
    try:
        from importlib.resources import files

        path = Path(str(files("bertdesk.resources")))
        if path.is_dir():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    # Source checkout without install: resources/ sits beside the package.
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource, e.g. ``resource_path("sample", "feedback.csv")``."""
    return resources_dir().joinpath(*parts)

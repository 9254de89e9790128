"""Where the files in ``resources/`` are, installed (wheel) or run from a source checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def resources_dir() -> Path:
    """Folder holding icons, the sample data and the desktop entry.

    Installed from a wheel, they live in ``bertdesk/resources/`` beside the modules. In a source
    checkout (or an editable install, which maps the package but not the data folder) they are
    the repository's top-level ``resources/``.
    """
    package = Path(__file__).resolve().parents[1]  # .../bertdesk
    for candidate in (package / "resources", package.parent / "resources"):
        if candidate.is_dir():
            return candidate
    return package / "resources"


def resource_path(*parts: str) -> Path:
    """Path of one resource, e.g. ``resource_path("sample", "customer_feedback.csv")``."""
    return resources_dir().joinpath(*parts)

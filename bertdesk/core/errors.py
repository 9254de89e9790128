"""Errors whose message a person can act on.

Every error raised on purpose by core is a :class:`BertdeskError`. Its ``str()`` is one line
that names the thing (file, column, row) and the problem; the GUI shows it in a dialog, the
CLI prints it on stderr and exits with code 2. ``detail`` may hold more (shown on demand).
"""

from __future__ import annotations


class BertdeskError(Exception):
    """Base class: ``str(err)`` is a one-line message for a person."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        # One line, always: a multi-line message would break the CLI's stderr contract.
        super().__init__(" ".join(message.split()))
        self.detail = detail


class TableReadError(BertdeskError):
    """A spreadsheet could not be read (empty, binary, damaged, unparseable)."""


class ProjectError(BertdeskError):
    """A project file is missing, damaged, locked or not a bertdesk project."""


class LabelError(BertdeskError):
    """A label operation was asked for something that does not exist or clashes."""


class ModelError(BertdeskError):
    """A model source cannot be resolved or loaded."""


class TrainingError(BertdeskError):
    """Training cannot start or failed in a way the user can act on."""


class Cancelled(BertdeskError):
    """The user cancelled the job; whatever was saved before stays consistent."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)

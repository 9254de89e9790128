"""The project file: schema, store, rows, labels with the one undo history, runs and predictions.

:class:`~bertdesk.core.project.file.Project` is the facade every front end opens; the modules
beside it each hold one part of the file (``label_store`` the labels, ``runs`` the training runs,
``predictions`` the stored predictions, ``schema`` the tables and migrations). This package reads
tables through :mod:`bertdesk.core.tables` and never imports :mod:`bertdesk.core.ml`.
"""

from bertdesk.core.project.file import LabelSource, PredictionTable, Project, RunRecord

__all__ = ["LabelSource", "PredictionTable", "Project", "RunRecord"]

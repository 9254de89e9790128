"""The Data panel's filter and sort, computed in core over the whole project."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bertdesk.core.errors import Cancelled, LabelError
from bertdesk.core.progress import CancelToken
from bertdesk.core.project import Project
from bertdesk.core.project.row_views import LABEL_COLUMN, RowView, sort_order, view_rows


def six_rows() -> pd.DataFrame:
    """Numbers with a thousands comma and an empty cell, mixed-case texts, two labels and blanks."""
    return pd.DataFrame(
        {
            "id": ["10", "9", "", "100", "1,200", "9"],
            "text": ["Banana split", "apple pie", "Cherry", "apple tart", "banana bread", "date"],
            "topic": ["b", "a", "", "a", "b", ""],
        }
    )


@pytest.fixture
def project(tmp_path: Path):
    proj = Project.create(tmp_path / "p.bertdesk", six_rows(), text_column="text", label_column="topic")
    yield proj
    proj.close()


def test_sort_is_numeric_when_every_cell_is_a_number_and_keeps_empties_last() -> None:
    values = ["10", "9", "", "100", "1,200", "9"]
    assert sort_order(values).tolist() == [1, 5, 0, 3, 4, 2]  # 9, 9, 10, 100, 1200, then the empty one
    assert sort_order(values, descending=True).tolist() == [4, 3, 0, 1, 5, 2]  # ties keep file order; empty still last


def test_sort_is_case_insensitive_text_otherwise() -> None:
    assert sort_order(["b", "B", "a", "10", "9"]).tolist() == [3, 4, 2, 0, 1]  # "10" < "9" as text


def test_filters(project: Project) -> None:
    assert view_rows(project, RowView()).tolist() == list(range(6))
    assert view_rows(project, RowView("unlabelled")).tolist() == [2, 5]
    assert view_rows(project, RowView("labelled")).tolist() == [0, 1, 3, 4]
    assert view_rows(project, RowView("label", "a")).tolist() == [1, 3]
    assert view_rows(project, RowView("text", "APPLE")).tolist() == [1, 3]
    with pytest.raises(LabelError):
        view_rows(project, RowView("label", "zzz"))


def test_filter_and_sort_together(project: Project) -> None:
    view = RowView("labelled", sort_column="id", descending=True)
    assert view_rows(project, view).tolist() == [4, 3, 0, 1]
    assert view_rows(project, RowView(sort_column=LABEL_COLUMN)).tolist() == [1, 3, 0, 4, 2, 5]
    assert view_rows(project, RowView(sort_column="text")).tolist() == [1, 3, 4, 0, 2, 5]


def test_predicted_filter_reads_the_active_runs_predictions(project: Project) -> None:
    assert view_rows(project, RowView("predicted", "a")).tolist() == []  # no run yet
    run = project.add_run(status="finished", model_dir="m", config={}, metrics={"labels": ["a", "b"]})
    project.set_active_run(run)
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], dtype=np.float32)
    project.store_predictions(run, [5, 0, 2], ["a", "b", "a"], [0.9, 0.8, 0.6], probabilities)
    assert view_rows(project, RowView("predicted", "a")).tolist() == [2, 5]


def test_cancel(project: Project) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        view_rows(project, RowView("text", "a"), cancel=token)


def test_column_values_reads_one_column(project: Project) -> None:
    from bertdesk.core.errors import ProjectError

    assert project.column_values("id") == ["10", "9", "", "100", "1,200", "9"]
    assert project.column_values("text") == project.texts()
    with pytest.raises(ProjectError, match="no column named 'nope'"):
        project.column_values("nope")

"""Row filters and the row walker used by the labelling view."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.errors import BertdeskError, LabelError, ProjectError
from bertdesk.core.project import Project
from bertdesk.core.project.navigation import RowFilter, RowWalker


@pytest.fixture
def project(tmp_path: Path):
    texts = ["Refund please", "app crashes", "REFUND now", "love it", "where is my parcel", "crash on login", "中文 refund", "ok"]
    labels = ["billing", "", "billing", "praise", "", "bug", "", ""]
    frame = pd.DataFrame({"text": texts, "label": labels, "id": [str(i) for i in range(len(texts))]})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as proj:
        yield proj


def walk(walker: RowWalker) -> list[int]:
    rows, row = [], walker.first_row()
    while row is not None:
        rows.append(row)
        row = walker.next_row(row)
    return rows


def walk_back(walker: RowWalker) -> list[int]:
    rows, row = [], walker.previous_row(None)
    while row is not None:
        rows.append(row)
        row = walker.previous_row(row)
    return rows


@pytest.mark.parametrize(
    ("row_filter", "expected"),
    [
        (RowFilter("all"), [0, 1, 2, 3, 4, 5, 6, 7]),
        (RowFilter("unlabelled"), [1, 4, 6, 7]),
        (RowFilter("labelled"), [0, 2, 3, 5]),
        (RowFilter("label", label="billing"), [0, 2]),
        (RowFilter("search", text="refund"), [0, 2, 6]),
        (RowFilter("search", text="crash(es)? on", regex=True), [5]),
        (RowFilter("search", text="."), []),  # plain text: the dot is literal, and no text has one
        (RowFilter("search", text="nothing like this"), []),
    ],
)
def test_filters_walk_both_ways(project: Project, row_filter: RowFilter, expected: list[int]) -> None:
    walker = RowWalker(project, row_filter)
    assert walk(walker) == expected
    assert walk_back(walker) == expected[::-1]


def test_unlabelled_follows_labels_made_a_moment_ago(project: Project) -> None:
    walker = RowWalker(project, RowFilter("unlabelled"))
    assert walker.total == 4
    row = walker.first_row()
    assert row == 1
    project.set_label(1, "bug")
    assert walker.next_row(row) == 4
    project.set_label(4, "billing")
    assert walker.next_row(1) == 6 and walker.first_row() == 6
    assert walker.total == 2
    project.undo()
    assert walker.first_row() == 4
    assert walker.previous_row(6) == 4 and walker.previous_row(4) is None


def test_unlabelled_skips_long_labelled_runs_and_stops_at_the_end(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": [f"row {i}" for i in range(50)]})
    with Project.create(tmp_path / "runs.bertdesk", frame, text_column="text") as project:
        project.set_labels(range(0, 20), "a")
        project.set_labels(range(21, 50), "b")
        walker = RowWalker(project, RowFilter("unlabelled"))
        assert walk(walker) == [20] and walk_back(walker) == [20]
        project.set_label(20, "a")
        assert walker.first_row() is None and walker.previous_row(None) is None


def test_random_sample_is_seeded_and_walks_in_drawn_order(project: Project) -> None:
    first = RowWalker(project, RowFilter("random", sample_size=5, seed=7))
    again = RowWalker(project, RowFilter("random", sample_size=5, seed=7))
    rows = walk(first)
    assert rows == walk(again) and len(set(rows)) == 5 and all(0 <= r < 8 for r in rows)
    assert walk_back(first) == rows[::-1]
    assert [first.position(r) for r in rows] == [1, 2, 3, 4, 5] and first.total == 5
    assert len(walk(RowWalker(project, RowFilter("random", sample_size=100)))) == 8  # capped


def test_position_and_total(project: Project) -> None:
    walker = RowWalker(project, RowFilter("all"))
    assert walker.position(3) == 4 and walker.total == 8
    labelled = RowWalker(project, RowFilter("label", label="billing"))
    assert labelled.total == 2 and labelled.position(0) is None
    assert RowWalker(project, RowFilter("search", text="x")).total is None


def test_bad_filters_give_one_line_errors(project: Project) -> None:
    with pytest.raises(BertdeskError) as err:
        RowFilter("search", text="([unclosed", regex=True)
    assert "regular expression" in str(err.value) and "\n" not in str(err.value)
    for bad in (
        lambda: RowFilter("nope"),
        lambda: RowFilter("label"),
        lambda: RowFilter("search"),
        lambda: RowFilter("random", sample_size=0),
    ):  # type: ignore[arg-type]
        with pytest.raises(BertdeskError):
            bad()
    with pytest.raises(LabelError):
        RowWalker(project, RowFilter("label", label="no such label"))
    with pytest.raises(ProjectError):
        project.next_row_matching(0, labelled=True, pattern="x")


def test_set_label_reports_whether_anything_changed(project: Project) -> None:
    assert project.set_label(1, "bug") is True
    assert project.set_label(1, "bug") is False
    assert project.set_label(7, None) is False
    assert project.set_labels([], "bug") is False


def test_next_row_matching_is_fast_on_a_big_project(tmp_path: Path) -> None:
    """Not a timing assertion (see benchmarks/label_speed.py): just the big-gap code paths."""
    n = 30_000
    frame = pd.DataFrame({"text": [f"text {i}" for i in range(n)]})
    with Project.create(tmp_path / "big.bertdesk", frame, text_column="text") as project:
        project.set_labels(range(0, n - 1), "a")
        assert project.next_row_matching(None, labelled=False) == n - 1
        assert project.next_row_matching(None, labelled=False, backward=True) == n - 1
        assert project.next_row_matching(None, pattern=f"text {n - 2}$") == n - 2
        assert project.next_row_matching(None, pattern="text 5$", backward=True) == 5

"""rows_with_same_text: exact duplicates after trimming whitespace."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.errors import ProjectError
from bertdesk.core.project import Project
from bertdesk.core.project.duplicates import rows_with_same_text


@pytest.fixture
def project(tmp_path: Path):
    texts = ["hello", "  hello ", "Hello", "bye", "hello", "", " "]
    proj = Project.create(tmp_path / "d.bertdesk", pd.DataFrame({"text": texts}), text_column="text")
    yield proj
    proj.close()


def test_finds_trimmed_exact_duplicates(project: Project) -> None:
    assert rows_with_same_text(project, [0]) == [0, 1, 4]  # case matters: "Hello" is different
    assert rows_with_same_text(project, [4, 3]) == [0, 1, 3, 4]
    assert rows_with_same_text(project, [2]) == [2]


def test_empty_texts_match_blank_ones(project: Project) -> None:
    assert rows_with_same_text(project, [5]) == [5, 6]


def test_no_rows_and_bad_rows(project: Project) -> None:
    assert rows_with_same_text(project, []) == []
    with pytest.raises(ProjectError):
        rows_with_same_text(project, [99])

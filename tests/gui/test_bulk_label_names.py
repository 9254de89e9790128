"""The bulk-label box cleans a typed name the way the project does (normalise_label)."""

from __future__ import annotations

from tests.gui.conftest import wait_for_job
from tests.gui.test_bulk_label import opened, select  # noqa: F401 - the fixture is used by name

__all__ = ["opened"]


def test_invisible_only_name_never_clears_rows(qtbot, opened) -> None:  # noqa: F811
    window, panel = opened, opened.data_panel
    project = window.project
    select(panel, (0, 1))
    panel.bulk_combo.setCurrentText("\u200b")  # looks empty, strip() keeps it
    panel.bulk_apply_button.click()
    wait_for_job(qtbot, window)  # bulk labels always run as a job
    assert project.label_of(0) == "x"  # row 0's label is not cleared
    panel.bulk_combo.setCurrentText("y\u200b ")
    panel.bulk_apply_button.click()
    wait_for_job(qtbot, window)  # bulk labels always run as a job
    assert [project.label_of(r) for r in (0, 1)] == ["y", "y"]
    assert project.label_set.names == ("x", "y")

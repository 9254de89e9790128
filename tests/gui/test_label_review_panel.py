"""Reviewing suspicious labels in the Label panel, and the Train panel's label-check line.

The review is stored directly (``project.store_label_review``) so these tests drive the panel's
keys and views; the review's computation is tested in tests/core and tests/test_cli_review.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from bertdesk.core.project import Project
from bertdesk.core.project.label_review_record import LabelReview, Suspect
from bertdesk.gui.panels.label_panel import LabelPanel

TEXTS = ["refund my order", "app crashes", "charged twice", "love it", "crash on start", "great app"]
LABELS = ["bug", "billing", "billing", "praise", "bug", "praise"]  # rows 1 and 2 (1-based) are swapped


def _review(noise: float = 0.33) -> LabelReview:
    return LabelReview(
        mode="fast",
        model_key="m",
        created_at=1.0,
        labelled_rows=6,
        estimated_noise=noise,
        noise_by_label={"bug": 0.5, "billing": 0.5, "praise": 0.0},
        suspects=(
            Suspect(0, "bug", "billing", 0.05, 0.05, 0.9),
            Suspect(1, "billing", "bug", 0.1, 0.1, 0.85),
            Suspect(5, "praise", "bug", 0.3, 0.3, 0.6),
        ),
    )


@pytest.fixture
def project(tmp_path: Path):
    frame = pd.DataFrame({"text": TEXTS, "label": LABELS})
    with Project.create(tmp_path / "p.bertdesk", frame, text_column="text", label_column="label") as proj:
        yield proj


@pytest.fixture
def panel(qtbot, project: Project) -> LabelPanel:
    widget = LabelPanel()
    qtbot.addWidget(widget)
    widget.resize(1000, 650)
    widget.show()
    widget.set_project(project)
    widget.setFocus()
    return widget


def test_without_a_review_the_view_offers_one_instead_of_an_error(panel: LabelPanel) -> None:
    panel.show_suspicious()
    assert panel.review_bar.isVisible() and panel.review_bar.fast_button.isVisible()
    assert panel.current_row is None
    assert "No label review yet" in panel.text_view.toPlainText()
    assert panel.message_label.text() == ""


def test_suspects_come_most_suspicious_first_with_the_evidence(qtbot, panel: LabelPanel, project: Project) -> None:
    project.store_label_review(_review())
    panel.show_suspicious()
    qtbot.waitUntil(lambda: panel.current_row == 0)
    assert panel.suggestion_label.text().startswith('Probably wrong: "bug" 5% vs "billing" 90%')
    assert panel.position_label.text() == "1 of 3"
    assert "3 suspicious · 0 reviewed" in panel.review_bar.text.text()
    assert "about 33% of the 6 labels look wrong" in panel.review_bar.text.text()


def test_enter_space_and_number_keys_each_make_one_undo_step(qtbot, panel: LabelPanel, project: Project) -> None:
    project.store_label_review(_review())
    panel.show_suspicious()
    qtbot.keyClick(panel, Qt.Key.Key_Return)  # row 1: the suggested "billing"
    assert project.label_of(0) == "billing" and panel.current_row == 1
    qtbot.keyClick(panel, Qt.Key.Key_Space)  # row 2: keep "billing", reviewed
    assert project.label_of(1) == "billing" and project.reviewed_rows() == {1}
    assert panel.current_row == 5
    key = str(project.label_set.names.index("bug") + 1)
    qtbot.keyClicks(panel, key)  # row 6: relabel "bug" by hand with its number key
    assert project.label_of(5) == "bug"
    assert project.undo_steps == 3
    assert panel.review_bar.text.text().startswith("all looked at · 1 reviewed")
    project.undo()  # the relabel comes back: row 6 is suspicious again
    project.undo()  # and row 2 is no longer reviewed
    assert project.reviewed_rows() == set()


def test_reopening_the_view_skips_rows_relabelled_or_kept(qtbot, panel: LabelPanel, project: Project) -> None:
    project.store_label_review(_review())
    project.set_label(0, "billing")
    project.mark_reviewed([5])
    panel.show_suspicious()
    assert panel.current_row == 1
    assert panel.walker is not None and panel.walker.total == 1


def test_a_new_review_refreshes_the_open_view(qtbot, panel: LabelPanel, project: Project) -> None:
    panel.show_suspicious()
    project.store_label_review(_review())  # e.g. finished by a job, or by `bertdesk review` elsewhere
    qtbot.waitUntil(lambda: panel.current_row == 0)


def test_the_review_place_is_restored(qtbot, panel: LabelPanel, project: Project) -> None:
    project.store_label_review(_review())
    panel.show_suspicious()
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    place = panel.place()
    panel.set_project(project)
    assert panel.restore_place(place or {})
    assert panel.reviewing() and panel.current_row == 1


@pytest.mark.parametrize(("noise", "warns"), [(0.33, True), (0.01, False)])
def test_the_train_panel_warns_when_many_labels_look_wrong(qtbot, project: Project, noise: float, warns: bool) -> None:
    from bertdesk.gui.panels.train_panel import TrainPanel

    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    assert panel.label_check.button.text() == "Check labels"
    assert not panel.label_check.warns
    project.store_label_review(_review(noise))
    panel.show()
    qtbot.waitUntil(lambda: panel.label_check.button.text() == "Review suspicious labels")
    assert panel.label_check.warns is warns
    with qtbot.waitSignal(panel.review_requested):
        panel.label_check.button.click()


def test_the_window_action_opens_the_suspicious_view_and_the_train_panel_leads_there(qtbot, window, project: Project) -> None:
    project.store_label_review(_review())
    window.set_project(project)
    window.show_panel_widget(window.train_panel)
    window.train_panel.label_check.button.click()
    assert window.current_panel() is window.label_panel
    assert window.label_panel.reviewing() and window.label_panel.current_row == 0
    window.show_panel_widget(window.data_panel)
    window.suspicious_action.trigger()
    assert window.current_panel() is window.label_panel and window.label_panel.reviewing()

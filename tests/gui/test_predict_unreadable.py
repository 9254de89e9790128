"""The Predict panel warns, before predicting, when the run's model cannot read the text column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bertdesk.core.ml.vocabulary_coverage import PREDICT_FIX, Coverage
from bertdesk.core.project import Project
from bertdesk.gui.panels.predict_panel import PredictPanel, unreadable_warning
from tests.tiny_model import tiny_texts

CHINESE = ["这本书太好了，我一口气买了五本", "质量很差，送货也慢，不推荐", "非常满意，物流很快", "内容空洞，浪费时间"] * 5


def _predict(qtbot, tmp_path: Path, model_dir: Path, texts: list[str]) -> tuple[PredictPanel, Project]:
    project = Project.create(tmp_path / "p.bertdesk", pd.DataFrame({"评论": texts}), text_column="评论")
    run = project.add_run(status="finished", model_dir=str(model_dir), config={}, metrics={"labels": ["neg", "pos"]})
    project.set_active_run(run)
    panel = PredictPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_project(project)
    qtbot.waitUntil(lambda: panel.job is None, timeout=20_000)
    assert panel.start_prediction("all") is not None
    qtbot.waitUntil(lambda: panel.job is None, timeout=60_000)
    return panel, project


def test_chinese_text_gets_the_warning(qtbot, tmp_path: Path, tiny_model_dir: Path) -> None:
    panel, project = _predict(qtbot, tmp_path, tiny_model_dir, CHINESE)
    shown = panel.unreadable_notice.text()
    assert shown.startswith("The model cannot read 100% of the words in this column (评论)")
    assert "Use a model trained from a model folder for that language" in shown
    assert not panel.unreadable_notice.isHidden()
    assert panel.model.rowCount() == len(CHINESE)  # predicting still went on
    project.close()


def test_readable_text_gets_no_warning(qtbot, tmp_path: Path, tiny_model_dir: Path) -> None:
    panel, project = _predict(qtbot, tmp_path, tiny_model_dir, tiny_texts(20)[0])
    assert panel.unreadable_notice.isHidden() and panel.unreadable_notice.text() == ""
    project.close()


@pytest.mark.parametrize(
    "coverage",
    [
        Coverage(unknown=90, tokens=100, unreadable=10, measured=10, total=10),  # every text measured, most unreadable
        Coverage(unknown=30, tokens=100, unreadable=0, measured=2_000, total=12_345),  # a sample, few texts unreadable
        Coverage(unknown=5, tokens=100, unreadable=600, measured=2_000, total=2_000),  # few tokens, many texts
        Coverage(unknown=1, tokens=100, unreadable=0, measured=50, total=50),  # no warning
        Coverage(),  # nothing measured
    ],
)
@pytest.mark.parametrize("column", ["评论", "text {0}", None])
def test_the_interface_builds_cores_warning_word_for_word(coverage: Coverage, column: str | None) -> None:
    # The GUI's translatable sentence must read exactly as core's (and the CLI's) in English.
    assert unreadable_warning(coverage, column) == (coverage.message(column, fix=PREDICT_FIX) or "")

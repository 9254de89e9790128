"""The Data panel's column summary shows how much of the text the chosen model cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from bertdesk.core.ml.training_config import PROJECT_SETTINGS_KEY
from bertdesk.core.project import Project
from bertdesk.gui.panels.data_panel import DataPanel
from tests.tiny_model import tiny_texts

CHINESE = ["这本书太好了，我一口气买了五本", "质量很差，送货也慢，不推荐", "非常满意，物流很快", "内容空洞，浪费时间"] * 5


def _panel(qtbot, project: Project) -> DataPanel:
    panel = DataPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    panel.show()
    qtbot.waitUntil(lambda: "unreadable by the model" in panel.summary_label.text(), timeout=30_000)
    return panel


def test_chinese_text_and_the_bundled_model_warn_in_the_summary(qtbot, tmp_path: Path) -> None:
    frame = pd.DataFrame({"评论": CHINESE, "label": ["pos", "neg"] * 10})
    project = Project.create(tmp_path / "zh.bertdesk", frame, text_column="评论", label_column="label")
    panel = _panel(qtbot, project)
    summary = panel.summary_label.text()
    share = int(summary.split(" · ")[-1].split("%")[0])
    assert share >= 30, summary  # the bundled vocabulary has few Chinese characters
    assert not panel.unreadable_label.isHidden()
    assert panel.unreadable_label.text().startswith("The model cannot read ") and "(评论)" in panel.unreadable_label.text()
    project.close()


def test_a_model_that_reads_the_text_shows_zero_and_no_warning(qtbot, tmp_path: Path, tiny_encoder_dir: Path) -> None:
    texts, labels = tiny_texts(20)
    project = Project.create(
        tmp_path / "en.bertdesk", pd.DataFrame({"text": texts, "label": labels}), text_column="text", label_column="label"
    )
    project.set_setting(PROJECT_SETTINGS_KEY, json.dumps({"model": str(tiny_encoder_dir)}))  # as the Train panel stores it
    panel = _panel(qtbot, project)
    assert panel.summary_label.text().endswith(" · 0% of tokens unreadable by the model")
    assert panel.unreadable_label.isHidden()
    panel.set_project(None)
    assert panel.unreadable_label.isHidden()
    project.close()


def test_the_panels_own_coverage_lines_say_what_core_says_in_english() -> None:
    # The panel builds its lines itself (to translate them); in English they must be core's, word for word.
    from bertdesk.core.ml.vocabulary_coverage import Coverage
    from bertdesk.gui.widgets.unreadable_text import coverage_summary
    from bertdesk.gui.widgets.unreadable_text import train_warning as coverage_message

    cases = [
        Coverage(unknown=0, tokens=100, unreadable=0, measured=50, total=50),  # no warning
        Coverage(unknown=40, tokens=100, unreadable=5, measured=50, total=50),  # many [UNK]s, few bad texts
        Coverage(unknown=3, tokens=100, unreadable=30, measured=2000, total=9000),  # sampled, many bad texts
        Coverage(unknown=90, tokens=100, unreadable=1900, measured=2000, total=2500),
    ]
    for coverage in cases:
        assert coverage_summary(coverage) == coverage.summary()
        assert coverage_message(coverage, "评论") == coverage.message("评论")
    assert coverage_message(cases[0], "评论") is None

"""The Train panel warns when the chosen model cannot read the labelled text (Chinese, bundled model)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bertdesk.core.project import Project
from bertdesk.gui.panels.train_panel import TrainPanel
from tests.tiny_model import tiny_texts

CHINESE = ["这本书太好了，我一口气买了五本", "质量很差，送货也慢，不推荐", "非常满意，物流很快", "内容空洞，浪费时间"] * 5


def _shown_panel(qtbot, tmp_path: Path, texts: list[str], labels: list[str], model: str) -> tuple[TrainPanel, Project]:
    project = Project.create(
        tmp_path / "t.bertdesk", pd.DataFrame({"评论": texts, "label": labels}), text_column="评论", label_column="label"
    )
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.settings.set_model_source(model)
    panel.set_project(project)
    panel.show()
    qtbot.waitUntil(lambda: "fit in" in panel.truncation.text() or "will be cut" in panel.truncation.text(), timeout=30_000)
    return panel, project


def test_chinese_text_with_the_bundled_model_shows_the_warning(qtbot, tmp_path: Path) -> None:
    panel, project = _shown_panel(qtbot, tmp_path, CHINESE, ["pos", "neg", "pos", "neg"] * 5, "default")
    shown = panel.truncation.unreadable_text()
    assert shown.startswith("The model cannot read ") and "of the words in this column (评论)" in shown
    assert "Train panel: Model > Model folder…" in shown
    assert not panel.truncation.unreadable.isHidden()
    project.close()


def test_english_text_shows_no_warning(qtbot, tmp_path: Path, tiny_encoder_dir: Path) -> None:
    texts, labels = tiny_texts(20)
    panel, project = _shown_panel(qtbot, tmp_path, texts, labels, str(tiny_encoder_dir))
    assert panel.truncation.unreadable_text() == "" and panel.truncation.unreadable.isHidden()
    project.close()

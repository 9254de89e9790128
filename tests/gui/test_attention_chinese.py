"""The Attention panel on Chinese text: the model's tokens are the characters, drawn in a Chinese font.

A font lacking a glyph leaves it to Qt's fallback, which under an English or C locale picks a
Japanese CJK family (Japanese glyphs for many characters) and, with no CJK font at all, draws
empty boxes. So the test looks at what Qt's text engine (the one ``QPainter.drawText`` uses)
actually draws each character with: a real glyph, from a simplified-Chinese family.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QRawFont, QTextLayout

from bertdesk.core.ml.attention import NO_CLASSIFIER, NO_SALIENCY, AttentionExplainer, Truncation
from bertdesk.core.progress import Progress
from bertdesk.core.project import Project
from bertdesk.gui.panels.attention_panel import CORE_LINES, LOADING, TAB_HEAD, AttentionPanel
from bertdesk.gui.widgets.attention_heatmap import reads_upright
from bertdesk.gui.widgets.chinese_font import simplified_chinese_family
from tests.gui.conftest import wait_for_job
from tests.tiny_families import CHINESE_CHARS, make_family_model, tiny_chinese_texts


def _drawn_with(font: QFont, text: str) -> list[tuple[str, QRawFont, int]]:
    """(character, font that draws it, glyph index) for each character of ``text`` in ``font``."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    drawn: list[tuple[str, QRawFont, int]] = []
    for run in layout.glyphRuns(-1, -1, QTextLayout.GlyphRunRetrievalFlag.RetrieveAll):
        drawn += [(text[i], run.rawFont(), glyph) for glyph, i in zip(run.glyphIndexes(), run.stringIndexes())]
    return drawn


def _no_chinese_font() -> bool:
    return not QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)


def test_a_chinese_row_is_explained_and_its_tokens_drawn_in_a_chinese_font(qtbot, window, tmp_path: Path) -> None:
    if _no_chinese_font():
        pytest.skip("no font with Chinese glyphs is installed (fc-list :lang=zh is empty; e.g. apt-get install fonts-noto-cjk)")
    model = make_family_model(tmp_path / "zh-model", "bert", labels=("neg", "pos"), words=CHINESE_CHARS)
    texts, _labels = tiny_chinese_texts(6)
    path = tmp_path / "zh.bertdesk"
    Project.create(path, pd.DataFrame({"text": texts}), text_column="text").close()
    window.open_path(path)
    wait_for_job(qtbot, window)
    run = window.project.add_run(status="finished", model_dir=str(model), config={}, metrics={"labels": ["neg", "pos"]})
    window.project.set_active_run(run)
    panel: AttentionPanel = window.attention_panel
    assert panel.model_dir == str(model)

    # A double-click on the second row of the data table explains it, with the Chinese model.
    table = window.data_panel.table
    table.doubleClicked.emit(table.model().index(1, 0))
    qtbot.waitUntil(lambda: panel.maps is not None and not panel.is_busy(), timeout=60_000)
    text = texts[1]
    assert panel.maps.text == text and panel.maps.model_name == "zh-model"
    assert panel.maps.tokens[1:-1] == list(text) and "[UNK]" not in panel.maps.tokens

    # What the head view and the token view show: every character as its own token.
    panel.tabs.setCurrentIndex(TAB_HEAD)
    panel.heatmap.grab()  # paints the axes now
    for axis in (panel.heatmap.left_axis, panel.heatmap.top_axis):
        assert axis.tokens[1:-1] == list(text)
        assert axis.drawn == list(range(len(axis.tokens)))  # short text: every token named
    assert panel.token_view.row_tokens[1:-1] == list(text) == panel.token_view.col_tokens[1:-1]

    chinese = simplified_chinese_family()
    latin = QFontInfo(QFont()).family()
    for where, font in (
        ("heatmap rows", panel.heatmap.left_axis.label_font),
        ("heatmap columns", panel.heatmap.top_axis.label_font),
        ("token view", panel.token_view.font()),
        ("saliency", panel.saliency_view.font()),
    ):
        for char, raw, glyph in _drawn_with(font, text):
            family = raw.familyName()
            assert glyph != 0 and raw.supportsCharacter(ord(char)), f"{where}: {char} has no glyph in {family}"
            assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family), (where, char, family)
            if chinese is not None:  # a simplified-Chinese family is installed: that one, not a Japanese one
                assert family == chinese, f"{where}: {char} drawn with {family}, not {chinese}"
        # Latin text keeps the widget's own family.
        assert {raw.familyName() for _, raw, _ in _drawn_with(font, "[CLS]")} == {latin}, where


@pytest.mark.parametrize("token", ["质", "。", "质量", "ひらがな", "한국", "！"])
def test_chinese_tokens_stand_upright_on_the_top_axis(token: str) -> None:
    """Turned a quarter like Latin tokens, Chinese characters would lie on their side."""
    assert reads_upright(token)


@pytest.mark.parametrize("token", ["[CLS]", "##ing", "the", "a质", "质a", ""])
def test_latin_and_mixed_tokens_are_turned_on_the_top_axis(token: str) -> None:
    assert not reads_upright(token)


def test_the_lines_core_writes_are_the_ones_marked_for_translation(tiny_model_dir: Path) -> None:
    """The panel translates core's English lines by their text: a change in core must change its copy."""
    assert NO_CLASSIFIER in CORE_LINES and NO_SALIENCY in CORE_LINES
    explainer = AttentionExplainer()
    seen: list[Progress] = []
    maps = explainer.explain(str(tiny_model_dir), "the parcel was late", saliency=False, on_progress=seen.append)
    explainer.saliency(str(tiny_model_dir), maps, on_progress=seen.append)
    shown = [p.message for p in seen if not (p.total and p.done >= p.total)]  # the panel skips "Done"
    assert any(m.startswith(LOADING) for m in shown) and "Computing saliency…" in shown
    for message in shown:
        assert message in CORE_LINES or (message.startswith(LOADING) and message.endswith("…")), message


@pytest.mark.parametrize("cut_text", ["refund refund refund", " ".join(f"word{i}" for i in range(40))])
def test_the_truncation_line_reads_as_cores_in_english(qtbot, cut_text: str) -> None:
    panel = AttentionPanel()
    qtbot.addWidget(panel)
    truncation = Truncation(total_tokens=203, max_tokens=128, cut_at=517, cut_text=cut_text)
    assert panel._truncation_line(truncation) == truncation.message

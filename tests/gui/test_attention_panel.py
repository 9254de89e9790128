"""The attention panel: what reaches the widgets (ImageItem arrays, grid cells, labels)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from bertdesk.gui.panels.attention_panel import MEAN, NO_CLASSIFIER, ROLLOUT, TAB_HEAD, AttentionPanel

TEXT = "the parcel was late and the app crashes"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wide_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 layers x 4 heads, so rows and columns of the grid cannot be confused."""
    from tests.tiny_model import make_tiny_model

    return make_tiny_model(tmp_path_factory.mktemp("wide") / "model", layers=3, heads=4)


@pytest.fixture
def panel(qtbot) -> AttentionPanel:
    widget = AttentionPanel()
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    yield widget
    if widget.job is not None:
        widget.job.cancel()
        widget.job.wait()


def explain(qtbot, panel: AttentionPanel, text: str, model: Path | str | None) -> None:
    panel.set_model(None if model is None else str(model))
    with qtbot.waitSignal(panel.busy_changed, timeout=60_000, check_params_cb=lambda busy: busy is False):
        panel.explain(text)


def test_heatmap_gets_exactly_the_selected_head_row_major(qtbot, panel: AttentionPanel, wide_model_dir: Path) -> None:
    explain(qtbot, panel, TEXT, wide_model_dir)
    maps = panel.maps
    assert maps is not None and maps.attentions.shape[:2] == (3, 4)
    image = panel.heatmap.image
    assert image.axisOrder == "row-major"
    # Layer 2, head 3 via a click on its grid cell.
    rect = panel.grid.cell_rect(1, 2)
    qtbot.mouseClick(panel.grid, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert panel.tabs.currentIndex() == TAB_HEAD
    assert panel.layer_slider.value() == 1 and panel.head_combo.currentData() == 2
    np.testing.assert_array_equal(image.image, maps.attentions[1, 2])
    assert image.image.flags["C_CONTIGUOUS"]
    assert panel.heatmap.left_axis.tokens == maps.tokens[:]  # short tokens are shown whole
    # Mean of heads and rollout.
    panel.head_combo.setCurrentIndex(panel.head_combo.findData(MEAN))
    np.testing.assert_allclose(image.image, maps.attentions[1].mean(axis=0), atol=1e-6)
    panel.head_combo.setCurrentIndex(panel.head_combo.findData(ROLLOUT))
    np.testing.assert_allclose(image.image, maps.rollout()[1], atol=1e-6)


def test_grid_has_layers_times_heads_cells(qtbot, panel: AttentionPanel, wide_model_dir: Path) -> None:
    explain(qtbot, panel, TEXT, wide_model_dir)
    assert panel.grid.layers == 3 and panel.grid.heads == 4 and panel.grid.cell_count == 12
    qtbot.waitUntil(lambda: panel.grid.is_complete, timeout=5_000)
    assert len(panel.grid.images) == 12
    assert sorted(panel.grid.images) == [(layer, head) for layer in range(3) for head in range(4)]


def test_hide_special_and_whole_words(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    explain(qtbot, panel, "the refunds were late", tiny_model_dir)
    maps = panel.maps
    n = len(maps.tokens)
    panel.hide_special_check.setChecked(True)
    assert panel.heatmap.image.image.shape == (n - 2, n - 2)
    assert "[CLS]" not in panel.heatmap.left_axis.tokens
    panel.hide_special_check.setChecked(False)
    panel.words_check.setChecked(True)
    words = maps.words()
    assert "refunds" in words
    assert panel.heatmap.image.image.shape == (len(words), len(words))
    np.testing.assert_allclose(panel.heatmap.image.image.sum(axis=1), 1.0, atol=1e-5)


def test_hover_shows_exact_weight(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    explain(qtbot, panel, TEXT, tiny_model_dir)
    panel.tabs.setCurrentIndex(TAB_HEAD)
    qtbot.wait(50)
    heatmap = panel.heatmap
    scene_pos = heatmap.plot.vb.mapViewToScene(QPointF(2.5, 1.5))  # key 2, query 1
    heatmap._on_scene_mouse_moved(scene_pos)
    weight = float(heatmap.matrix[1, 2])
    assert panel.hover_label.text().endswith(f"{weight:.4f}")
    assert panel.hover_label.textFormat() == Qt.TextFormat.PlainText


def test_classifier_shows_prediction_and_saliency(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    explain(qtbot, panel, TEXT, tiny_model_dir)
    maps = panel.maps
    assert panel.prediction_label.text().startswith(f"Prediction: {maps.predicted_label}")
    assert "neg" in panel.prediction_label.text() and "pos" in panel.prediction_label.text()
    assert len(panel.saliency_view.shades) == len(TEXT.split())
    assert panel.saliency_view.toPlainText() == TEXT
    assert max(s for _, _, s in panel.saliency_view.shades) == pytest.approx(1.0)


def test_headless_model_says_so(qtbot, panel: AttentionPanel, tiny_encoder_dir: Path) -> None:
    explain(qtbot, panel, TEXT, tiny_encoder_dir)
    assert panel.prediction_label.text() == NO_CLASSIFIER
    assert "no classifier" in panel.saliency_view.toPlainText()
    assert panel.grid.cell_count == 4


def test_truncation_message(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    explain(qtbot, panel, " ".join(["good"] * 200 + ["refund"]), tiny_model_dir)
    assert not panel.truncation_label.isHidden()
    assert "203 tokens" in panel.truncation_label.text() and "refund" in panel.truncation_label.text()
    explain(qtbot, panel, TEXT, tiny_model_dir)
    assert panel.truncation_label.isHidden()


@pytest.mark.parametrize(("text", "model", "message"), [("  ", None, "no text to explain"), (TEXT, "/no/such/folder", "No model folder")])
def test_bad_input_is_one_line_in_the_panel(qtbot, panel: AttentionPanel, tmp_path: Path, text: str, model, message: str) -> None:
    explain(qtbot, panel, text, model if model else tmp_path)
    assert not panel.error_label.isHidden()
    assert message in panel.error_label.text() or "config.json" in panel.error_label.text()
    assert "\n" not in panel.error_label.text()
    assert panel.explain_button.isEnabled()


def test_newer_text_supersedes(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    panel.set_model(str(tiny_model_dir))
    states: list[bool] = []
    panel.busy_changed.connect(states.append)
    panel.explain("the app crashes")
    panel.explain("good parcel")
    qtbot.waitUntil(lambda: states and states[-1] is False, timeout=60_000)
    assert states == [True, False]
    assert panel.maps.text == "good parcel"


def test_exports(qtbot, panel: AttentionPanel, tiny_model_dir: Path, tmp_path: Path) -> None:
    explain(qtbot, panel, TEXT, tiny_model_dir)
    for index in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(index)
        panel.export_view(str(tmp_path / f"view{index}.png"))
        panel.export_view(str(tmp_path / f"view{index}.svg"))
        assert (tmp_path / f"view{index}.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (tmp_path / f"view{index}.svg").read_bytes()
    panel.export_maps(str(tmp_path / "maps.npy"))
    panel.export_maps(str(tmp_path / "maps.json"))
    np.testing.assert_array_equal(np.load(tmp_path / "maps.npy"), panel.maps.attentions)
    assert json.loads((tmp_path / "maps.json").read_text(encoding="utf-8"))["tokens"] == panel.maps.tokens


def test_grab_smoke(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    explain(qtbot, panel, "the app 包裹 crashes שלום", tiny_model_dir)
    panel.grid.finish_now()
    pixmap = panel.grab()
    assert not pixmap.isNull() and pixmap.width() >= 1000
    image = pixmap.toImage()
    # Something besides the background was drawn in the grid area.
    colours = {image.pixel(x, y) for x in range(100, 1100, 37) for y in range(250, 700, 23)}
    assert len(colours) > 5


def test_panel_import_loads_no_torch() -> None:
    probe = "import sys, bertdesk.gui.panels.attention_panel; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    ).stdout
    assert out.split() == ["False", "False"]


def test_colour_scale_and_map(qtbot, panel: AttentionPanel, wide_model_dir: Path) -> None:
    explain(qtbot, panel, TEXT, wide_model_dir)
    att = panel.maps.attentions
    panel._on_grid_cell_clicked(2, 1)
    for mode, high in (("head", att[2, 1].max()), ("layer", att[2].max()), ("global", att.max())):
        panel.scale_combo.setCurrentIndex(panel.scale_combo.findData(mode))
        low, top = panel.heatmap.image.levels
        assert (low, top) == (0.0, pytest.approx(float(high)))
    from bertdesk.core.ml.attention_png import colour_lut

    panel.colour_combo.setCurrentText("magma")
    np.testing.assert_array_equal(panel.heatmap.image.lut, colour_lut("magma"))
    qtbot.waitUntil(lambda: panel.grid.is_complete, timeout=5_000)  # the grid was redrawn in the new colours


def test_token_view_hover_highlights_links(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    explain(qtbot, panel, TEXT, tiny_model_dir)
    panel.tabs.setCurrentIndex(2)
    view = panel.token_view
    qtbot.wait(50)
    left, _right = view._columns()
    qtbot.mouseMove(view, pos=QPointF(left - 10, 8 + 2.5 * 18).toPoint())  # third query token
    assert view._hover == ("q", 2)
    highlighted = view._highlighted()
    assert ("q", 2) in highlighted
    strongest = int(np.argmax(view.matrix[2]))
    assert ("k", strongest) in highlighted

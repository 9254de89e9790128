"""The attention panel: what reaches the widgets (ImageItem arrays, grid cells, labels)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

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


# -- issue 12, item 12: the panel under real keys and clicks ----------------------------------------
LONG_TEXT = " ".join(f"word{i} was fine" for i in range(40))  # over 120 tokens


def test_ctrl_enter_explains_the_typed_text(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    panel.set_model(str(tiny_model_dir))
    panel.text_edit.setFocus()
    qtbot.keyClicks(panel.text_edit, "the refunds were late")
    with qtbot.waitSignal(panel.busy_changed, timeout=60_000, check_params_cb=lambda busy: busy is False):
        qtbot.keyClick(panel.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.maps is not None and panel.maps.text == "the refunds were late"
    assert panel.text_edit.toPlainText() == "the refunds were late"  # no new line typed
    assert panel.prediction_label.text().startswith("Prediction: ")
    # The result's line, not the last job's "Done" or "Computing saliency…".
    assert panel.status_label.text().startswith("Model: ") and "tokens" in panel.status_label.text()
    assert "Ctrl+Enter" in panel.explain_button.toolTip()


def test_editing_the_text_clears_the_stale_prediction(qtbot, panel: AttentionPanel, tiny_model_dir: Path) -> None:
    """Seen under Xvfb: after an edit the old prediction stayed beside "Done" until Explain was clicked."""
    explain(qtbot, panel, TEXT, tiny_model_dir)
    assert panel.prediction_label.text().startswith("Prediction: ")
    panel.text_edit.setFocus()
    panel.text_edit.moveCursor(panel.text_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.text_edit, " again")
    assert panel.prediction_label.text() == ""
    assert "Text edited" in panel.status_label.text() and "Ctrl+Enter" in panel.status_label.text()
    # Explaining the edited text brings a prediction back.
    with qtbot.waitSignal(panel.busy_changed, timeout=60_000, check_params_cb=lambda busy: busy is False):
        qtbot.mouseClick(panel.explain_button, Qt.MouseButton.LeftButton)
    assert panel.maps.text == TEXT + " again" and panel.prediction_label.text().startswith("Prediction: ")


def _explain_in_window(qtbot, window, model: Path, text: str) -> AttentionPanel:
    window.resize(1280, 800)
    panel = window.attention_panel
    window.show_panel_widget(panel)
    panel.set_model(str(model))
    with qtbot.waitSignal(panel.busy_changed, timeout=60_000, check_params_cb=lambda busy: busy is False):
        panel.explain(text)
    return panel


def _on_screen(widget, window) -> bool:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    bottom_right = widget.mapTo(window, widget.rect().bottomRight())
    return window.rect().contains(top_left) and window.rect().contains(bottom_right) and not widget.visibleRegion().isEmpty()


def test_head_view_hover_value_is_on_screen_at_1280x800(qtbot, window, tiny_model_dir: Path) -> None:
    """Seen under Xvfb: the hovered weight sat below the map, off a 1280x800 screen."""
    panel = _explain_in_window(qtbot, window, tiny_model_dir, LONG_TEXT)
    qtbot.mouseClick(panel.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=panel.tabs.tabBar().tabRect(TAB_HEAD).center())
    assert panel.tabs.currentIndex() == TAB_HEAD
    qtbot.wait(50)
    heatmap = panel.heatmap
    heatmap._on_scene_mouse_moved(heatmap.plot.vb.mapViewToScene(QPointF(3.5, 5.5)))
    assert panel.hover_label.text().endswith(f"{float(heatmap.matrix[5, 3]):.4f}")
    assert _on_screen(panel.hover_label, window)


def test_token_view_scrolls_with_one_scroll_bar(qtbot, window, tiny_model_dir: Path) -> None:
    """Seen under Xvfb: the token view had two nested vertical scroll bars."""
    from PySide6.QtWidgets import QScrollArea

    panel = _explain_in_window(qtbot, window, tiny_model_dir, LONG_TEXT)
    for tab in (TAB_HEAD, 2):  # the head view first, as a user does: its map once made the panel taller
        qtbot.mouseClick(panel.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=panel.tabs.tabBar().tabRect(tab).center())
        qtbot.wait(50)
    qtbot.wait(50)
    areas, parent = [], panel.token_view.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.verticalScrollBar().isVisible():
            areas.append(parent)
        parent = parent.parentWidget()
    assert areas == [panel.token_scroll]  # the token list is longer than the view: it scrolls, once
    assert _on_screen(panel.token_scroll, window)


def test_row_labels_sit_beside_the_map_and_name_every_token(qtbot) -> None:
    """Seen under Xvfb: the row labels were far left of the map and only every second token was named."""
    from bertdesk.core.ml.attention_png import colour_lut
    from bertdesk.gui.widgets.attention_heatmap import AttentionHeatmap

    heatmap = AttentionHeatmap()
    qtbot.addWidget(heatmap)
    heatmap.resize(1100, 560)  # the head view in a 1280x800 window
    heatmap.show()
    tokens = [f"tok{i}" for i in range(64)]
    matrix = np.random.default_rng(0).random((64, 64)).astype(np.float32)
    heatmap.set_matrix(matrix, tokens, tokens, levels=(0.0, 1.0), lut=colour_lut("viridis"))
    qtbot.wait(50)
    heatmap.grab()  # paints the axes
    map_left = heatmap.plot.vb.mapViewToScene(QPointF(0, 0)).x()
    labels_right = heatmap.left_axis.sceneBoundingRect().right()
    assert 0 <= map_left - labels_right <= 3
    map_top = heatmap.plot.vb.mapViewToScene(QPointF(0, 0)).y()
    assert abs(map_top - heatmap.top_axis.sceneBoundingRect().bottom()) <= 3
    assert heatmap.left_axis.drawn == list(range(64))
    assert heatmap.top_axis.drawn == list(range(64))
    # Square cells.
    corner = heatmap.plot.vb.mapViewToScene(QPointF(1, 1)) - heatmap.plot.vb.mapViewToScene(QPointF(0, 0))
    assert abs(corner.x() - corner.y()) < 0.01


def test_exported_png_carries_the_text_and_prediction(qtbot, panel: AttentionPanel, tiny_model_dir: Path, tmp_path: Path) -> None:
    """Seen: the exported PNG had only the map, no text or prediction on it."""
    from PySide6.QtGui import QImage

    explain(qtbot, panel, TEXT, tiny_model_dir)
    panel.tabs.setCurrentIndex(TAB_HEAD)
    qtbot.wait(50)
    path = tmp_path / "head.png"
    panel.export_view(str(path))
    image = QImage(str(path))
    assert image.text("Text") == TEXT
    prediction = image.text("Prediction")
    assert prediction.startswith(f"Prediction: {panel.maps.predicted_label}") and "%" in prediction
    assert image.text("View") == "Head view: Layer " + panel.current_view()[3].split("Layer ", 1)[1]
    # The caption is drawn too: a band of dark text pixels above the map, which follows below it.
    band = image.height() - panel.heatmap.height()
    assert band > 30 and image.width() >= panel.heatmap.width()
    dark = sum(1 for x in range(0, image.width(), 2) for y in range(band) if QColor(image.pixel(x, y)).lightness() < 100)
    assert dark > 100
    svg = tmp_path / "head.svg"
    panel.export_view(str(svg))
    assert TEXT in svg.read_text(encoding="utf-8") and "Prediction: " in svg.read_text(encoding="utf-8")

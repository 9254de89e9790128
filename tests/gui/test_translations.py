"""The 简体中文 interface is complete: every marked string is in the .ts and translated, the .qm is
built from it, and no panel shows an English word when the interface is Chinese.

The last check is what catches a string nobody marked for translation: it walks every visible
widget, menu, tab, header and tooltip of a window that has trained, predicted and explained, and
fails on any English word that is not data (the project's texts, labels, column names, file
names) or a technical name written the same in Chinese (BERT, GPU, CSV, F1...).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QTabBar,
    QTableView,
    QTreeView,
    QWidget,
)

from bertdesk.core.ml.devices import cpu_name
from bertdesk.gui import i18n
from tests.gui.conftest import wait_for_job

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
TS = I18N / "bertdesk_zh_CN.ts"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# Names that Chinese software writes as they are (products, formats, units, keys, number formats).
TECHNICAL = {
    "bertdesk", "BERT", "GPU", "GPUs", "CPU", "CUDA", "CSV", "TSV", "Excel", "Parquet", "JSON", "PNG", "SVG",
    "xlsx", "csv", "tsv", "parquet", "F1", "token", "tokens", "UNK", "CLS", "SEP", "PAD", "MiniLM", "L6", "v2",
    "fp32", "bf16", "fp16", "torchrun", "Ctrl", "Shift", "Alt", "Esc", "Enter", "Space", "Tab", "Del",
    "Backspace", "PgUp", "PgDn", "Home", "End", "Up", "Down", "Left", "Right", "ms", "MB", "GB", "KB", "px",
    "AdamW", "SetFit", "Hugging", "Face", "Hub", "ID", "ELECTRA", "RoBERTa", "DistilBERT", "DeBERTa", "XLM",
    "English",  # View > Language names each language in itself
    "rollout",  # attention rollout (Abnar & Zuidema 2020), named beside its Chinese term
    "viridis", "magma", "inferno", "plasma", "greys",  # colormap names, as in matplotlib
}  # fmt: skip
QUOTED = re.compile(r"“[^”]*”")  # quoted data: a label, a cut-off piece of a row's text
RUN_FOLDER = re.compile(r"run-\d{3}-\d{8}-\d{6}")  # a trained model's folder name: data
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*[A-Za-z0-9]")


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(ts).getroot()
    return [
        (context.findtext("name") or "", message.findtext("source") or "", message.find("translation"))  # type: ignore[misc]
        for context in root.iter("context")
        for message in context.iter("message")
    ]


def test_every_marked_string_in_the_code_is_in_the_ts(tmp_path: Path) -> None:
    copy = tmp_path / TS.name
    shutil.copy(TS, copy)
    sources = sorted(str(p) for p in [*(ROOT / "bertdesk" / "gui").rglob("*.py"), ROOT / "bertdesk" / "app.py"])
    subprocess.run(["pyside6-lupdate", *sources, "-ts", str(copy), "-no-obsolete", "-locations", "none", "-silent"], check=True)
    committed = {(c, s) for c, s, _ in _messages(TS)}
    missing = [f"[{c}] {s}" for c, s, _ in _messages(copy) if (c, s) not in committed]
    assert missing == [], "not in the .ts (run packaging/update-translations.sh and translate them):\n" + "\n".join(missing)


def test_every_string_is_translated_with_its_placeholders() -> None:
    problems = []
    for context, source, translation in _messages(TS):
        text = translation.text or ""
        if translation.get("type") in ("unfinished", "vanished", "obsolete") or not text.strip():
            problems.append(f"unfinished: [{context}] {source}")
        elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
            problems.append(f"placeholders differ: [{context}] {source!r} -> {text!r}")
    assert len(_messages(TS)) > 0
    assert problems == []


def test_the_qm_is_built_from_the_ts(tmp_path: Path) -> None:
    built = tmp_path / "built.qm"
    subprocess.run(["pyside6-lrelease", str(TS), "-qm", str(built), "-silent"], check=True)
    assert built.read_bytes() == (I18N / "bertdesk_zh_CN.qm").read_bytes(), "run packaging/update-translations.sh"


def _texts_of(widget: QWidget) -> list[str]:
    texts = [widget.toolTip(), widget.windowTitle() if widget.isWindow() else ""]
    if isinstance(widget, QLabel):
        texts.append(re.sub(r"<[^>]+>", " ", widget.text()))
    elif isinstance(widget, QAbstractButton):
        texts.append(widget.text())
    elif isinstance(widget, QGroupBox):
        texts.append(widget.title())
    elif isinstance(widget, QLineEdit):
        texts.append(widget.placeholderText())
    elif isinstance(widget, QComboBox):
        texts.extend(widget.itemText(i) for i in range(widget.count()))
    elif isinstance(widget, QTabBar):
        texts.extend(widget.tabText(i) for i in range(widget.count()))
    elif isinstance(widget, QListWidget):  # the sidebar, label lists: their items are the interface
        texts.extend(widget.item(r).text() for r in range(min(widget.count(), 50)))
    elif isinstance(widget, QTableView | QTreeView) and widget.model() is not None:
        model = widget.model()
        texts.extend(str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(model.columnCount()))
    return [t for t in texts if t]


def _menu_texts(menu: QMenu) -> list[str]:
    texts = [menu.title()]
    for action in menu.actions():
        texts.extend([action.text(), action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""])
        if action.menu() is not None:
            texts.extend(_menu_texts(action.menu()))
    return [t for t in texts if t]


def _english_words(text: str, data: re.Pattern[str]) -> list[str]:
    text = data.sub(" ", text)
    text = RUN_FOLDER.sub(" ", text)
    text = QUOTED.sub(" ", text)
    return [w for w in ENGLISH_WORD.findall(text.replace("&", "")) if w not in TECHNICAL]


@pytest.fixture
def chinese(qapp):
    assert i18n.install_translators(qapp, "zh_CN")
    yield
    i18n.install_translators(qapp, "en")


def test_no_panel_shows_english_in_the_chinese_interface(chinese, qtbot, app_settings, tmp_path: Path, tiny_encoder_dir: Path) -> None:
    from bertdesk.gui.main_window import MainWindow

    window = MainWindow(settings=app_settings, data_dir=tmp_path / "appdata")
    qtbot.addWidget(window)
    window.show()
    window.open_sample()
    wait_for_job(qtbot, window)
    project = window.project
    assert project is not None
    frame = pd.read_csv(ROOT / "resources" / "sample" / "customer_feedback.csv", dtype=str, keep_default_na=False)
    data = {*frame.columns, *(v for column in frame.columns for v in frame[column])}
    data |= {str(tiny_encoder_dir), tiny_encoder_dir.name, str(project.path), str(tmp_path)}
    data |= {"customer_feedback.csv", "customer_feedback", "all-MiniLM-L6-v2"}  # the sample's file, the bundled model
    data.add(cpu_name())  # this machine's processor, as the device list names it
    # Values with words only: an id like "3" would otherwise cut "fp32" into "fp".
    data_first = sorted((d for d in data if re.search(r"[A-Za-z]{2}", d)), key=len, reverse=True)
    # Whole words only (the column "id" is not taken out of "viridis"), longest value first.
    data_pattern = re.compile(r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, data_first)) + r")(?![A-Za-z])")

    seen: dict[str, list[str]] = {}

    def walk(where: str) -> None:
        texts = [window.windowTitle()]
        for widget in window.findChildren(QWidget):
            if widget.isVisibleTo(window):
                texts.extend(_texts_of(widget))
        for action in window.menuBar().actions():
            if action.menu() is not None:
                texts.extend(_menu_texts(action.menu()))
        for text in texts:
            words = _english_words(text, data_pattern)
            if words:
                seen.setdefault(text, []).append(where)

    for row in range(window.sidebar.count()):  # every panel as it first shows
        window.show_panel(row)
        qtbot.wait(200)
        walk(f"panel {row} before training")

    train = window.train_panel
    window.show_panel_widget(train)
    train.settings.set_model_source(str(tiny_encoder_dir))
    train.settings.set_preset("Fast")
    train.start_training()
    qtbot.waitUntil(lambda: not train.is_training(), timeout=300_000)
    walk("Train panel after training")

    predict = window.predict_panel
    window.show_panel_widget(predict)
    predict.start_prediction("all")
    qtbot.waitUntil(lambda: predict.job is None and project.predictions() is not None, timeout=120_000)
    for tab in range(predict.tabs.count()):
        predict.tabs.setCurrentIndex(tab)
        qtbot.wait(300)
        walk(f"Predict panel, tab {tab}")

    predict.table.doubleClicked.emit(predict.table.model().index(2, 1))
    attention = window.attention_panel
    qtbot.waitUntil(lambda: attention.maps is not None and not attention.is_busy(), timeout=60_000)
    for tab in range(attention.tabs.count()):
        attention.tabs.setCurrentIndex(tab)
        qtbot.wait(300)
        walk(f"Attention panel, tab {tab}")

    for row in (0, 1):  # Data and Label panels with a model and predictions
        window.show_panel(row)
        qtbot.wait(300)
        walk(f"panel {row} after predicting")

    english = [f"{text!r} (in {', '.join(sorted(set(where)))})" for text, where in seen.items()]
    assert english == [], "English in the Chinese interface:\n" + "\n".join(english)

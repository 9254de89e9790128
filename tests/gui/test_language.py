"""The interface language: chosen from the system locale, overridden (and remembered) in View > Language."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QMessageBox

from bertdesk.gui import i18n
from bertdesk.gui.main_window import MainWindow, restart_command


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh_CN", "zh_CN"),
        ("zh_SG", "zh_CN"),  # simplified characters too
        ("zh_TW", "en"),  # traditional characters: another written language, not translated
        ("zh_HK", "en"),
        ("en_US", "en"),
        ("de_DE", "en"),  # no German translation: English
    ],
)
def test_the_system_locale_picks_the_language(locale: str, expected: str) -> None:
    assert i18n.system_language(QLocale(locale)) == expected


def test_the_users_choice_wins_over_the_system() -> None:
    assert i18n.chosen_language("en", QLocale("zh_CN")) == "en"
    assert i18n.chosen_language("zh_CN", QLocale("en_US")) == "zh_CN"
    assert i18n.chosen_language(i18n.SYSTEM, QLocale("zh_CN")) == "zh_CN"
    assert i18n.chosen_language("xx_YY", QLocale("en_US")) == "en"  # an unknown stored value: the system's


def test_chinese_translators_translate_bertdesk_and_qt_and_english_removes_them(qapp) -> None:
    loaded = i18n.install_translators(qapp, "zh_CN")
    try:
        assert any(path.endswith("bertdesk_zh_CN.qm") for path in loaded)
        assert any(path.endswith("qtbase_zh_CN.qm") for path in loaded)  # Qt's standard dialogs
        assert QCoreApplication.translate("MainWindow", "&View") != "&View"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") != "Cancel"
    finally:
        assert i18n.install_translators(qapp, "en") == []
    assert QCoreApplication.translate("MainWindow", "&View") == "&View"


def test_view_language_remembers_the_choice_and_offers_a_restart(qtbot, window: MainWindow, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)  # "Later"
    restarted: list[bool] = []
    monkeypatch.setattr(MainWindow, "restart", lambda self: restarted.append(True) or True)
    actions = {action.data(): action for action in window.language_menu.actions()}
    assert set(actions) == {"", "en", "zh_CN"} and actions[""].isChecked()  # the system's, until chosen
    assert actions["zh_CN"].text() == "简体中文"  # each language named in itself
    actions["zh_CN"].trigger()
    assert window.settings.language() == "zh_CN" and actions["zh_CN"].isChecked()
    assert shown == ["bertdesk will be shown in 简体中文 from its next start."] and restarted == []
    actions["zh_CN"].trigger()  # the same again: nothing to say
    assert len(shown) == 1


def test_restart_reopens_the_same_project() -> None:
    program, args = restart_command("/data/p.bertdesk")
    assert program == sys.executable and args == ["-m", "bertdesk", "/data/p.bertdesk"]
    assert restart_command(None)[1] == ["-m", "bertdesk"]


def test_qts_own_translation_is_found_in_pyside6_when_qlibraryinfo_points_elsewhere(monkeypatch, tmp_path) -> None:
    # A frozen bundle's qt.conf may point Qt's translations path at a folder without them.
    monkeypatch.setattr(i18n.QLibraryInfo, "path", lambda _which: str(tmp_path / "nowhere"))
    found = i18n._qt_translation("qtbase_zh_CN.qm")
    assert found.is_file() and found.parent.parent.parent.name == "PySide6"

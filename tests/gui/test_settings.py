from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from bertdesk.gui.settings import MAX_RECENT, SETTINGS_VERSION, AppSettings, migrate


def make(tmp_path: Path) -> AppSettings:
    qs = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    migrate(qs)
    return AppSettings(qs)


def test_recent_files_persist_newest_first_and_capped(tmp_path: Path) -> None:
    settings = make(tmp_path)
    for i in range(MAX_RECENT + 3):
        settings.add_recent_file(tmp_path / f"p{i}.bertdesk")
    settings.add_recent_file(tmp_path / "p5.bertdesk")
    again = make(tmp_path)
    files = again.recent_files()
    assert len(files) == MAX_RECENT
    assert Path(files[0]).name == "p5.bertdesk"
    assert Path(files[1]).name == f"p{MAX_RECENT + 2}.bertdesk"
    assert len(set(files)) == len(files)


def test_single_recent_file_round_trips_as_a_list(tmp_path: Path) -> None:
    settings = make(tmp_path)
    settings.add_recent_file(tmp_path / "only one, with [odd] #chars%.bertdesk")
    assert [Path(f).name for f in make(tmp_path).recent_files()] == ["only one, with [odd] #chars%.bertdesk"]


def test_window_state_round_trip_and_version(tmp_path: Path) -> None:
    settings = make(tmp_path)
    settings.save_window(QByteArray(b"geo\x00\x01"), QByteArray(b"state"))
    again = make(tmp_path)
    assert bytes(again.window_geometry()) == b"geo\x00\x01"
    assert bytes(again.window_state()) == b"state"
    assert int(again.qsettings.value("settingsVersion")) == SETTINGS_VERSION

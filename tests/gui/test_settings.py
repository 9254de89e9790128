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


def write_ini(path: Path, text: str) -> QSettings:
    path.write_text(text, encoding="utf-8")
    return QSettings(str(path), QSettings.Format.IniFormat)


# What bertdesk wrote with settings version 1 (keys at the top level), as QSettings writes INI.
VERSION_1_INI = """[General]
lastDir=/home/ana/exports
recentFiles=/home/ana/reviews.bertdesk, /home/ana/tickets.bertdesk
settingsVersion=1

[window]
geometry=@ByteArray(geo)
state=@ByteArray(state)
"""


def test_an_old_layout_is_upgraded_and_read(tmp_path: Path) -> None:
    qs = write_ini(tmp_path / "old.ini", VERSION_1_INI)
    assert migrate(qs) == [2]  # only the steps newer than the file's version
    assert int(qs.value("settingsVersion")) == SETTINGS_VERSION == 2
    assert not qs.contains("recentFiles") and not qs.contains("lastDir")
    settings = AppSettings(QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat))  # as written to disk
    assert settings.recent_files() == ["/home/ana/reviews.bertdesk", "/home/ana/tickets.bertdesk"]
    assert settings.last_dir() == "/home/ana/exports"
    assert bytes(settings.window_geometry()) == b"geo"  # what the step does not touch stays
    text = (tmp_path / "old.ini").read_text(encoding="utf-8")
    assert "[files]" in text and "recentFiles" not in text
    assert migrate(QSettings(str(tmp_path / "old.ini"), QSettings.Format.IniFormat)) == []  # once only
    assert (tmp_path / "old.ini").read_text(encoding="utf-8") == text


def test_a_single_recent_file_stored_as_a_bare_string_becomes_a_list(tmp_path: Path) -> None:
    qs = write_ini(tmp_path / "one.ini", "[General]\nrecentFiles=/home/ana/only.bertdesk\nsettingsVersion=1\n")
    migrate(qs)
    assert qs.value("files/recent") == ["/home/ana/only.bertdesk"]
    assert AppSettings(qs).recent_files() == ["/home/ana/only.bertdesk"]


def test_each_step_runs_once_in_order_and_is_recorded(tmp_path: Path, monkeypatch) -> None:
    import bertdesk.gui.settings as settings_module

    ran: list[tuple[int, int]] = []

    def step(target: int):
        return lambda qs: ran.append((target, int(qs.value("settingsVersion", 0))))

    monkeypatch.setattr(settings_module, "UPGRADES", ((1, step(1)), (2, step(2)), (3, step(3))))
    monkeypatch.setattr(settings_module, "SETTINGS_VERSION", 3)
    fresh = QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat)
    assert settings_module.migrate(fresh) == [1, 2, 3]
    assert ran == [(1, 0), (2, 1), (3, 2)]  # each step sees the version the one before left
    assert settings_module.migrate(fresh) == [] and len(ran) == 3
    old = write_ini(tmp_path / "v2.ini", "[General]\nsettingsVersion=2\n")
    assert settings_module.migrate(old) == [3]


def test_settings_from_a_newer_bertdesk_are_left_alone(tmp_path: Path) -> None:
    text = "[General]\nrecentFiles=/home/ana/a.bertdesk\nsettingsVersion=7\nsomethingNew=true\n"
    qs = write_ini(tmp_path / "newer.ini", text)
    assert migrate(qs) == []
    qs.sync()
    assert (tmp_path / "newer.ini").read_text(encoding="utf-8") == text
    assert int(qs.value("settingsVersion")) == 7


def test_an_unreadable_version_upgrades_from_the_start_without_losing_anything(tmp_path: Path) -> None:
    qs = write_ini(tmp_path / "bad.ini", "[General]\nlastDir=/home/ana\nsettingsVersion=abc\n")
    assert migrate(qs) == [1, 2]
    assert AppSettings(qs).last_dir() == "/home/ana"

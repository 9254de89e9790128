"""``bertdesk FILE`` opens the app on FILE (packaging/bertdesk.desktop runs ``bertdesk %f``)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import bertdesk.__main__ as entry
from bertdesk.cli import build_parser
from bertdesk.commands import COMMAND_NAMES


@pytest.fixture
def gui_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    import bertdesk.app

    monkeypatch.setattr(bertdesk.app, "main", lambda argv=(): calls.append(list(argv)) or 0)
    return calls


@pytest.mark.parametrize("name", ["reviews.bertdesk", "sheet.xlsx", "survey.csv", "data.parquet", "Book1.ods"])
def test_a_file_opens_in_the_app(tmp_path: Path, gui_calls: list[list[str]], name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    assert entry.main([str(path)]) == 0
    assert gui_calls == [[str(path)]]


def test_a_file_with_any_suffix_that_exists_opens(tmp_path: Path, gui_calls: list[list[str]]) -> None:
    path = tmp_path / "export from crm"
    path.write_text("a,b\n1,2\n")
    assert entry.main([str(path)]) == 0
    assert gui_calls == [[str(path)]]


def test_a_missing_file_is_one_line_not_the_app(tmp_path: Path, gui_calls: list[list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.main([str(tmp_path / "gone.csv")]) == 2
    err = capsys.readouterr().err
    assert gui_calls == [] and err.count("\n") == 1 and "gone.csv" in err and "no such file" in err


def test_commands_still_win_over_files_named_like_them(tmp_path: Path, gui_calls: list[list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inspect").write_text("a file named like a command")
    with pytest.raises(SystemExit):  # argparse: "inspect" without its argument
        entry.main(["inspect"])
    assert gui_calls == []


def test_command_names_match_the_parser() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == COMMAND_NAMES


def test_a_folder_is_one_line_not_the_app(tmp_path: Path, gui_calls: list[list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "exports.csv"  # named like a table, but a folder
    folder.mkdir()
    assert entry.main([str(folder)]) == 2
    assert gui_calls == [] and "is a folder, not a file" in capsys.readouterr().err

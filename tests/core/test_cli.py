"""`bertdesk --version` and `bertdesk inspect`, run as a user runs them (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bertdesk import __version__
from tests.core.data_files import PNG, write_csv, write_xlsx


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bertdesk", *args], capture_output=True, text=True, timeout=120)


ROWS = [
    ["id", "review", "sentiment"],
    ["00123", "Great value, would buy again", "positive"],
    ["2", "NA", "negative"],
    ["3", "Broke after a day.\nNever again", "negative"],
    ["4", "ok I guess", "neutral"],
]


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"bertdesk {__version__}"


@pytest.mark.parametrize("name", ["plain.csv", "with space é #1 [x] 50% it's.csv", "报告.tsv"])
def test_inspect_json(tmp_path: Path, name: str) -> None:
    path = write_csv(tmp_path / name, ROWS, delimiter=";" if name == "plain.csv" else "\t", encoding="utf-8")
    result = run("inspect", str(path), "--json", "--preview", "3")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "file",
        "format",
        "encoding",
        "delimiter",
        "sheet",
        "header_row",
        "rows",
        "columns",
        "text_column",
        "label_column",
        "warnings",
        "preview",
    }
    assert data["header_row"] == 1
    assert Path(data["file"]).name == name
    assert data["format"] == ("csv" if name == "plain.csv" else "tsv")
    assert data["delimiter"] == (";" if name == "plain.csv" else "\t")
    assert data["encoding"] in ("utf-8", "ascii")
    assert data["rows"] == 4 and data["columns"] == ["id", "review", "sentiment"]
    assert data["text_column"] == "review" and data["label_column"] == "sentiment"
    assert data["sheet"] is None and data["warnings"] == []
    assert data["preview"] == [dict(zip(ROWS[0], r)) for r in ROWS[1:4]]  # 00123, NA and the newline kept


def test_inspect_xlsx_sheet_choice(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"First": [["a", "b"], ["x", "y"]], "Reviews": ROWS})
    data = json.loads(run("inspect", str(path), "--sheet", "Reviews", "--json").stdout)
    assert data["format"] == "xlsx" and data["sheet"] == "Reviews" and data["rows"] == 4
    assert data["encoding"] is None and data["delimiter"] is None


def test_inspect_text_output(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", ROWS)
    result = run("inspect", str(path))
    assert result.returncode == 0
    assert "Rows:      4" in result.stdout and "review" in result.stdout


@pytest.mark.parametrize("content, expected", [(b"", "empty"), (b"id,review\n", "no data rows"), (PNG, "PNG")])
def test_inspect_unreadable_file_exits_2_with_one_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad file.csv"
    path.write_bytes(content)
    result = run("inspect", str(path), "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "bad file.csv" in lines[0] and expected.lower() in lines[0].lower()
    assert "Traceback" not in result.stderr


def test_inspect_missing_file(tmp_path: Path) -> None:
    result = run("inspect", str(tmp_path / "nope.csv"))
    assert result.returncode == 2 and "nope.csv" in result.stderr and len(result.stderr.strip().splitlines()) == 1

"""``bertdesk import FILE --out P.bertdesk``: a project from a script, run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bertdesk.core.project import Project
from tests.core.data_files import write_csv, write_text, write_xlsx
from tests.tiny_model import tiny_texts

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bertdesk", *args], capture_output=True, text=True, timeout=timeout, env=ENV, cwd=ROOT)


def warnings_on_stderr(stderr: str) -> list[str]:
    return [line[len("Warning: ") :] for line in stderr.splitlines() if line.startswith("Warning: ")]


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    texts, labels = tiny_texts(40)
    rows = [["id", "review", "sentiment"]] + [[f"{i:05d}", t, lab] for i, (t, lab) in enumerate(zip(texts, labels))]
    return write_csv(tmp_path / "reviews.csv", rows)


def test_import_makes_a_project_that_train_accepts(labelled_csv: Path, tiny_encoder_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reviews.bertdesk"
    result = run("import", str(labelled_csv), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Project saved to {out}" in result.stdout
    texts, labels = tiny_texts(40)
    project = Project.open(out)
    try:
        assert project.row_count == 40
        assert project.columns == ["id", "review", "sentiment"]
        assert project.text_column == "review" and project.label_column == "sentiment"
        assert project.texts() == texts
        assert project.fetch_rows(0, 1)[0][0] == "00000"  # text kept as written
        assert project.labels() == dict(enumerate(labels))
        assert set(project.label_sources().values()) == {"imported"}
        assert project.label_counts() == {"neg": 20, "pos": 20}
    finally:
        project.close()

    trained = run(
        "train",
        str(out),
        "--model",
        str(tiny_encoder_dir),
        "--epochs",
        "1",
        "--max-length",
        "32",
        "--precision",
        "fp32",
        "--quiet",
        "--json",
        "--out",
        str(tmp_path / "model"),
    )
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout)["train_rows"] + json.loads(trained.stdout)["val_rows"] == 40


def test_json_reports_the_project_columns_labels_and_warnings(tmp_path: Path) -> None:
    # Two labels that differ only in case and a trailing space, and empty rows at the end.
    source = write_text(
        tmp_path / "tickets.csv",
        "id;message;category\n1;The app crashes on login;Bug\n"
        "2;Charged twice this month;billing\n3;Crash after the update;bug \n4;no category yet;\n;;\n;;\n",
    )
    out = tmp_path / "sub" / "tickets"  # no suffix: .bertdesk is added, as in the import dialog
    out.parent.mkdir()
    result = run("import", str(source), "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "project",
        "source",
        "format",
        "encoding",
        "delimiter",
        "sheet",
        "header_row",
        "rows",
        "columns",
        "text_column",
        "label_column",
        "labels",
        "warnings",
    }
    assert data["project"] == str(out.with_name("tickets.bertdesk").resolve()) and Path(data["project"]).is_file()
    assert data["source"] == str(source.resolve())
    assert (data["format"], data["encoding"], data["delimiter"], data["sheet"]) == ("csv", "utf-8", ";", None)
    assert data["header_row"] == 1 and data["rows"] == 4
    assert data["columns"] == ["id", "message", "category"]
    assert (data["text_column"], data["label_column"]) == ("message", "category")
    assert data["labels"] == {"Bug": 1, "billing": 1, "bug": 1}  # trimmed, case kept apart
    assert len(data["warnings"]) == 2
    assert "2 empty row(s) at the end were left out" in data["warnings"][0]
    assert "“Bug”" in data["warnings"][1] and "“bug”" in data["warnings"][1] and "case or spaces" in data["warnings"][1]
    assert warnings_on_stderr(result.stderr) == data["warnings"]


def test_xlsx_with_a_title_row_and_header_row(tmp_path: Path) -> None:
    rows = [["Customer feedback, March"], ["id", "review", "sentiment"]]
    rows += [[str(i), f"review number {i} says something", "pos" if i % 2 else "neg"] for i in range(10)]
    book = write_xlsx(tmp_path / "feedback.xlsx", {"Cover": [], "Feedback": rows})

    detected = run("import", str(book), "--out", str(tmp_path / "detected.bertdesk"), "--json")
    assert detected.returncode == 0, detected.stderr
    data = json.loads(detected.stdout)
    assert (data["format"], data["sheet"], data["header_row"], data["rows"]) == ("xlsx", "Feedback", 2, 10)
    assert data["columns"] == ["id", "review", "sentiment"] and data["labels"] == {"neg": 5, "pos": 5}
    assert any("row 2" in w and "skipped" in w for w in warnings_on_stderr(detected.stderr))

    chosen = run(
        "import",
        str(book),
        "--sheet",
        "Feedback",
        "--header-row",
        "2",
        "--text-col",
        "review",
        "--label-col",
        "sentiment",
        "--out",
        str(tmp_path / "chosen.bertdesk"),
        "--json",
    )
    assert chosen.returncode == 0, chosen.stderr
    assert {k: v for k, v in json.loads(chosen.stdout).items() if k not in ("project", "warnings")} == {
        k: v for k, v in data.items() if k not in ("project", "warnings")
    }

    title = run("import", str(book), "--header-row", "1", "--label-col", "", "--out", str(tmp_path / "title.bertdesk"), "--json")
    assert title.returncode == 0, title.stderr
    data = json.loads(title.stdout)
    assert data["header_row"] == 1 and data["rows"] == 11 and data["columns"][0] == "Customer feedback, March"
    assert data["label_column"] is None and data["labels"] == {}


def test_encoding_and_delimiter_options(tmp_path: Path) -> None:
    source = write_text(tmp_path / "legacy.txt", "id|text|label\n1|Très bien, merci|ok\n2|Ça ne marche pas|ko\n", encoding="latin-1")
    result = run("import", str(source), "--encoding", "latin-1", "--delimiter", "pipe", "--out", str(tmp_path / "p.bertdesk"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["encoding"], data["delimiter"], data["columns"]) == ("latin-1", "|", ["id", "text", "label"])
    project = Project.open(tmp_path / "p.bertdesk")
    try:
        assert project.texts() == ["Très bien, merci", "Ça ne marche pas"]
    finally:
        project.close()


def test_a_legacy_byte_past_the_preview_is_read_in_its_encoding(tmp_path: Path) -> None:
    # The first rows (and the first megabyte) are ASCII; the last row is cp1252. The full read
    # must still detect it, as `bertdesk inspect` does, not keep the preview's "utf-8" and show �.
    rows = "".join(f"{i},plain ascii text number {i} with some padding to make the file long\n" for i in range(40_000))
    source = tmp_path / "late.csv"
    source.write_bytes(("id,text\n" + rows + "99,café crème\n").encode("cp1252"))
    result = run("import", str(source), "--out", str(tmp_path / "p.bertdesk"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["encoding"] == "cp1252" and any("not UTF-8" in w for w in data["warnings"])
    project = Project.open(tmp_path / "p.bertdesk")
    try:
        assert project.texts()[-1] == "café crème"
    finally:
        project.close()


def _bad_inputs(tmp_path: Path, csv: Path) -> dict[str, tuple[list[str], str]]:
    (tmp_path / "taken.bertdesk").write_bytes(b"my own notes, not a project\n")
    (tmp_path / "a file").write_text("x")
    (tmp_path / "numbers.csv").write_text("a,b\n1,2\n3,4\n")
    out = str(tmp_path / "new.bertdesk")
    return {
        "existing out": ([str(csv), "--out", str(tmp_path / "taken.bertdesk")], "taken.bertdesk already exists"),
        "existing out, suffix added": ([str(csv), "--out", str(tmp_path / "taken")], "taken.bertdesk already exists"),
        "out is a folder": ([str(csv), "--out", str(tmp_path)], "is a folder"),
        "out under a file": ([str(csv), "--out", str(tmp_path / "a file" / "p.bertdesk")], "is a file, not a folder"),
        "out folder missing": ([str(csv), "--out", str(tmp_path / "no" / "p.bertdesk")], "does not exist"),
        "missing file": ([str(tmp_path / "nope.csv"), "--out", out], "nope.csv: file not found"),
        "unknown text column": ([str(csv), "--text-col", "Review", "--out", out], "no column named 'Review'"),
        "unknown label column": ([str(csv), "--label-col", "label", "--out", out], "no column named 'label'"),
        "same columns": ([str(csv), "--text-col", "review", "--label-col", "review", "--out", out], "must be different"),
        "header row 0": ([str(csv), "--header-row", "0", "--out", out], "--header-row must be 1 or more"),
        "header row past the end": ([str(csv), "--header-row", "99", "--out", out], "no row 99"),
        "no text column": ([str(tmp_path / "numbers.csv"), "--out", out], "--text-col"),
    }


BAD_INPUTS = [
    "existing out",
    "existing out, suffix added",
    "out is a folder",
    "out under a file",
    "out folder missing",
    "missing file",
    "unknown text column",
    "unknown label column",
    "same columns",
    "header row 0",
    "header row past the end",
    "no text column",
]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(labelled_csv: Path, tmp_path: Path, case: str) -> None:
    args, expected = _bad_inputs(tmp_path, labelled_csv)[case]
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = run("import", *args, "--json")
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0], lines[0]
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before  # untouched, byte for byte


def test_no_room_is_refused_before_reading(tmp_path: Path, tiny_disk: Path) -> None:
    texts, labels = tiny_texts(3000)
    source = write_csv(tmp_path / "reviews.csv", [["review", "sentiment"], *zip(texts, labels)])
    assert source.stat().st_size > 64 * 1024
    result = run("import", str(source), "--out", str(tiny_disk / "p.bertdesk"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "p.bertdesk" in lines[0] and "free" in lines[0], result.stderr
    assert list(tiny_disk.iterdir()) == []


def test_no_text_column_message_names_the_columns(tmp_path: Path) -> None:
    source = write_text(tmp_path / "numbers.csv", "amount,year\n1,2020\n3,2021\n")
    result = run("import", str(source), "--out", str(tmp_path / "p.bertdesk"))
    assert result.returncode == 2
    assert "'amount', 'year'" in result.stderr.strip()


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("big") / "big.csv"
    with source.open("w", encoding="utf-8") as f:
        f.write("id,text,label\n")
        f.writelines(f"{i},customer message number {i} about the parcel that came late again,{'ab'[i % 2]}\n" for i in range(300_000))
    return source


@pytest.mark.parametrize("when", ["as the import starts", "while the project is written"])
def test_ctrl_c_exits_130_and_leaves_no_project(big_csv: Path, tmp_path: Path, when: str) -> None:
    out = tmp_path / "big.bertdesk"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bertdesk", "import", str(big_csv), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=ROOT,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first progress line: from now on Ctrl+C cancels the import
    assert "Importing big.csv" in first, first
    if when == "while the project is written":
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob("big.bertdesk.tmp-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert list(tmp_path.glob("big.bertdesk.tmp-*")), "the project was never being written"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert time.monotonic() - sent < 30
    assert proc.returncode == 130, err
    assert "cancelled" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no project, no temporary file, no SQLite sidecar

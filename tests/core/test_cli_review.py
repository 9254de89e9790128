"""``bertdesk review`` and ``bertdesk similar``: JSON shape, 1-based rows, flipped labels first, nothing
written beside a spreadsheet, the review kept in a project, one-line errors with exit 2."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.cli import main
from bertdesk.core.project import Project
from tests.core.test_label_review import CUES, FLIPPED, topic_rows


@pytest.fixture
def tickets_csv(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    texts, labels = topic_rows(40)
    path = folder / "tickets.csv"
    pd.DataFrame({"id": range(100, 140), "ticket": texts, "topic": labels}).to_csv(path, index=False)
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_review_json_lists_the_flipped_rows_first_with_1_based_rows(
    tickets_csv: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in tickets_csv.parent.iterdir())
    code, out, err = run(
        ["review", str(tickets_csv), "--text-col", "ticket", "--label-col", "topic", "--model", str(tiny_encoder_dir), "--json"], capsys
    )
    assert code == 0, err
    report = json.loads(out)
    suspects = report["suspects"]
    assert suspects and all(set(s) == {"row", "label", "suggested", "score"} for s in suspects)
    # Most suspicious first: the three flipped rows, numbered as the app numbers rows (from 1).
    assert sorted(s["row"] for s in suspects[:3]) == [i + 1 for i in FLIPPED]
    assert [s["score"] for s in suspects] == sorted(s["score"] for s in suspects)
    texts, labels = topic_rows(40)
    for s in suspects[:3]:
        assert s["label"] == labels[s["row"] - 1] and s["suggested"] != s["label"]
    assert report["labelled_rows"] == 40 and set(report["noise_by_label"]) == {"billing", "delivery"}
    # Nothing was written beside the spreadsheet.
    assert sorted(p.name for p in tickets_csv.parent.iterdir()) == before


def test_review_text_report_and_top(tickets_csv: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["review", str(tickets_csv), "--model", str(tiny_encoder_dir), "--top", "2", "--quiet"], capsys)
    assert code == 0
    assert "Checked 40 labels (fast mode)" in out and "look wrong" in out
    assert "billing" in out and "delivery" in out and "%" in out  # the estimated noise per label
    table = out.split("most suspicious first")[1].splitlines()[2:]
    assert len(table) == 2
    texts, _ = topic_rows(40)
    for line in table:
        row = int(line.split()[0])
        assert row - 1 in FLIPPED and texts[row - 1][:20] in line


def test_review_of_a_project_is_stored_and_rows_kept_are_not_listed_again(
    tmp_path: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts, labels = topic_rows(40)
    path = tmp_path / "tickets.bertdesk"
    Project.create(path, pd.DataFrame({"ticket": texts, "topic": labels}), text_column="ticket", label_column="topic").close()
    code, out, err = run(["review", str(path), "--model", str(tiny_encoder_dir), "--json"], capsys)
    assert code == 0, err
    rows = [s["row"] for s in json.loads(out)["suspects"]]
    assert sorted(rows[:3]) == [i + 1 for i in FLIPPED]
    with Project.open(path) as project:
        review = project.label_review()
        assert review is not None and [s.row_id + 1 for s in review.suspects] == rows
        assert project.embedding_keys()  # kept for the next review and for similar rows
        project.mark_reviewed([rows[0] - 1])
    code, out, _ = run(["review", str(path), "--model", str(tiny_encoder_dir), "--json", "--quiet"], capsys)
    assert code == 0 and rows[0] not in [s["row"] for s in json.loads(out)["suspects"]]


def test_similar_in_a_spreadsheet_and_in_a_project(tickets_csv: Path, tmp_path: Path, tiny_encoder_dir: Path, capsys) -> None:
    texts, labels = topic_rows(40)
    code, out, err = run(["similar", str(tickets_csv), texts[9], "--model", str(tiny_encoder_dir), "--top", "4", "--json"], capsys)
    assert code == 0, err
    found = json.loads(out)["similar"]
    assert len(found) == 4 and found[0]["row"] == 10 and found[0]["text"] == texts[9] and found[0]["label"] == labels[9]
    assert sorted(tickets_csv.parent.iterdir()) == [tickets_csv]

    path = tmp_path / "tickets.bertdesk"
    Project.create(path, pd.DataFrame({"ticket": texts, "topic": labels}), text_column="ticket", label_column="topic").close()
    query = " ".join(CUES["delivery"][:4])
    code, out, _ = run(["similar", str(path), query, "--model", str(tiny_encoder_dir), "--quiet"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("The 20 rows most like") and len(lines) == 22
    shown = [int(line.split()[0]) for line in lines[2:]]
    assert sum(texts[r - 1].split()[0] in CUES["delivery"] for r in shown[:10]) >= 8


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["review", "{csv}", "--text-col", "nope"], "no text column 'nope'"),
        (["review", "{csv}", "--model", "{missing}"], "No model folder"),
        (["review", "{missing}.csv"], "missing.csv: file not found"),
        (["review", "{csv}", "--top", "-1"], "--top must be 0 or more"),
        (["review", "{csv}", "--folds", "1"], "at least 2 folds"),
        (["review", "{one_row_label}"], "'app' has only 1 row"),
        (["similar", "{csv}", "  "], "TEXT is empty"),
        (["similar", "{csv}", "refund", "--text-col", "nope"], "no column 'nope'"),
        (["similar", "{missing}.bertdesk", "refund"], "missing"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    command: list[str], message: str, tickets_csv: Path, tmp_path: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one_row_label = tmp_path / "one.csv"
    pd.DataFrame({"ticket": ["a b", "c d", "e f", "g h", "i j"], "topic": ["x", "x", "y", "y", "app"]}).to_csv(one_row_label, index=False)
    values = {"csv": str(tickets_csv), "missing": str(tmp_path / "missing"), "one_row_label": str(one_row_label)}
    args = [part.format(**values) for part in command]
    if "--model" not in args:
        args += ["--model", str(tiny_encoder_dir)]
    code, out, err = run([*args, "--quiet"], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bertdesk: ") and message.format(**values) in lines[0]


def test_thorough_review_of_a_spreadsheet_leaves_nothing_behind(
    tickets_csv: Path, tmp_path: Path, tiny_encoder_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    code, out, err = run(
        ["review", str(tickets_csv), "--mode", "thorough", "--folds", "2", "--model", str(tiny_encoder_dir), "--json", "--quiet"], capsys
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["mode"] == "thorough" and report["labelled_rows"] == 40
    assert all(set(s) == {"row", "label", "suggested", "score"} and 1 <= s["row"] <= 40 for s in report["suspects"])
    assert sorted(tickets_csv.parent.iterdir()) == [tickets_csv]
    assert [p.name for p in temp.iterdir() if p.name.startswith("bertdesk")] == []  # the fold models are gone


@pytest.mark.slow
def test_real_model_finds_labels_flipped_in_the_sample_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled model on the bundled sample: 20 of its 360 labels flipped at random (chance
    puts ~1 of them among the top 20)."""
    import random

    sample = Path(__file__).resolve().parents[2] / "resources" / "sample" / "customer_feedback.csv"
    frame = pd.read_csv(sample, keep_default_na=False, dtype=str)
    rng = random.Random(1)
    labelled = [i for i in range(len(frame)) if frame.loc[i, "category"]]
    names = sorted({frame.loc[i, "category"] for i in labelled})
    flipped = sorted(rng.sample(labelled, 20))
    for i in flipped:
        frame.loc[i, "category"] = rng.choice([n for n in names if n != frame.loc[i, "category"]])
    path = tmp_path / "feedback.csv"
    frame.to_csv(path, index=False)
    code, out, err = run(["review", str(path), "--text-col", "feedback", "--label-col", "category", "--top", "20", "--json"], capsys)
    assert code == 0, err
    top = [s["row"] - 1 for s in json.loads(out)["suspects"]]
    assert len(top) == 20 and len(set(top) & set(flipped)) >= 14

"""`bertdesk predict` in chunks: the same file as the in-memory path, JSON lines per chunk, nothing
left behind by a failure or Ctrl+C mid-stream, and the chunked reader's edges."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bertdesk.cli import main
from bertdesk.core.errors import TableReadError
from bertdesk.core.tables.chunked import ChunkReader, open_chunks
from tests.tiny_model import tiny_texts

ROWS = 61  # a prime: the last chunk is always a short one


def _texts() -> list[str]:
    texts, _ = tiny_texts(ROWS, seed=5)
    texts[0] = "=cmd|' /C calc'!A0 good"  # neutralised in CSV
    texts[1] = 'two\nlines, "quoted"'  # a quoted line break and quotes
    texts[2] = ""  # an empty text
    texts[3] = "café 東京 good"
    return texts


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("stream")
    texts = _texts()
    csv_path = folder / "rows.csv"
    frame = pd.DataFrame({"id": [f"{i:04d}" for i in range(ROWS)], "review": texts, "note": ["-5"] * ROWS})
    frame.to_csv(csv_path, index=False)
    with open(csv_path, "a", encoding="utf-8", newline="") as handle:
        handle.write(",,\n,,\n")  # empty rows at the end, as Excel leaves them: left out by both paths
    parquet_path = folder / "rows.parquet"
    typed = pd.DataFrame(
        {
            "id": list(range(ROWS)),
            "review": texts,
            "score": [i / 4 if i % 5 else None for i in range(ROWS)],
            "flag": [bool(i % 2) for i in range(ROWS)],
            # no value in the first chunks at all: the Parquet writer must not fix its type as "null"
            "day": [None] * 20 + [dt.date(2024, 1, 1 + i % 28) for i in range(ROWS - 20)],
        }
    )
    typed.to_parquet(parquet_path, index=False)
    return {"csv": csv_path, "parquet": parquet_path}


def _predict(*args: str) -> int:
    return main(["predict", *args, "--precision", "fp32", "--batch-size", "1", "--quiet"])


@pytest.mark.parametrize("source", ["csv", "parquet"])
@pytest.mark.parametrize("target", [".csv", ".parquet"])
def test_chunks_write_the_in_memory_file(tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, source: str, target: str) -> None:
    whole, chunked = tmp_path / f"whole{target}", tmp_path / f"chunked{target}"
    data = str(inputs[source])
    assert _predict(str(tiny_model_dir), data, "--text-col", "review", "--out", str(whole)) == 0
    assert _predict(str(tiny_model_dir), data, "--text-col", "review", "--out", str(chunked), "--chunk-rows", "7") == 0
    if target == ".csv":
        assert chunked.read_bytes() == whole.read_bytes()
    else:
        import pyarrow.parquet as pq

        a, b = pq.read_table(whole), pq.read_table(chunked)
        assert b.schema.remove_metadata() == a.schema.remove_metadata()
        assert b.to_pylist() == a.to_pylist()
        assert pq.ParquetFile(chunked).metadata.num_row_groups == 9  # one row group per chunk of 7
    back = pd.read_parquet(chunked) if target == ".parquet" else pd.read_csv(chunked, dtype=str, keep_default_na=False)
    assert len(back) == ROWS and list(back.columns)[-4:] == ["predicted_label", "confidence", "p_neg", "p_pos"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([whole.name, chunked.name])  # no temporary file left


def test_json_lines_stream_per_chunk(tiny_model_dir: Path, inputs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    data = str(inputs["csv"])
    assert _predict(str(tiny_model_dir), data, "--text-col", "review", "--json") == 0
    whole = capsys.readouterr().out.splitlines()
    assert _predict(str(tiny_model_dir), data, "--text-col", "review", "--json", "--chunk-rows", "5") == 0
    chunked = capsys.readouterr().out.splitlines()
    assert chunked == whole and len(chunked) == ROWS
    rows = [json.loads(line) for line in chunked]
    assert [r["row"] for r in rows] == list(range(ROWS)) and rows[1]["text"] == 'two\nlines, "quoted"'


def test_preview_counts_every_chunk(tiny_model_dir: Path, inputs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert _predict(str(tiny_model_dir), str(inputs["parquet"]), "--text-col", "review") == 0
    whole = capsys.readouterr().out
    assert _predict(str(tiny_model_dir), str(inputs["parquet"]), "--text-col", "review", "--chunk-rows", "6") == 0
    assert capsys.readouterr().out == whole
    assert f"... {ROWS - 20:,} more rows" in whole


def test_a_failure_mid_stream_leaves_nothing(
    tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bertdesk.core.ml.streaming as streaming

    real, calls = streaming.predict, []

    def failing(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:  # two chunks are already in the file
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(streaming, "predict", failing)
    for name in ("new.csv", "new.parquet"):
        calls.clear()
        out = tmp_path / name
        assert _predict(str(tiny_model_dir), str(inputs["csv"]), "--text-col", "review", "--out", str(out), "--chunk-rows", "10") == 1
        assert len(calls) == 3 and not out.exists()
    mine = tmp_path / "mine.csv"
    mine.write_text("not bertdesk's\n", encoding="utf-8")
    calls.clear()
    assert _predict(str(tiny_model_dir), str(inputs["csv"]), "--text-col", "review", "--out", str(mine), "--chunk-rows", "10") == 1
    assert mine.read_text(encoding="utf-8") == "not bertdesk's\n"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.csv"]  # no temporary file left
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_mid_stream_leaves_nothing(tiny_model_dir: Path, tmp_path: Path) -> None:
    texts, _ = tiny_texts(400)
    data = tmp_path / "many.csv"
    pd.DataFrame({"text": texts * 50}).to_csv(data, index=False)
    out = tmp_path / "o.parquet"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "bertdesk", "predict", str(tiny_model_dir), str(data), "--batch-size", "1"]
    child = subprocess.Popen(
        [*command, "--chunk-rows", "100", "--out", str(out)], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until rows are being predicted
        line = child.stderr.readline()
        if "in chunks of" in line or not line:
            break
    time.sleep(2.0)  # a few chunks into the file
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert "cancelled" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.csv"]  # neither the file nor its temporary


def test_bad_options_are_one_line(
    tiny_model_dir: Path, inputs: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = str(inputs["csv"])
    assert main(["predict", str(tiny_model_dir), data, "--chunk-rows", "0"]) == 2
    assert "--chunk-rows must be at least 1" in capsys.readouterr().err
    assert main(["predict", str(tiny_model_dir), data, "--actors", "2"]) == 2
    assert "go with --engine ray" in capsys.readouterr().err
    import bertdesk.core.tables.chunked_writing as chunked_writing

    monkeypatch.setattr(chunked_writing, "XLSX_MAX_INPUT_BYTES", 100)
    out = Path(data).with_name("big.xlsx")
    assert main(["predict", str(tiny_model_dir), data, "--chunk-rows", "5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "write .csv or .parquet instead" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_xlsx_output_of_a_small_stream(tiny_model_dir: Path, inputs: dict[str, Path], tmp_path: Path) -> None:
    whole, chunked = tmp_path / "whole.xlsx", tmp_path / "chunked.xlsx"
    data = str(inputs["parquet"])
    assert _predict(str(tiny_model_dir), data, "--text-col", "review", "--out", str(whole)) == 0
    assert _predict(str(tiny_model_dir), data, "--text-col", "review", "--out", str(chunked), "--chunk-rows", "9") == 0
    a = pd.read_excel(whole, engine="openpyxl")
    b = pd.read_excel(chunked, engine="openpyxl")
    pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------------ the chunked reader's edges


def _frames(path: Path, rows: int) -> list[pd.DataFrame]:
    return list(ChunkReader(open_chunks(path), chunk_rows=rows))


def test_reader_holds_back_empty_rows_until_a_filled_one(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("a,b\n1,x\n,\n,\n2,y\n,\n,\n,\n", encoding="utf-8")
    frames = _frames(path, 2)
    rows = pd.concat(frames, ignore_index=True)
    assert rows.values.tolist() == [["1", "x"], ["", ""], ["", ""], ["2", "y"]]  # inner empty rows kept, the end's left out


def test_reader_keeps_quoted_line_breaks_across_blocks(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    cell = "line\n" * 60_000  # ~300 KB in one quoted cell: crosses pyarrow's 1 MB blocks with its neighbours
    pd.DataFrame({"id": range(8), "text": [cell] * 8}).to_csv(path, index=False)
    rows = pd.concat(_frames(path, 3), ignore_index=True)
    assert len(rows) == 8 and set(rows["text"]) == {cell}


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("3,4,5\n", "could not be read in chunks"),  # a ragged row, past the rows read up front
        ('1,"open\n2,3\n', "never closed"),  # a quote never closed
    ],
)
def test_reader_names_bad_files_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: str, message: str) -> None:
    import bertdesk.core.tables.chunked as chunked

    monkeypatch.setattr(chunked, "SAMPLE_ROWS", 10)  # the file is understood from its first rows only
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n" + "1,good row of text\n" * 150_000 + tail, encoding="utf-8")  # ~2.7 MB: past the first block
    with pytest.raises(TableReadError) as caught:
        _frames(path, 50_000)
    assert message in str(caught.value) and "bad.csv" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_file_under_the_temporary_name_is_never_touched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    # bertdesk never deletes what it did not write: a user's file that happens to carry the
    # writer's temporary name stays byte for byte, whether the export fails or succeeds.
    from bertdesk.core.tables import chunked_writing

    names = iter(["aaaa0000", "aaaa0000", "bbbb1111"])
    monkeypatch.setattr(chunked_writing.secrets, "token_hex", lambda _n: next(names))
    target = tmp_path / f"out{suffix}"
    theirs = tmp_path / f".out{suffix}.tmp-aaaa0000"
    theirs.write_bytes(b"not bertdesk's")
    frame = pd.DataFrame({"text": ["a", "b"], "label": ["x", "y"]})
    writer = chunked_writing.ChunkedWriter(target)
    writer.write(frame)
    assert writer.temp.name == f".out{suffix}.tmp-bbbb1111"
    writer.discard()
    assert theirs.read_bytes() == b"not bertdesk's" and not writer.temp.exists()
    names = iter(["aaaa0000", "cccc2222"])  # the name is taken again: the next one is used
    again = chunked_writing.ChunkedWriter(target)
    again.write(frame)
    assert again.commit() == target and theirs.read_bytes() == b"not bertdesk's"

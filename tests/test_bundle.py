"""The desktop bundle (packaging/bertdesk.spec, packaging/build-bundle.sh).

The fast tests check the pieces that need no build: the frozen entry point's ``-m`` stand-in for
torchrun, the build script's refusal to replace a folder it did not write, and the desktop-entry
installer run from inside a bundle. The slow test builds the bundle (minutes, ~1 GB) and runs it
with no Python reachable; it runs only with BERTDESK_TEST_BUNDLE=1 (.ci/bundle sets it), and
reuses an existing bundle given in BERTDESK_BUNDLE_DIR.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import bertdesk

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def _load_bundle_entry():
    spec = importlib.util.spec_from_file_location("bundle_entry", PACKAGING / "bundle_entry.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------------
# Fast: the entry point, the build script's guard, the desktop entry from a bundle.


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # what core/ml/distributed.py starts, and what torchrun then starts for each worker
        (
            ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "bertdesk", "train", "j"],
            ("torch.distributed.run", ["--standalone", "--nproc_per_node=2", "-m", "bertdesk", "train", "j"]),
        ),
        (["-u", "-m", "bertdesk", "train", "job.json", "--json-progress"], ("bertdesk", ["train", "job.json", "--json-progress"])),
        # ordinary command lines stay bertdesk's
        ([], None),
        (["train", "data.csv", "--out", "m"], None),
        (["--version"], None),
        # the bundle is not a general Python: any other module is a bertdesk argument (and so an error there)
        (["-m", "http.server"], None),
        (["-m"], None),
    ],
)
def test_bundle_entry_runs_only_torchrun_and_bertdesk_as_modules(argv: list[str], expected: object) -> None:
    entry = _load_bundle_entry()
    assert entry._run_module_args(argv) == expected


def _build_script_copy(tmp_path: Path) -> Path:
    (tmp_path / "packaging").mkdir()
    script = tmp_path / "packaging" / "build-bundle.sh"
    shutil.copy2(PACKAGING / "build-bundle.sh", script)
    return script


@pytest.mark.parametrize("folder", ["dist/bertdesk", "build/bundle"])
def test_build_script_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path, folder: str) -> None:
    script = _build_script_copy(tmp_path)
    mine = tmp_path / folder / "notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("my own work")
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and f"{folder} exists and was not written by this script" in result.stderr
    assert mine.read_text() == "my own work"


def test_build_script_rejects_an_unknown_argument(tmp_path: Path) -> None:
    script = _build_script_copy(tmp_path)
    result = subprocess.run(["bash", str(script), "--onefile"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "build-bundle.sh: unknown argument: --onefile (use --tar or --help)"
    assert not (tmp_path / "dist").exists() and not (tmp_path / "build").exists()


def _fake_bundle(tmp_path: Path) -> Path:
    """The layout build-bundle.sh makes: the executable, the installer beside it, icons inside _internal/."""
    bundle = tmp_path / "opt" / "bertdesk"
    icons = bundle / "_internal" / "bertdesk" / "resources" / "icons"
    icons.mkdir(parents=True)
    for name in ("bertdesk.svg", "bertdesk-256.png", "bertdesk-64.png"):
        shutil.copy2(ROOT / "resources" / "icons" / name, icons / name)
    for name in ("install-desktop-entry.sh", "bertdesk.desktop", "bertdesk-mime.xml"):
        shutil.copy2(PACKAGING / name, bundle / name)
    exe = bundle / "bertdesk"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return bundle


def test_desktop_entry_installed_from_a_bundle_starts_the_bundle(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    data_home = tmp_path / "share"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(data_home), "BERTDESK_NO_XDG": "1"}
    result = subprocess.run(["bash", str(bundle / "install-desktop-entry.sh")], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    entry = (data_home / "applications" / "bertdesk.desktop").read_text()
    assert f"\nExec={bundle}/bertdesk %f\n" in entry
    assert f"\nTryExec={bundle}/bertdesk\n" in entry
    icons = {
        "256x256/apps/bertdesk.png": "bertdesk-256.png",
        "64x64/apps/bertdesk.png": "bertdesk-64.png",
        "scalable/apps/bertdesk.svg": "bertdesk.svg",
    }
    for installed, source in icons.items():
        assert (data_home / "icons" / "hicolor" / installed).read_bytes() == (ROOT / "resources" / "icons" / source).read_bytes()
    assert (data_home / "mime" / "packages" / "bertdesk-mime.xml").is_file()


def test_desktop_entry_from_a_bundle_still_takes_exec(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    data_home = tmp_path / "share"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(data_home), "BERTDESK_NO_XDG": "1"}
    result = subprocess.run(
        ["bash", str(bundle / "install-desktop-entry.sh"), "--exec", "/opt/other/bertdesk"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "\nExec=/opt/other/bertdesk %f\n" in (data_home / "applications" / "bertdesk.desktop").read_text()


# ---------------------------------------------------------------------------------------------
# Slow: build the bundle and use it with no Python on PATH and no network.

needs_bundle = pytest.mark.skipif(
    os.environ.get("BERTDESK_TEST_BUNDLE") != "1",
    reason="builds the desktop bundle (minutes, ~1 GB): set BERTDESK_TEST_BUNDLE=1 (.ci/bundle)",
)


@pytest.fixture(scope="module")
def bundle_dir() -> Path:
    given = os.environ.get("BERTDESK_BUNDLE_DIR")
    if given:
        return Path(given).resolve()
    result = subprocess.run(["bash", str(PACKAGING / "build-bundle.sh")], capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return ROOT / "dist" / "bertdesk"


def _run_bundle(bundle: Path, home: Path, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
    """The bundle's executable with a bare environment: PATH is an empty folder, so there is no
    Python (nor anything else) to find, and the hub is unreachable."""
    empty_bin = home / "empty-bin"
    empty_bin.mkdir(exist_ok=True)
    env = {
        "PATH": str(empty_bin),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        "BERTDESK_SETTINGS_DIR": str(home / "settings"),
    }
    return subprocess.run([str(bundle / "bertdesk"), *args], capture_output=True, text=True, env=env, cwd=home, timeout=timeout)


@pytest.mark.slow
@needs_bundle
def test_bundle_trains_and_predicts_without_python(bundle_dir: Path, tmp_path: Path) -> None:
    version = _run_bundle(bundle_dir, tmp_path, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"bertdesk {bertdesk.__version__}"

    # The sample data shipped inside the bundle, trained on from the bundled model.
    sample = bundle_dir / "_internal" / "bertdesk" / "resources" / "sample" / "customer_feedback.csv"
    model = tmp_path / "feedback-model"
    train = _run_bundle(
        bundle_dir, tmp_path, "train", str(sample), "--preset", "Fast", "--epochs", "1", "--device", "cpu", "--out", str(model)
    )
    assert train.returncode == 0, train.stdout[-2000:] + train.stderr[-4000:]
    assert (model / "config.json").is_file() and (model / "model.safetensors").is_file()
    assert "Macro-F1" in train.stdout

    predicted = tmp_path / "predicted.csv"
    predict = _run_bundle(bundle_dir, tmp_path, "predict", str(model), str(sample), "--out", str(predicted))
    assert predict.returncode == 0, predict.stderr[-4000:]
    with sample.open(encoding="utf-8", newline="") as f:
        source_rows = list(csv.DictReader(f))
    with predicted.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(source_rows) > 0
    labels = {row["category"] for row in source_rows if row["category"]}
    prediction_columns = [c for c in rows[0] if c not in source_rows[0]]
    assert prediction_columns, rows[0].keys()
    assert all(row[prediction_columns[0]] in labels for row in rows)


@pytest.mark.slow
@needs_bundle
def test_bundle_opens_the_window_without_python(bundle_dir: Path, tmp_path: Path) -> None:
    # BERTDESK_STARTUP_PROBE (app.py, benchmarks/startup.py): print when the window is shown, then quit.
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    env = {
        "PATH": str(empty_bin),
        "HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "BERTDESK_STARTUP_PROBE": "1",
        "BERTDESK_SETTINGS_DIR": str(tmp_path / "settings"),
    }
    result = subprocess.run([str(bundle_dir / "bertdesk")], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "window-shown" in result.stdout


@pytest.mark.slow
@needs_bundle
def test_bundle_trains_under_its_own_torchrun(bundle_dir: Path, tmp_path: Path, tiny_encoder_dir: Path) -> None:
    # What the app's "All N CPU processes / GPUs" choice starts (core/ml/distributed.py), with the
    # bundle's executable as sys.executable: torchrun, then each worker, run as `bertdesk -m ...`.
    sample = bundle_dir / "_internal" / "bertdesk" / "resources" / "sample" / "customer_feedback.csv"
    model = tmp_path / "two-processes"
    run = _run_bundle(
        bundle_dir,
        tmp_path,
        *("-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"),
        *(
            "-m",
            "bertdesk",
            "train",
            str(sample),
            "--device",
            "cpu",
            "--model",
            str(tiny_encoder_dir),
            "--epochs",
            "1",
            "--out",
            str(model),
        ),
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert "Processes: 2" in run.stdout
    assert (model / "model.safetensors").is_file()

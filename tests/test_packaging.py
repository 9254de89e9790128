"""A built wheel holds every module and every resource (an editable install would hide a gap)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (path,) = out.glob("bertdesk-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_contains_every_module(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for source in (ROOT / "bertdesk").rglob("*.py"):
        assert source.relative_to(ROOT).as_posix() in names


def test_wheel_contains_every_resource(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    resources = [p for p in (ROOT / "resources").rglob("*") if p.is_file() and "screenshots" not in p.parts]
    assert any(p.suffix == ".csv" for p in resources) and any(p.suffix == ".svg" for p in resources)
    for path in resources:
        assert f"bertdesk/resources/{path.relative_to(ROOT / 'resources').as_posix()}" in names


def test_wheel_leaves_out_the_readme_screenshots(wheel: zipfile.ZipFile) -> None:
    assert not [n for n in wheel.namelist() if "/screenshots/" in n]


def test_installed_wheel_finds_its_own_resources(wheel: zipfile.ZipFile, tmp_path: Path) -> None:
    # Unpacked in a folder of its own, the package must find the resources inside itself,
    # not the checkout's (an editable install or the test run's cwd would hide that bug).
    site = tmp_path / "site"
    wheel.extractall(site)
    probe = (
        "from bertdesk.core.resources import resource_path as r; "
        "print(r('sample', 'customer_feedback.csv')); print(r('icons', 'bertdesk.svg').is_file())"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {probe}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    sample, icon_ok = result.stdout.split()
    assert Path(sample).is_file() and Path(sample).is_relative_to(site)
    assert icon_ok == "True"


def test_wheel_declares_the_entry_point(wheel: zipfile.ZipFile) -> None:
    (entry,) = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    text = wheel.read(entry).decode()
    assert "bertdesk = bertdesk.__main__:main" in text

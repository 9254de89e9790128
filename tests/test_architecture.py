"""The one-way import rule: core and CLI never load Qt; importing bertdesk loads no ML stack."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bertdesk.core

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_every_core_module_imports_without_qt() -> None:
    # walk_packages: every module of every core package (tables, project, ml), not only the top level.
    names = [m.name for m in pkgutil.walk_packages(bertdesk.core.__path__, prefix="bertdesk.core.")]
    assert {"bertdesk.core.tables.reading", "bertdesk.core.project.file", "bertdesk.core.ml.training"} <= set(names)
    loaded = _loaded_after("\n".join(f"import {name}" for name in names))
    assert not {m for m in loaded if m.split(".")[0] in QT_MODULES}
    assert not {m for m in loaded if m.startswith(("bertdesk.gui", "bertdesk.cli", "bertdesk.app"))}


def test_cli_imports_without_qt() -> None:
    loaded = _loaded_after("import bertdesk.cli\nimport bertdesk.__main__")
    assert not {m for m in loaded if m.split(".")[0] in QT_MODULES}


def test_importing_the_gui_does_not_load_torch_or_transformers() -> None:
    # The window must be able to open before the ML stack has loaded.
    loaded = _loaded_after("import bertdesk.gui.main_window")
    assert "torch" not in loaded
    assert "transformers" not in loaded


def test_import_linter_contracts_hold() -> None:
    lint = pytest.importorskip("importlinter")
    del lint
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower() or "0 broken" in result.stdout.lower()
    assert "use cases on ml, ml on project, project on tables" in result.stdout  # the layers contract ran

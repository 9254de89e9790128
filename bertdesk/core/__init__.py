"""Pure-Python core of bertdesk: every job is a plain function with progress and cancel.

Nothing here imports Qt, pyqtgraph, ``bertdesk.gui`` or ``bertdesk.cli`` (import-linter
contract in pyproject.toml, plus tests/core/test_core_is_qt_free.py).
"""

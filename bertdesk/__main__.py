"""Entry point for ``bertdesk`` and ``python -m bertdesk``.

No arguments, ``bertdesk gui [FILE]`` or ``bertdesk FILE`` (what a file manager runs for
``Exec=bertdesk %f``) opens the GUI, with FILE open; anything else is a CLI command.
The choice is made here, not in ``cli.py``, so the CLI module has no import path to Qt
(an import-linter contract checks that).
"""

from __future__ import annotations

import sys
from pathlib import Path

from bertdesk.commands import COMMAND_NAMES

# What a file manager may hand us (the MIME types of packaging/bertdesk.desktop).
OPENABLE_SUFFIXES = frozenset({".bertdesk", ".csv", ".tsv", ".txt", ".tab", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".parquet"})


def _is_file_to_open(arg: str) -> bool:
    """``bertdesk reviews.csv``: a path, not a subcommand or an option."""
    if arg.startswith("-") or arg in COMMAND_NAMES:
        return False
    return Path(arg).suffix.lower() in OPENABLE_SUFFIXES or Path(arg).exists()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args and _is_file_to_open(args[0]):
        if not Path(args[0]).is_file():
            why = "it is a folder, not a file" if Path(args[0]).is_dir() else "there is no such file"
            print(f"bertdesk: cannot open {args[0]}: {why}.", file=sys.stderr)
            return 2
        args = ["gui", *args]
    if not args or args[0] == "gui":
        from bertdesk.app import main as gui_main

        return gui_main(args[1:])
    from bertdesk.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())

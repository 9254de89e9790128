"""Entry point for ``bertdesk`` and ``python -m bertdesk``.

No arguments (or ``bertdesk gui [FILE]``) opens the GUI; anything else is a CLI command.
The choice is made here, not in ``cli.py``, so the CLI module has no import path to Qt
(an import-linter contract checks that).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] == "gui":
        from bertdesk.app import main as gui_main

        return gui_main(args[1:])
    from bertdesk.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())

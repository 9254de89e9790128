"""The ``bertdesk`` command line: every job the GUI does, scriptable and display-free.

This module never imports Qt (an import-linter contract checks it). Exit codes:
0 success, 2 bad input (one-line message on stderr), 130 cancelled (Ctrl+C), 1 internal error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from bertdesk import __version__
from bertdesk.commands import attention as attention_command
from bertdesk.commands import evaluate as evaluate_command
from bertdesk.commands import import_ as import_command
from bertdesk.commands import inspect as inspect_command
from bertdesk.commands import predict as predict_command
from bertdesk.commands import review as review_command
from bertdesk.commands import similar as similar_command
from bertdesk.commands import train as train_command
from bertdesk.commands.common import EXIT_BAD_INPUT, EXIT_CANCELLED, EXIT_INTERNAL
from bertdesk.core.errors import BertdeskError, Cancelled

# Each subcommand lives in its own module under bertdesk.commands and adds itself to the parser.
COMMAND_MODULES = [
    inspect_command,
    import_command,
    train_command,
    evaluate_command,
    attention_command,
    predict_command,
    review_command,
    similar_command,
]

log = logging.getLogger("bertdesk.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bertdesk",
        description="Classify the text in your spreadsheets with BERT. Run without a command (or with a file: bertdesk FILE) to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"bertdesk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return handler(args)
    except Cancelled:
        print("bertdesk: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("bertdesk: cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except BertdeskError as err:
        print(f"bertdesk: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line, log the rest
        log.debug("internal error", exc_info=True)
        print(f"bertdesk: internal error: {type(err).__name__}: {err} (run with -v for details)", file=sys.stderr)
        if args.verbose:
            import traceback

            traceback.print_exc()
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

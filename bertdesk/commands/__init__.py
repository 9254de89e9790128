"""One module per ``bertdesk`` subcommand; each has ``register(subparsers)``.

Like :mod:`bertdesk.cli`, nothing here imports Qt (an import-linter contract checks it), and the
ML stack is imported inside the handlers so that ``bertdesk --help`` stays instant.
"""

# The subcommand names, kept here (no imports) so ``bertdesk.__main__`` can tell ``bertdesk train``
# from ``bertdesk train.csv`` without loading the CLI; tests/test_entry_point.py checks the list
# against the parser.
COMMAND_NAMES = frozenset({"inspect", "import", "train", "evaluate", "attention", "predict", "review", "similar"})

"""One module per ``bertdesk`` subcommand; each has ``register(subparsers)``.

Like :mod:`bertdesk.cli`, nothing here imports Qt (an import-linter contract checks it), and the
ML stack is imported inside the handlers so that ``bertdesk --help`` stays instant.
"""

"""Entry point of the frozen bundle (``dist/bertdesk/bertdesk``, built by packaging/bertdesk.spec).

``bertdesk`` alone or with a file opens the GUI, anything else is a CLI command: the same
``bertdesk.__main__.main`` as the pip-installed command.

One more thing the frozen executable must do: stand in for ``python -m MODULE``. Training on
every GPU (or every CPU process) from the app starts ``sys.executable -m torch.distributed.run
... -m bertdesk train JOB`` (core/ml/distributed.py), and torchrun then starts each worker as
``sys.executable -u -m bertdesk train ...``. In the bundle ``sys.executable`` is this program,
so those two module runs are accepted here. Only those two: the bundle is not a general Python.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import sys

# The modules the bundle runs as ``bertdesk -m MODULE``: torchrun and bertdesk itself.
RUNNABLE_MODULES = ("bertdesk", "torch.distributed.run")


def _run_module_args(argv: list[str]) -> tuple[str, list[str]] | None:
    """``[-u] -m MODULE ARGS...`` -> (MODULE, ARGS); None for an ordinary bertdesk command line."""
    args = list(argv)
    while args and args[0] == "-u":  # torchrun's workers: unbuffered output (see main)
        args.pop(0)
    if len(args) >= 2 and args[0] == "-m" and args[1] in RUNNABLE_MODULES:
        return args[1], args[2:]
    return None


def main() -> int:
    multiprocessing.freeze_support()
    module_run = _run_module_args(sys.argv[1:])
    if module_run is not None:
        module, rest = module_run
        if sys.argv[1] == "-u":  # what python -u does: every line out at once (torchrun reads rank 0's progress)
            os.environ["PYTHONUNBUFFERED"] = "1"
            sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
            sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        sys.argv = [sys.executable, *rest]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    from bertdesk.__main__ import main as bertdesk_main

    return bertdesk_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())

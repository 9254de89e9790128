"""Survey: read every file in the given folders as bertdesk does, and count the outcomes.

Not a speed figure: a check that real files bertdesk has never seen give a table or a one-line
refusal, never a crash, a hang or a multi-line message. The trust work ran it on a held-out
corpus nobody tuned on — the test files of two other projects' suites (calamine's 133 workbooks
and csvkit's 87 CSV/Excel examples, copied out of their repositories):

    python benchmarks/read_real_files.py DIR [DIR ...] [--quiet]

Prints one line per file (OK with its shape and warnings, NO with the refusal, CRASH, HANG)
and the counts; exits 1 when anything crashed, hung or answered in more than one line.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from bertdesk.core.errors import BertdeskError
from bertdesk.core.tables.reading import read_table

PER_FILE_S = 20


class _Hang(Exception):
    pass


def _alarm(*_: object) -> None:
    raise _Hang()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--quiet", action="store_true", help="print only the counts and the failures")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    counts = {"table": 0, "refused": 0, "crash": 0, "hang": 0, "multi-line": 0}
    for folder in args.folders:
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            signal.alarm(PER_FILE_S)
            try:
                table = read_table(path)
                counts["table"] += 1
                line = f"OK    {path.name}: {table.frame.shape[0]} x {table.frame.shape[1]} {list(table.info.warnings)}"
            except BertdeskError as exc:
                counts["refused"] += 1
                multi = "\n" in str(exc)
                counts["multi-line"] += multi
                line = f"{'MULTI' if multi else 'NO   '} {path.name}: {exc}"
            except _Hang:
                counts["hang"] += 1
                line = f"HANG  {path.name}"
            except Exception as exc:  # noqa: BLE001 - counting exactly these is the point
                counts["crash"] += 1
                line = f"CRASH {path.name}: {type(exc).__name__}: {exc}"
            finally:
                signal.alarm(0)
            if not args.quiet or not line.startswith(("OK", "NO")):
                print(line[:240])
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return 1 if counts["crash"] or counts["hang"] or counts["multi-line"] else 0


if __name__ == "__main__":
    sys.exit(main())

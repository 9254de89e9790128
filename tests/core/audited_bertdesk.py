"""``python -m tests.core.audited_bertdesk ARGS``: ``bertdesk ARGS`` with every file write logged.

For the torchrun tests: a Python audit hook records each write-like call (open for writing,
mkdir, rename, replace, remove, rmtree...) on a path under one of the folders in
``BERTDESK_AUDIT_WATCH`` (os.pathsep-separated prefixes), and at exit the process writes what
it saw to ``BERTDESK_AUDIT_DIR/rank-<RANK>.json``. So a test can tell which rank wrote what.
"""

from __future__ import annotations

import atexit
import json
import os
import sys

WRITE_EVENTS = {"os.mkdir", "os.rename", "os.replace", "os.remove", "os.rmdir", "shutil.rmtree", "os.symlink", "os.link", "os.truncate"}


def main() -> int:
    watch = [os.path.realpath(p) for p in os.environ["BERTDESK_AUDIT_WATCH"].split(os.pathsep) if p]
    report = os.path.join(os.environ["BERTDESK_AUDIT_DIR"], f"rank-{os.environ.get('RANK', '0')}.json")
    seen: list[list[str]] = []

    def watched(path: object) -> bool:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return False
        full = os.path.realpath(path)
        return any(full.startswith(w) for w in watch)  # a folder, or a name prefix such as TMPDIR/bertdesk-trainer-

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event == "open" and args:
            mode = args[1] if len(args) > 1 else "r"
            flags = args[2] if len(args) > 2 else 0
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
            )
            if writing and watched(args[0]):
                seen.append([event, str(args[0])])
        elif event in WRITE_EVENTS and args and watched(args[0]):
            seen.append([event, str(args[0])])

    def dump() -> None:
        with open(report, "w", encoding="utf-8") as handle:  # written after the hook's last look
            json.dump(seen, handle)

    atexit.register(dump)
    sys.addaudithook(hook)
    from bertdesk.__main__ import main as bertdesk_main

    return bertdesk_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())

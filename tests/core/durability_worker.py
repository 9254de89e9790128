"""Helper process for test_durability.py: edits labels forever until it is killed.

Usage: python durability_worker.py PROJECT SEED

Before each edit it prints what it is about to do ("setting ROWS LABEL" or "undoing") and,
once the call has returned, the promise the app makes to the user ("saved ROWS LABEL" or
"undone"), flushing stdout each time. ROWS is comma-separated row ids, LABEL is "-" for
"cleared". The test kills this process with SIGKILL at a random moment and checks that every
promise was kept.
"""

from __future__ import annotations

import random
import sys

from bertdesk.core.project import Project

LABELS = ["pos", "neg", "neutral", "spam", "Pos", None]


def main() -> None:
    path, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    with Project.open(path) as project:
        print("ready", flush=True)
        while True:
            if rng.random() < 0.1:
                print("undoing", flush=True)
                done = project.undo()
                print("undone" if done else "nothing-to-undo", flush=True)
                continue
            count = 1 if rng.random() < 0.8 else rng.randint(2, 8)
            rows = sorted(rng.sample(range(project.row_count), count))
            label = rng.choice(LABELS)
            what = f"{','.join(map(str, rows))} {label or '-'}"
            print(f"setting {what}", flush=True)
            if count == 1:
                project.set_label(rows[0], label)
            else:
                project.set_labels(rows, label)
            print(f"saved {what}", flush=True)


if __name__ == "__main__":
    main()

"""A second sealing process for the seal races: reads a world slug per line on stdin, seals
its round 1 with ``services.seal`` and answers one JSON line per slug on stdout.

Usage: ``python -m tests.harness.sealer DB_URL``; a line ``ready`` says the store is open.
"""

from __future__ import annotations

import json
import sys

from soulmark import services
from soulmark.core.times import SECOND, now_us
from soulmark.store import open_store


def main() -> None:
    store = open_store(sys.argv[1])
    print("ready", flush=True)
    for line in sys.stdin:
        try:
            done = services.seal(store, world=line.strip(), round=1, at=now_us() + SECOND)
            answer = {"already": done.already, "seed": done.seed}
        except Exception as exc:  # reported to the race, which counts it as a failure
            answer = {"already": None, "seed": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    store.close()


if __name__ == "__main__":
    main()

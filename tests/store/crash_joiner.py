"""Child process of the crash test: joins people one by one, printing each acknowledged id.

Usage: ``python crash_joiner.py DB_URL WORLD PREFIX``.  A line is printed (and flushed) only
after :func:`soulmark.services.join` has returned, i.e. once the join is acknowledged.
"""

from __future__ import annotations

import sys

from soulmark.services import join
from soulmark.store import open_store


def main() -> None:
    url, world, prefix = sys.argv[1:4]
    store = open_store(url)
    print("ready", flush=True)
    i = 0
    while True:
        email = f"{prefix}-{i}@crash.example"
        joined = join(store, world=world, name=f"Crash {prefix} {i}", email=email, at=0)
        sys.stdout.write(f"ack {joined.person}\n")
        sys.stdout.flush()
        i += 1


if __name__ == "__main__":
    main()

"""How long one organizer holds the write lock: an invitation list and a CSV intake of 5,000.

Every write transaction of the store is timed from its BEGIN (IMMEDIATE, on SQLite: the lock
is taken there) until its connection is handed back after COMMIT.  ``--slice`` rows per
transaction is what the services use; ``--whole`` runs the same writes as one transaction
each, as they were before issue 22, for comparison.

    python -m bench.locks                       # SQLite, the services' slices
    python -m bench.locks --slice 100,200,500,5000 --backend sqlite,postgresql
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.common import fresh_db, header, table, write
from soulmark.core.times import DAY, now_us
from soulmark.services import create_world, intake, invites
from soulmark.store import Store, open_store

ROWS = 5000


class Holds:
    """Write-lock hold per transaction, in seconds, as seen from the store's engine."""

    def __init__(self, store: Store) -> None:
        self.started: dict[int, float] = {}
        self.holds: list[float] = []
        event.listen(store.engine, "begin", self._begin)
        event.listen(store.engine.pool, "checkin", self._checkin)

    def _begin(self, conn: Any) -> None:
        if not conn.get_execution_options().get("soulmark_read", False):
            self.started[id(conn.connection.dbapi_connection)] = time.perf_counter()

    def _checkin(self, dbapi_conn: Any, _record: Any) -> None:
        began = self.started.pop(id(dbapi_conn), None)
        if began is not None:
            self.holds.append(time.perf_counter() - began)


def _world(store: Store, slug: str, domain: str | None) -> str:
    at = now_us()
    made = create_world(
        store,
        name=slug,
        slug=slug,
        window_start=at + DAY,
        window_end=at + 9 * DAY,
        at=at,
        email_domain=domain,
    )
    return made.world


def _invite(store: Store, slug: str) -> None:
    rows = [invites.Invitee(f"i{i}@ua.example", f"Invitee {i}") for i in range(ROWS)]
    invites.invite(store, world=slug, invitees=rows, at=now_us())


def _intake(store: Store, slug: str) -> None:
    text = "name,email\n" + "".join(f"Joiner {i},j{i}@ua.example\n" for i in range(ROWS))
    intake.join_csv(store, world=slug, source=io.StringIO(text), at=now_us())


def _measure(url: str, what: Callable[[Store, str], None], domain: str | None) -> list[object]:
    store = open_store(url)
    try:
        slug = _world(store, "w-bench", domain)
        holds = Holds(store)
        t0 = time.perf_counter()
        what(store, slug)
        wall = time.perf_counter() - t0
    finally:
        store.close()
    ms = sorted(h * 1000 for h in holds.holds)
    return [len(ms), f"{statistics.median(ms):.1f}", f"{ms[-1]:.1f}", f"{wall:.2f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slice", default=f"{invites.SLICE}", help="rows per transaction")
    parser.add_argument("--backend", default="sqlite")
    args = parser.parse_args()
    cases = [
        ("invitation list", _invite, None),
        ("CSV intake, email-domain world", _intake, "ua.example"),
        ("CSV intake, open world", _intake, None),
    ]
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backend.split(","):
            for size in (int(n) for n in args.slice.split(",")):
                invites.SLICE = intake.BATCH = size  # the services read these per call
                for name, what, domain in cases:
                    with fresh_db(backend, Path(folder)) as url:
                        rows.append([backend, name, ROWS, size, *_measure(url, what, domain)])
    columns = [
        "backend",
        "write",
        "rows",
        "rows per transaction",
        "transactions",
        "median hold ms",
        "longest hold ms",
        "wall s",
    ]
    body = header("locks: the write lock one organizer holds") + table(columns, rows)
    body += (
        "\nHold: from BEGIN to the connection's return after COMMIT, every write transaction"
        " of the run (the world's own included).  Wall includes the pauses between slices"
        " (store.fair.STEP_ASIDE_S on SQLite).\n"
    )
    write("locks", body)


if __name__ == "__main__":
    main()

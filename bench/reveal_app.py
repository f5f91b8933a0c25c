"""The production app plus a bare ``GET /hello``, served the way ``soulmark serve`` serves it.

The hello-world route exists only here, for the reveal-day benchmark: it goes through the
same uvicorn, the same middleware and the same worker processes as the wrist endpoint, so
the ratio of the two isolates what the wrist costs.

``--what-if`` serves a variant that tries what would close a missed target, for comparison
only (never what is measured against the targets):

- ``deferred``: SQLite transactions open with a plain ``BEGIN``, so that reading a wrist
  does not take the write lock (soulmark.store.db opens every one with ``BEGIN IMMEDIATE``);
- ``pool``: 40 pooled connections, one per threadpool thread, and no pre-ping;
- ``onetx``: no second transaction to read ``confirmed`` (in this world everyone is
  confirmed; it stands for reading it with the wrist, in the first transaction).

    python -m bench.reveal_app --db URL --port P --workers N [--what-if deferred,pool,onetx]
"""

from __future__ import annotations

import argparse
import os
import secrets
from typing import Any


def _store(url: str, what_if: set[str]) -> Any:
    from sqlalchemy import create_engine, event
    from sqlalchemy.orm import sessionmaker

    from soulmark.store import Store

    pool = {"pool_size": 40, "max_overflow": 0} if "pool" in what_if else {}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60}, **pool)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:  # as soulmark.store.db
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                cur.execute(f"PRAGMA {pragma}")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        begin = "BEGIN" if "deferred" in what_if else "BEGIN IMMEDIATE"

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql(begin)

    else:
        engine = create_engine(url, pool_pre_ping="pool" not in what_if, **pool)
    return Store(engine, sessionmaker(engine, expire_on_commit=False))


def app_from_env() -> Any:
    from soulmark.settings import read_config
    from soulmark.web import Settings, create_app

    what_if = set(filter(None, os.environ.get("SOULMARK_BENCH_WHAT_IF", "").split(",")))
    if what_if:
        from soulmark.services import confirm

        if "onetx" in what_if:
            confirm.wrist_confirmed = lambda store, *, token: True
        store = _store(os.environ["SOULMARK_DB"], what_if)
        app = create_app(Settings.from_config(read_config(), store=store, run_worker=False))
    else:
        # As `soulmark serve` builds each worker's app (soulmark.cli.serve).
        app = create_app(Settings.from_config(read_config(), run_worker=False))

    @app.get("/hello", include_in_schema=False)
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--what-if", default="", help="deferred,pool,onetx (see above)")
    args = parser.parse_args()
    # The environment `soulmark serve` gives its workers, less the notices worker: on a
    # world whose marks are all past it would be mailing 100,000 people during the run.
    os.environ.update(
        SOULMARK_DB=args.db,
        SOULMARK_SECRET=secrets.token_hex(32),
        SOULMARK_BASE_URL=f"http://127.0.0.1:{args.port}",
        SOULMARK_SMTP="",
        SOULMARK_BENCH_WHAT_IF=args.what_if,
    )
    # The same uvicorn.run call as soulmark.cli.serve.serve, access log included.
    uvicorn.run(
        "bench.reveal_app:app_from_env",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="info",
    )


if __name__ == "__main__":
    main()

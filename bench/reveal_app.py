"""The production app plus a bare ``GET /hello``, served the way ``soulmark serve`` serves it.

The hello-world route exists only here, for the reveal-day benchmark: it goes through the
same uvicorn, the same middleware and the same worker processes as the wrist endpoint, so
the ratio of the two isolates what the wrist costs.

    python -m bench.reveal_app --db URL --port P --workers N
"""

from __future__ import annotations

import argparse
import os
import secrets
from typing import Any


def app_from_env() -> Any:
    from soulmark.cli.serve import app_from_env as production

    app = production()

    @app.get("/hello", include_in_schema=False)  # type: ignore[untyped-decorator]
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # The environment `soulmark serve` gives its workers, less the notices worker: on a
    # world whose marks are all past it would be mailing 100,000 people during the run.
    os.environ.update(
        SOULMARK_DB=args.db,
        SOULMARK_SECRET=secrets.token_hex(32),
        SOULMARK_BASE_URL=f"http://127.0.0.1:{args.port}",
        SOULMARK_SMTP="",
        SOULMARK_RUN_WORKER="0",
        SOULMARK_DEV="0",
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

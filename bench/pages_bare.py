"""A bare FastAPI ``GET /hello``, served by the same ``uvicorn.run`` call as bench.reveal_app.

The yardstick of bench.pages: what this uvicorn and FastAPI answer with no soulmark at all.

    python -m bench.pages_bare --db IGNORED --port P --workers N
"""

from __future__ import annotations

import argparse
from typing import Any


def app_from_env() -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/hello", include_in_schema=False)
    async def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    # The arguments bench.reveal.server passes to any server it starts.
    parser.add_argument("--db", default="")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--what-if", default="")
    args = parser.parse_args()
    uvicorn.run(
        "bench.pages_bare:app_from_env",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="info",
    )


if __name__ == "__main__":
    main()

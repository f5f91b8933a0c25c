"""Running the app under uvicorn: what ``soulmark serve`` calls."""

from __future__ import annotations

import uvicorn

from soulmark.web.app import create_app
from soulmark.web.settings import Settings

__all__ = ["serve"]


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted.  The store is opened (and migrated) before listening, so a
    bad database URL fails here rather than on the first request."""
    app = create_app(settings)
    # Tokens live in private links; the app's log filter keeps them out of access logs.
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False)

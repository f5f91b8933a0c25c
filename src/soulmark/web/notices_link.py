"""The web's seam to soulmark.notices: delivery counts, the dev outbox, the in-app worker.

Mail is not the web's business: it reads counts and the outbox through the notices
package's public functions, and hands the worker the mail part of the settings it was given.
"""

from __future__ import annotations

import asyncio
from typing import Any

from soulmark import jobs, notices
from soulmark.store import Store
from soulmark.web.settings import Settings

__all__ = ["delivery_counts", "outbox_messages", "start_worker"]


def delivery_counts(store: Store, world: str) -> dict[str, int]:
    """Notice deliveries by status for one world (counts only, never who: B2)."""
    return dict(notices.delivery_counts(store, world))


def outbox_messages(store: Store) -> list[dict[str, Any]]:
    return list(notices.outbox_messages(store))


def start_worker(store: Store, settings: Settings) -> asyncio.Task[Any]:
    """Run the worker (soulmark.jobs) inside the app (``soulmark serve`` with one process)."""
    return asyncio.create_task(jobs.run_worker(store, settings.notices, clock=settings.clock))

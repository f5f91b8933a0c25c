"""The seam to soulmark.notices (built alongside): every call degrades gracefully without it.

Mail is not this package's business: it only hands confirmation links over and reads
delivery counts and the dev outbox through the notices package's public functions.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from types import ModuleType
from typing import Any

from soulmark.store import Store
from soulmark.web.settings import Settings

__all__ = ["delivery_counts", "outbox_messages", "start_worker"]

log = logging.getLogger("soulmark.web")


def _notices() -> ModuleType | None:
    try:
        return importlib.import_module("soulmark.notices")
    except ImportError:
        return None


def delivery_counts(store: Store, world: str) -> dict[str, int] | None:
    """Notice deliveries by status for one world, or None when notices are not installed."""
    counts = getattr(_notices(), "delivery_counts", None)
    return dict(counts(store, world)) if counts is not None else None


def outbox_messages(store: Store) -> list[dict[str, Any]] | None:
    messages = getattr(_notices(), "outbox_messages", None)
    return list(messages(store)) if messages is not None else None


def start_worker(store: Store, settings: Settings) -> asyncio.Task[Any] | None:
    """Run the notices worker inside the app (``soulmark serve``), if the package has one."""
    module = _notices()
    run = getattr(module, "run_worker", None)
    if run is None:
        log.warning("run_worker was asked for but soulmark.notices has no run_worker")
        return None
    make = getattr(module, "NoticeSettings", None)
    if make is not None:
        options = make.from_env(smtp_url=settings.smtp_url, base_url=settings.base_url)
        return asyncio.create_task(run(store, options, clock=settings.clock))
    return asyncio.create_task(run(store))

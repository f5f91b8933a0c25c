"""The process's Prometheus metrics: one registry, served at /metrics (soulmark.web.health).

Every series is of this process: each instance (and each ``--workers`` process) counts its
own, and Prometheus scrapes every instance on its own address (docs/operations.md).  Labels
are fixed words (a route's template, a status, a kind): never a path, a token, a name or an
address.  What the database holds (the notice queue) and what the hub holds (open streams)
are read at scrape time by a collector the app adds (soulmark.web.health).
"""

from __future__ import annotations

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
)

from soulmark.observe.causes import KINDS, cause_of

__all__ = [
    "DB_ERRORS",
    "DELIVERIES",
    "REGISTRY",
    "REQUESTS",
    "REQUEST_SECONDS",
    "SEAL_SECONDS",
    "count_db_error",
    "delivered",
]

REGISTRY = CollectorRegistry(auto_describe=True)
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

REQUESTS = Counter(
    "soulmark_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "soulmark_http_request_duration_seconds",
    "Time from a request's arrival to its response's headers (a stream: until it opens).",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "soulmark_deliveries",
    "Notices and invitations handed on by this process's notices worker, by channel "
    "(mail: SMTP; outbox: development; push: not yet used) and outcome.",
    ["channel", "outcome"],
    registry=REGISTRY,
)
SEAL_SECONDS = Histogram(
    "soulmark_seal_duration_seconds",
    "How long sealing a round took (draw, marks and transcript), in this process.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
    registry=REGISTRY,
)
DB_ERRORS = Counter(
    "soulmark_db_errors",
    "Database errors met by this process, by cause.",
    ["cause"],
    registry=REGISTRY,
)

for _channel in ("mail", "outbox", "push"):
    for _outcome in ("sent", "failed", "retry"):
        DELIVERIES.labels(_channel, _outcome)
for _kind in KINDS:
    DB_ERRORS.labels(_kind)

_CHANNELS = {"smtp": "mail", "outbox": "outbox", "push": "push"}


def delivered(transport: str, outcome: str) -> None:
    """One notice handed on (``sent``), given up on (``failed``) or to be tried again."""
    DELIVERIES.labels(_CHANNELS.get(transport, "mail"), outcome).inc()


def count_db_error(exc: BaseException) -> None:
    """One database error, counted by its cause (soulmark.observe.causes)."""
    DB_ERRORS.labels(cause_of(exc).kind).inc()

"""``/healthz``, ``/readyz`` and ``/metrics``: what a load balancer and Prometheus ask.

- ``/healthz``: the process is up and answering; it touches nothing.
- ``/readyz``: this instance can do its work: the database answers, its schema is at this
  code's migration heads, and notices go out.  An instance that runs the notices worker
  itself (``serve`` with one process and notices on) counts as its own worker while that
  task lives; any other needs a notices worker's heartbeat (soulmark.notices.heartbeat)
  fresher than ``SOULMARK_WORKER_STALE_S``.  Otherwise 503, naming every reason.
- ``/metrics``: 404 unless ``SOULMARK_METRICS`` is on; with ``SOULMARK_METRICS_TOKEN`` set,
  401 without ``Authorization: Bearer <it>``.  This process's series (soulmark.observe.
  metrics) and, read now, its open streams and the notice queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from soulmark.notices.heartbeat import last_beat
from soulmark.observe.causes import cause_of
from soulmark.observe.exposition import REFUSED, allowed
from soulmark.observe.gauges import QueueGauges
from soulmark.observe.metrics import REGISTRY
from soulmark.store import Store
from soulmark.web.live import Hub
from soulmark.web.settings import Settings

__all__ = ["readiness", "router", "scrape_registry"]

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    app = request.app
    settings: Settings = app.state.settings
    own = settings.run_worker
    alive = own and app.state.worker is not None and not app.state.worker.done()
    reasons = await run_in_threadpool(readiness, app.state.store, settings, own, alive)
    if reasons:
        body = {"status": "unavailable", "error": "; ".join(reasons), "reasons": reasons}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"status": "ok"})


def readiness(store: Store, settings: Settings, own_worker: bool, alive: bool) -> list[str]:
    """Why this instance is not ready; empty when it is."""
    try:
        found = store.schema_state()
    except Exception as exc:  # noqa: BLE001 - any failure to answer is the reason
        return [f"the database does not answer: {cause_of(exc).words}"]
    reasons = []
    if found.kind != "current":
        at, needs = found.at, found.head
        reasons.append(f"the database's migrations are at {at}, this version needs {needs}")
    if own_worker:
        if not alive:
            reasons.append("the notices worker of this instance has stopped")
        return reasons
    return reasons + _heartbeat(store, settings)


def _heartbeat(store: Store, settings: Settings) -> list[str]:
    try:
        beat = last_beat(store)
    except Exception as exc:  # noqa: BLE001 - an unmigrated table, a lost connection
        return [f"the notices worker's heartbeat cannot be read: {cause_of(exc).words}"]
    if beat is None:
        return ["no notices worker has written a heartbeat"]
    age = (settings.clock() - beat) / 1e6
    if age > settings.worker_stale_s:
        return [
            f"the notices worker's last heartbeat is {age:.0f} s old "
            f"(more than {settings.worker_stale_s:g} s)"
        ]
    return []


class _Streams(Collector):
    """The hub's open streams, by kind, read at scrape time."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def collect(self) -> Iterator[Any]:
        streams = GaugeMetricFamily(
            "soulmark_streams_open", "Event streams open in this process, by kind.", labels=["kind"]
        )
        for kind, n in self.hub.open_streams().items():
            streams.add_metric([kind], n)
        yield streams


def scrape_registry(hub: Hub, store: Store, settings: Settings) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Streams(hub))
    registry.register(QueueGauges(store, settings.clock))
    return registry


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if not settings.metrics:
        raise HTTPException(404, "Not Found")
    token = settings.metrics_token
    if token and not allowed(request.headers.get("authorization", ""), token):
        return JSONResponse(REFUSED, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    text = await run_in_threadpool(_exposition, request.app)
    return Response(text, media_type=CONTENT_TYPE_LATEST)


def _exposition(app: FastAPI) -> bytes:
    return generate_latest(REGISTRY) + generate_latest(app.state.scrape_registry)

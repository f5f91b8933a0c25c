"""/metrics outside the web app: ``soulmark worker --metrics-port`` serves its own process's
series (its deliveries, its seals, its database errors) and the queue, behind the same
bearer token as the app's /metrics (``SOULMARK_METRICS_TOKEN``)."""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.exposition import ThreadingWSGIServer

from soulmark.observe.gauges import QueueGauges
from soulmark.observe.metrics import REGISTRY
from soulmark.store import Store

__all__ = ["REFUSED", "allowed", "serve_metrics"]

REFUSED = {"error": "give the metrics token: Authorization: Bearer <token>"}


def allowed(given: str, token: str) -> bool:
    """Whether an ``Authorization`` header's value carries ``token`` as a bearer."""
    scheme, _, value = given.partition(" ")
    offered = value.strip().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(offered, token.encode())


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Scrapes every few seconds would drown the worker's own lines."""


Start = Callable[[str, list[tuple[str, str]]], Any]


def _app(store: Store, clock: Callable[[], int], token: str | None) -> Any:
    now = CollectorRegistry(auto_describe=False)
    now.register(QueueGauges(store, clock))

    def answer(environ: dict[str, Any], start: Start) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error": "not found"}']
        if token and not allowed(environ.get("HTTP_AUTHORIZATION", ""), token):
            headers = [("Content-Type", "application/json"), ("WWW-Authenticate", "Bearer")]
            start("401 Unauthorized", headers)
            return [json.dumps(REFUSED).encode()]
        start("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [generate_latest(REGISTRY) + generate_latest(now)]

    return answer


def serve_metrics(
    store: Store, clock: Callable[[], int], *, host: str, port: int, token: str | None
) -> ThreadingWSGIServer:
    """Serve /metrics from a daemon thread; the server is returned (``shutdown()`` stops it)."""
    server = make_server(host, port, _app(store, clock, token), ThreadingWSGIServer, _Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server

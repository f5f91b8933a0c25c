"""The web app factory: ``create_app(Settings(...))`` -> a FastAPI app over one store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from http import HTTPStatus
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from soulmark.core.errors import SoulmarkError
from soulmark.jobs import run_worker
from soulmark.observe.causes import cause_of
from soulmark.push.keys import ensure_keys
from soulmark.store import Store, open_store
from soulmark.store.outage import OutageLog, unreachable
from soulmark.web import health
from soulmark.web.audit_runner import MAX_TRANSCRIPT, Auditor
from soulmark.web.back import back_of
from soulmark.web.bodies import BodyCap
from soulmark.web.errors import status_of
from soulmark.web.lang import speech_of
from soulmark.web.limits import StoreAttempts, parse_proxies
from soulmark.web.live import Hub
from soulmark.web.means import log_accept_failures, nofile, streams_within
from soulmark.web.observer import Observer
from soulmark.web.redact import TokenRedactor, mask
from soulmark.web.render import render
from soulmark.web.routes import DEV_ROUTERS, ROUTERS
from soulmark.web.routes.console import create_attempts
from soulmark.web.routes.signin import recover_attempts
from soulmark.web.session import NO_SESSION, TOO_MANY, LinkSessions
from soulmark.web.settings import Settings
from soulmark.web.words import api_error, error_text

__all__ = ["create_app", "TokenRedactor"]

log = logging.getLogger("soulmark.web")

_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _lifespan(
    settings: Settings,
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if settings.run_worker:
            # The worker inside the app (``soulmark serve`` with one process).
            notices = settings.notices
            worker = asyncio.create_task(run_worker(app.state.store, notices, clock=settings.clock))
        app.state.worker = worker
        hub: Hub = app.state.hub
        log_accept_failures(asyncio.get_running_loop())
        await hub.start()
        try:
            yield
        finally:
            await hub.close()
            if worker is not None:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await worker
            if settings.store is None:
                app.state.store.close()

    return lifespan


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


RETRY_AFTER_S = 2
"""What a 503 tells a client to wait: a database restart or a full hub is over in moments."""


def _error(
    request: Request,
    status: int,
    message: str,
    code: str = "",
    params: dict[str, Any] | None = None,
    retry_after_s: int | None = None,
) -> Response:
    """The error as JSON (the API) or a page; every 503 says when to come back."""
    speech = speech_of(request)
    if _is_api(request):
        body = {"error": api_error(message, speech, code, params)}
        response: Response = JSONResponse(
            {**body, "code": code} if code else body, status_code=status
        )
    else:
        text = error_text(message, status, speech, code, params)
        ctx = {"status": status, "message": text, "back": back_of(request)}
        response = render(request, "error.html", ctx, status=status)
    if status == 503 and retry_after_s is None:
        retry_after_s = RETRY_AFTER_S
    if retry_after_s is not None:
        response.headers["Retry-After"] = str(retry_after_s)
    return response


def _http_code(status: int, detail: str) -> str:
    """Starlette's own refusals ("Not Found") get a code like the domain's errors."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return ""
    return phrase.lower().replace(" ", "-") if detail == phrase else ""


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return "; ".join(parts) or "invalid request"


def _invalid_fields(exc: RequestValidationError) -> str:
    """The fields at fault, as the client named them (the same in every language)."""
    names = [str(err.get("loc", ("",))[-1]) for err in exc.errors()[:3]]
    return ", ".join(dict.fromkeys(n for n in names if n)) or "body"


def _install_errors(app: FastAPI) -> None:
    async def on_soulmark(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SoulmarkError)
        retry = getattr(exc, "retry_after_s", None)
        return _error(request, status_of(exc), str(exc), exc.code, exc.params, retry)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        return _error(request, exc.status_code, detail, _http_code(exc.status_code, detail))

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not _is_api(request):  # a form's page says its own sentence (error_text)
            return _error(request, 422, _validation_message(exc))
        fields = {"fields": _invalid_fields(exc)}
        return _error(request, 422, _validation_message(exc), "invalid-request", fields)

    app.add_exception_handler(SoulmarkError, on_soulmark)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)


_HEADERS = [
    (b"content-security-policy", _CSP.encode()),
    (b"referrer-policy", b"no-referrer"),  # private links must not leak onward
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors, for older browsers
]


_FORCED = {b"referrer-policy", b"x-content-type-options", b"x-frame-options"}


def _secured(headers: list[tuple[bytes, bytes]], cache: bool) -> list[tuple[bytes, bytes]]:
    """A route's own CSP and Cache-Control stand; the other security headers are ours."""
    have = {k.lower() for k, _ in headers}
    out = [(k, v) for k, v in headers if k.lower() not in _FORCED]
    out += [(k, v) for k, v in _HEADERS if k in _FORCED or k not in have]
    if cache and b"cache-control" not in have:
        out.append((b"cache-control", b"no-store"))
    return out


_UNREACHABLE = "the database cannot be reached for a moment; nothing was lost, try again shortly"
_BROKEN = "something went wrong on our side; nothing was lost"


class Guard:
    """Security headers on every response, a 503 while the database cannot be reached, and
    a bare 500 for any other unexpected error.

    Plain ASGI rather than ``@app.middleware``: it sits on the hot path of every wrist poll.
    The error's message is not logged: a database error can quote the row it failed on,
    names included.  An outage is logged in fixed words (soulmark.store.outage).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._outages = OutageLog(log, "answering 503")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        cache = not scope["path"].startswith("/static/")

        async def with_headers(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = _secured(message.get("headers", []), cache)
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
            why = self._logged(scope, exc)
            if started:
                raise
            if why is not None:
                response = _error(Request(scope), 503, _UNREACHABLE, "database-unreachable")
            else:
                response = _error(Request(scope), 500, _BROKEN, "server-error")
            await response(scope, receive, with_headers)

    def _logged(self, scope: Any, exc: Exception) -> str | None:
        """One line for the log; why the database cannot be reached, if that is the error."""
        why = unreachable(exc)
        if why is not None:
            self._outages.say(why)
        else:
            path, said = mask(scope["path"]), cause_of(exc)
            log.error(
                "%s (%s) while serving %s %s",
                type(exc).__name__,
                said.words,
                scope["method"],
                path,
                extra={"error": type(exc).__name__, "cause": said.words},
            )
        return why


class ErrorBody(BaseModel):
    error: str
    """One line for a person: English, or the asker's language (Accept-Language) when the
    error has words in it."""
    code: str | None = None
    """What kind of error, for good (``wrist-unknown``, ``name-too-long``...): branch on this,
    never on ``error``'s words.  Absent for errors without one."""


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    # Content spelled out (not "model"): a CSV route's errors are JSON too.
    status: {
        "description": text,
        "content": {"application/json": {"schema": ErrorBody.model_json_schema()}},
    }
    for status, text in (
        (400, "Bad request"),
        (401, "No token, or not one that opens this"),
        (403, "Forbidden"),
        (404, "Not found (or not yours)"),
        (409, "Conflicts with the current state"),
        (413, "Too large"),
        (422, "Invalid input"),
        (429, "Too many failed token attempts, or too many open streams for one link"),
        (503, "Busy: try again shortly"),
    )
}


async def _lost(scope: Any, receive: Any, send: Any) -> None:
    """``/<kind>/me`` from a browser without its session, answered as any error is."""
    response = _error(Request(scope), 404, NO_SESSION, "session-missing")
    await response(scope, receive, send)


async def _refusal(scope: Any, receive: Any, send: Any) -> None:
    """A failed lookup past the client's limit, answered as the app answers any error."""
    response = _error(Request(scope), 429, TOO_MANY, "too-many-attempts")
    response.headers["retry-after"] = "60"
    await response(scope, receive, send)


def _hub(store: Store, settings: Settings) -> Hub:
    total = settings.live_streams_total or streams_within(nofile()[0])
    log.info(
        "live streams: at most %d in this process, %d per client address, %d per link",
        total,
        settings.live_streams_per_client,
        settings.live_streams_per_token,
    )
    return Hub(
        store,
        settings.clock,
        heartbeat_s=settings.live_heartbeat_s,
        per_token=settings.live_streams_per_token,
        per_client=settings.live_streams_per_client,
        total=total,
        tick_s=settings.live_tick_s,
        tail_s=settings.live_tail_s,
    )


def _push_key(settings: Settings) -> str | None:
    """The VAPID public key pages subscribe with, the key pair made on the first start."""
    path = settings.notices.push_key
    return ensure_keys(Path(path)).public_key if path else None


def _own(app: FastAPI, settings: Settings) -> None:
    """What the app owns for its life: no module keeps any of it."""
    app.state.settings = settings
    app.state.store = settings.store or open_store(settings.db_url)
    app.state.recover_attempts = recover_attempts()
    app.state.hub = _hub(app.state.store, settings)
    app.state.auditor = Auditor()
    app.state.create_attempts = create_attempts()
    app.state.proxies = parse_proxies(settings.trusted_proxies)
    app.state.scrape_registry = health.scrape_registry(app.state.hub, app.state.store, settings)
    app.state.push_key = _push_key(settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app.  The store is opened here (its schema checked: soulmark.store.schema),
    so errors surface at once."""
    settings = settings or Settings()
    app = FastAPI(
        title="soulmark",
        summary="Fate rounds, wrists that itch, ink and reveal.",
        version="1",
        docs_url=None,  # /docs is served from the package: Swagger UI would fetch a CDN
        redoc_url=None,
        lifespan=_lifespan(settings),
    )
    _own(app, settings)
    _install_errors(app)
    _install_layers(app, settings)
    # The stylesheet and scripts hold no secret, so they may be compressed; pages, which hold
    # a form token next to what a visitor typed, are not (BREACH).
    static = StaticFiles(directory=str(files("soulmark.web") / "static"))
    app.mount("/static", GZipMiddleware(static, minimum_size=1024), "static")
    app.include_router(health.router)
    for router in ROUTERS + (DEV_ROUTERS if settings.dev else []):
        # Every error is {"error": ...}: say so in the schema, so clients (and schemathesis)
        # can rely on it.
        app.include_router(router, responses=ERROR_RESPONSES)
    _redact_server_logs()
    return app


def _install_layers(app: FastAPI, settings: Settings) -> None:
    """The ASGI layers around the routes, innermost first."""
    app.add_middleware(
        LinkSessions,
        secure=settings.cookies_secure,
        # In the database, always: two instances behind one proxy are two processes too.
        failures=StoreAttempts(
            app.state.store, limit=settings.token_failures_per_minute, window_s=60.0
        ),
        proxies=app.state.proxies,
        clock=lambda: settings.clock() / 1e6,
        refusal=_refusal,
        lost=_lost,
    )
    # Transcripts may be large; anything else is a form or a small JSON body.
    app.add_middleware(BodyCap, caps={"/audit": MAX_TRANSCRIPT, "/api/audit": MAX_TRANSCRIPT})
    app.add_middleware(Guard)  # its headers reach the sessions' 303s and 429s too
    app.add_middleware(Observer, proxies=app.state.proxies)  # outermost: sees Guard's answers


def _redact_server_logs() -> None:
    """Tokens live in private links: uvicorn's logs get them redacted (once per logger)."""
    redactor = TokenRedactor()
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactor) for f in logger.filters):
            logger.addFilter(redactor)

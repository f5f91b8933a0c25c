"""``soulmark serve`` and ``soulmark worker``: the web app and the notices worker."""

from __future__ import annotations

import secrets
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from soulmark.cli.common import (
    DbOpt,
    JsonOpt,
    config,
    console,
    db_url,
    emit,
    errors,
    fail,
    now_or,
    opened,
)
from soulmark.cli.demo import demo_db
from soulmark.cli.migrate import migrated_line
from soulmark.cli.startup import warnings
from soulmark.core.errors import SoulmarkError
from soulmark.core.times import now_us
from soulmark.observe.exposition import serve_metrics
from soulmark.observe.logs import configure as configure_logs
from soulmark.observe.logs import logging_config
from soulmark.push.keys import ensure_keys
from soulmark.services.demo import build_demo
from soulmark.settings import Config, NoticeSettings
from soulmark.store import migrate_store, open_store
from soulmark.store.schema import SchemaBehind
from soulmark.web import Settings, create_app
from soulmark.web.http_guard import HEADER_TIMEOUT_S, PROTOCOL
from soulmark.web.limits import parse_proxies
from soulmark.web.means import raise_nofile

__all__ = ["run_app", "serve", "uvicorn_options", "worker"]

SmtpOpt = Annotated[
    str | None,
    typer.Option(
        "--smtp",
        metavar="URL",
        help="smtp://user:pass@host:port[?starttls=1] (default: $SOULMARK_SMTP); without it "
        "notices go to the outbox.",
    ),
]
BaseOpt = Annotated[str | None, typer.Option(help="Public address of the app, for links in mail.")]
DemoOpt = Annotated[
    bool,
    typer.Option(
        help="Create a demo world first, in a new database file unless --db is given, and "
        "print its links, soulmates two by two."
    ),
]
ProxyOpt = Annotated[
    list[str] | None,
    typer.Option(help="A reverse proxy (address or network) whose X-Forwarded-For counts."),
]
InviteOpt = Annotated[
    list[str] | None,
    typer.Option(help="Only who gives this code may open worlds at /new (repeatable)."),
]
MigrateOpt = Annotated[
    bool,
    typer.Option(
        "--migrate",
        help="Migrate a database that is behind this version before starting (back it up "
        "first); without it, such a database is refused.",
    ),
]
LogJsonOpt = Annotated[
    bool,
    typer.Option("--log-json", help="Log one JSON object per line (default: $SOULMARK_LOG_JSON)."),
]
MetricsPortOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=65535,
        help="Serve this worker's /metrics on this port (behind $SOULMARK_METRICS_TOKEN).",
    ),
]
SecureOpt = Annotated[
    bool, typer.Option(help="Secure, __Host- cookies even if --base-url is not https (a proxy).")
]


def run_app(settings: Settings, options: dict[str, Any]) -> None:
    """Serve ``create_app(settings)`` under uvicorn.  With several worker processes each
    builds its own app from the same settings (uvicorn pickles its config to them), so they
    share one CSRF secret and nothing is passed through ``os.environ``.  The descriptor limit
    is raised first: the workers inherit it, and each app sizes its streams by it."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from soulmark.web.http_guard import ServeConfig

    config = ServeConfig(partial(create_app, settings), factory=True, **options)
    raise_nofile()  # after the config: it has set up the log this is said in
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def uvicorn_options(
    *,
    host: str,
    port: int,
    workers: int,
    header_timeout_s: float = HEADER_TIMEOUT_S,
    log_json: bool = False,
) -> dict[str, Any]:
    """How ``serve`` runs uvicorn.  Its own forwarded-header handling is off (by default it
    believes ``X-Forwarded-For`` from 127.0.0.1): the app reads that header itself, and only
    from the proxies named in ``--trusted-proxy`` (soulmark.web.limits).  Requests are read
    by a protocol that drops half-sent ones (soulmark.web.http_guard); soulmark's own log
    lines go where uvicorn's do, text or JSON (soulmark.observe.logs); each request's line is
    the app's own (soulmark.web.observer), so uvicorn's access log is off."""
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": False,
        "forwarded_allow_ips": "",
        "log_level": "info",
        "log_config": logging_config(as_json=log_json),
        "access_log": False,
        "http": PROTOCOL,
        # Not uvloop: when accept() fails for want of descriptors (EMFILE), libuv drops the
        # waiting connections (reset) and nothing reaches Python; asyncio's loop reports the
        # error, so it can be logged (soulmark.web.means.log_accept_failures), and accepts
        # again a second later, the connections kept waiting in the backlog.
        "loop": "asyncio",
        "header_timeout_s": header_timeout_s,
    }


def _print_demo(db: str, base: str) -> None:
    with opened(db) as store:
        made = build_demo(store, now_us=now_or(None))
    links = made.links(base, pairs=2)
    console.print(f"[bold]Demo world[/bold] {made.world}: {made.people} people, sealed.")
    console.print(f"  public page   {links['world']}")
    console.print(f"  organizer     {links['organizer']}")
    for n, pair in enumerate(links["pairs"], 1):
        # Soulmates side by side: open both to watch one mark name the other.
        for side, wrist in zip("AB", pair, strict=True):
            console.print(f"  pair {n}, {side}     {wrist}")
    console.print(f"  outbox        {base.rstrip('/')}/dev/outbox")
    console.print("Open a wrist link: it tingles within a minute and is ready in about three.")


def _schema_ready(db: str, *, migrate: bool) -> None:
    """Before a long-running process starts: its database migrated (``--migrate``), or
    refused in one line if it is behind.  Once, before any worker process starts."""
    try:
        if not migrate:
            open_store(db).close()
            return
        found = migrate_store(db)
        if found.kind != "current":
            errors.print(migrated_line(found), soft_wrap=True, markup=False)
    except SchemaBehind as exc:
        fail(f"{exc}, or pass --migrate to migrate at start")
    except SoulmarkError as exc:
        fail(str(exc))


def _checked_settings(
    cfg: Config, db: str, proxies: list[str], *, migrate: bool, **overrides: object
) -> Settings:
    """The app's settings, read once, with the database's schema current; bad values: one
    line."""
    # One secret for every worker process (pickled to them), unless one is set for all.
    overrides.setdefault("secret", cfg.secret_bytes or secrets.token_bytes(32))
    try:
        parse_proxies(proxies)
        settings = Settings.from_config(
            cfg, db_url=db, trusted_proxies=tuple(proxies) or None, **overrides
        )
    except ValueError as exc:
        fail(f"--trusted-proxy: {exc}")
    except SoulmarkError as exc:
        fail(str(exc))
    _schema_ready(db, migrate=migrate)
    return settings


HostOpt = Annotated[str, typer.Option(help="Interface to listen on.")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.")]
WorkersOpt = Annotated[int, typer.Option(min=1, max=64, help="uvicorn worker processes.")]
HeaderTimeoutOpt = Annotated[
    float,
    typer.Option(
        min=0.1, help="Seconds a connection has to send a request's headers; then closed."
    ),
]
StreamsOpt = Annotated[
    int,
    typer.Option(
        min=1,
        help="Live streams one client address may hold (raise it for a crowd behind one "
        "address); more are refused and their pages poll.",
    ),
]


def _notices(
    cfg: Config, *, smtp: str | None, base_url: str | None, sends: bool = True
) -> NoticeSettings:
    """The mail part of the settings, ``--smtp`` and ``--base-url`` winning; one line if bad,
    a DKIM key that cannot sign included when this process sends."""
    from soulmark.notices.dkim import open_signer

    try:
        settings = cfg.notices(smtp_url=smtp, base_url=base_url)
        if sends and settings.smtp_url:
            open_signer(settings)
        return settings
    except SoulmarkError as exc:
        fail(str(exc))


def _announce(
    cfg: Config, settings: Settings, db: str, *, host: str, workers: int, demo: bool
) -> None:
    """The demo's links, or what this deployment lacks (soulmark.cli.startup), a line each."""
    if demo:
        _print_demo(db, settings.base_url)
        return
    for line in warnings(cfg, settings, host=host, workers=workers):
        errors.print(f"[yellow]warning:[/yellow] {escape(line)}", soft_wrap=True)


def _serve_db(db: str | None, *, demo: bool) -> str:
    """A demo writes a world of made-up people: into its own file unless told where."""
    return demo_db() if demo and db is None else db_url(db)


def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workers: WorkersOpt = 1,
    smtp: SmtpOpt = None,
    base_url: BaseOpt = None,
    notices: Annotated[bool, typer.Option(help="Send notices from this process.")] = True,
    dev: Annotated[bool, typer.Option(help="Serve /dev/outbox (never in production).")] = False,
    demo: DemoOpt = False,
    trusted_proxy: ProxyOpt = None,
    invite_code: InviteOpt = None,
    secure_cookies: SecureOpt = False,
    header_timeout: HeaderTimeoutOpt = HEADER_TIMEOUT_S,
    streams_per_client: StreamsOpt = Settings.live_streams_per_client,
    log_json: LogJsonOpt = False,
    migrate: MigrateOpt = False,
    db: DbOpt = None,
) -> None:
    """Serve the web app: world pages, wrists, the organizer dashboard, audit, the JSON API.
    Example: soulmark serve --port 8000 --smtp smtp://mail.example.org:587?starttls=1"""
    cfg = config()
    db = _serve_db(db, demo=demo)
    base = base_url or cfg.base_url or f"http://{host}:{port}"
    settings = _checked_settings(
        cfg,
        db,
        trusted_proxy or [],
        migrate=migrate,
        base_url=base,
        notices=_notices(cfg, smtp=smtp, base_url=base, sends=notices and workers == 1),
        # Several processes: a separate `soulmark worker` mails, the database counts attempts.
        run_worker=notices and workers == 1,
        dev=dev or demo,
        secure_cookies=secure_cookies or None,
        invite_codes=tuple(invite_code or ()) or None,
        live_streams_per_client=streams_per_client,
    )
    opts = uvicorn_options(host=host, port=port, workers=workers, header_timeout_s=header_timeout)
    _announce(cfg, settings, db, host=host, workers=workers, demo=demo)
    run_app(settings, {**opts, "log_config": logging_config(as_json=log_json or cfg.log_json)})


def _push_keys(settings: NoticeSettings) -> None:
    """The first start of a worker makes the instance's push key (docs/push.md)."""
    if settings.push_key:
        try:
            ensure_keys(Path(settings.push_key))
        except SoulmarkError as exc:
            fail(str(exc))


def worker(
    smtp: SmtpOpt = None,
    base_url: BaseOpt = None,
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then stop.")] = False,
    log_json: LogJsonOpt = False,
    metrics_port: MetricsPortOpt = None,
    metrics_host: Annotated[str, typer.Option(help="Interface /metrics listens on.")] = "127.0.0.1",
    migrate: MigrateOpt = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send due notices ("your wrist tingles", "it stopped") by email or to the outbox.

    Example: soulmark worker --smtp smtp://localhost:2525 --once
    """
    from soulmark.jobs import deliver_due, run_worker_forever

    cfg = config()
    # Outbox notices are logged: without a handler a newcomer would see nothing.  Rich only
    # at a terminal: a journal or a file gets whole lines, never wrapped at 80 columns.
    configure_logs(as_json=log_json or cfg.log_json, rich=True)
    settings = _notices(cfg, smtp=smtp, base_url=base_url)
    _schema_ready(db_url(db), migrate=migrate)
    _push_keys(settings)
    with opened(db) as store:
        if once:
            report = deliver_due(store, settings, now_us=now_us())
            emit(as_json, report.to_json(), lambda: console.print(report.to_json()))
            return
        if metrics_port is not None:
            token = cfg.metrics_bearer
            serve_metrics(store, now_us, host=metrics_host, port=metrics_port, token=token)
        console.print("Delivering notices as they come due (Ctrl-C stops after the batch in hand).")
        run_worker_forever(store, settings)

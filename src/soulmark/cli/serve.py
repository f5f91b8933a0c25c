"""``soulmark serve`` and ``soulmark worker``: the web app and the notices worker."""

from __future__ import annotations

import logging
import secrets
from functools import partial
from typing import Annotated, Any

import typer

from soulmark.cli.common import DbOpt, JsonOpt, console, emit, fail, now_or, opened
from soulmark.cli.demo import demo_db
from soulmark.core.errors import SoulmarkError
from soulmark.core.times import now_us
from soulmark.services.demo import build_demo
from soulmark.settings import Environment, read_environment
from soulmark.store import default_url, open_store
from soulmark.web import Settings, create_app
from soulmark.web.limits import parse_proxies

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
SecureOpt = Annotated[
    bool, typer.Option(help="Secure, __Host- cookies even if --base-url is not https (a proxy).")
]


def run_app(settings: Settings, options: dict[str, Any]) -> None:
    """Serve ``create_app(settings)`` under uvicorn.  With several worker processes each
    builds its own app from the same settings (uvicorn pickles its config to them), so they
    share one CSRF secret and nothing is passed through ``os.environ``."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(partial(create_app, settings), factory=True, **options)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def uvicorn_options(*, host: str, port: int, workers: int) -> dict[str, Any]:
    """How ``serve`` runs uvicorn.  Its own forwarded-header handling is off (by default it
    believes ``X-Forwarded-For`` from 127.0.0.1): the app reads that header itself, and only
    from the proxies named in ``--trusted-proxy`` (soulmark.web.limits)."""
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": False,
        "forwarded_allow_ips": "",
        "log_level": "info",
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


def _checked_settings(
    env: Environment, db: str, proxies: list[str], **overrides: object
) -> Settings:
    """The app's settings, read once, with the database migrated; bad values: one line."""
    try:
        parse_proxies(proxies)
        settings = Settings.from_env(
            env, db_url=db, trusted_proxies=tuple(proxies) or None, **overrides
        )
        open_store(db).close()  # migrate once, before any worker process starts
    except ValueError as exc:
        fail(f"--trusted-proxy: {exc}")
    except SoulmarkError as exc:
        fail(str(exc))
    return settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="uvicorn worker processes.")] = 1,
    smtp: SmtpOpt = None,
    base_url: BaseOpt = None,
    notices: Annotated[bool, typer.Option(help="Send notices from this process.")] = True,
    dev: Annotated[bool, typer.Option(help="Serve /dev/outbox (never in production).")] = False,
    demo: DemoOpt = False,
    trusted_proxy: ProxyOpt = None,
    invite_code: InviteOpt = None,
    secure_cookies: SecureOpt = False,
    db: DbOpt = None,
) -> None:
    """Serve the web app: world pages, wrists, the organizer dashboard, audit, the JSON API.

    Example: soulmark serve --port 8000 --smtp smtp://mail.example.org:587?starttls=1
    """
    env = read_environment()
    # A demo writes a world of made-up people: into its own file unless told where.
    db = demo_db() if demo and db is None else default_url(db or env.db_url)
    settings = _checked_settings(
        env,
        db,
        trusted_proxy or [],
        secret=env.secret or secrets.token_bytes(32),
        base_url=base_url or env.base_url or f"http://{host}:{port}",
        smtp_url=smtp,
        # With several processes one of them would do; a separate `soulmark worker` is clearer.
        run_worker=notices and workers == 1,
        dev=dev or demo,
        secure_cookies=secure_cookies or None,
        invite_codes=tuple(invite_code or ()) or None,
    )
    if demo:
        _print_demo(db, settings.base_url)
    run_app(settings, uvicorn_options(host=host, port=port, workers=workers))


def worker(
    smtp: SmtpOpt = None,
    base_url: BaseOpt = None,
    once: Annotated[bool, typer.Option(help="Deliver what is due now, then stop.")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send due notices ("your wrist tingles", "it stopped") by email or to the outbox.

    Example: soulmark worker --smtp smtp://localhost:2525 --once
    """
    from rich.logging import RichHandler

    from soulmark.notices import NoticeSettings, deliver_due, run_worker_forever

    # Outbox notices are logged: without a handler a newcomer would see nothing.
    logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=[RichHandler()])
    try:
        settings = NoticeSettings.from_env(smtp_url=smtp, base_url=base_url)
    except SoulmarkError as exc:
        fail(str(exc))
    with opened(db) as store:
        if once:
            report = deliver_due(store, settings, now_us=now_us())
            emit(as_json, report.to_json(), lambda: console.print(report.to_json()))
            return
        console.print("Delivering notices as they come due (Ctrl-C stops after the batch in hand).")
        run_worker_forever(store, settings)

"""What the web app is built from: its part of the one settings object
(soulmark.settings.Config, through :meth:`Settings.from_config`), the ``serve`` options, and
the parts tests swap (the clock, the store)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from soulmark.core.times import now_us
from soulmark.settings import DEFAULT_BASE_URL, Config, NoticeSettings, Quotas
from soulmark.store import Store

__all__ = ["Settings"]


@dataclass
class Settings:
    db_url: str | None = None
    """None: the default SQLite file (soulmark.store.default_url)."""
    store: Store | None = None
    """An open store to use instead of ``db_url``; the app does not close it."""
    clock: Callable[[], int] = now_us
    """Microseconds since the epoch; tests pass a fake clock to walk through a window."""
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    """Keys the CSRF form tokens.  A fresh one per process is fine: forms are short-lived."""
    base_url: str = DEFAULT_BASE_URL
    """Used for links that leave the browser (confirmation mail, printed demo links)."""
    notices: NoticeSettings = field(default_factory=NoticeSettings)
    """What the notices worker inside the app is run with (the default: the outbox)."""
    run_worker: bool = False
    """Start soulmark.jobs.run_worker inside the app's lifespan."""
    dev: bool = False
    """Serve /dev/outbox (it shows every address and confirmation link: never in production)."""
    poll_ms: int = 1000
    """How often an open wrist page asks for its state."""
    token_failures_per_minute: int = 20
    """Failed private-link or token lookups a client may make in a minute before its further
    failures are answered 429 (a valid token is never refused: soulmark.web.limits)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks of the reverse proxies whose ``X-Forwarded-For`` is believed;
    empty: none is, and each connection's own peer is the client."""
    beacon_relays: tuple[str, ...] = ()
    """drand HTTP relays a seal fetches its awaited beacon from (services.relays)."""
    invite_quotas: Quotas = field(default_factory=Quotas)
    """How many invitations leave per world a day and per site an hour (services.senders)."""
    invite_codes: tuple[str, ...] = ()
    """Who may open worlds here: empty, anyone; otherwise only who gives one of these codes."""
    secure_cookies: bool = False
    """Force ``Secure`` and ``__Host-`` cookies (they are on anyway when ``base_url`` is
    https); for an https proxy in front of a ``base_url`` that does not say so."""
    live_streams_per_token: int = 4
    """Open event streams one link may hold in one process (a few tabs); more get 429."""
    live_streams_per_client: int = 64
    """Open event streams one client address may hold in one process; more get 429 with
    Retry-After, and the page polls instead (soulmark.web.means)."""
    live_streams_total: int | None = None
    """Open event streams in one process; more get 503 with Retry-After.  None: as many as
    the descriptor limit allows with room kept for plain requests (means.streams_within)."""
    push_loopback: bool = False
    """Accept push endpoints on this machine (http://127.0.0.1...): tests' push service
    only; a real one is a public https host (soulmark.services.push)."""
    live_heartbeat_s: float = 15.0
    """Every open stream gets a comment this often, whatever its schedule."""
    live_tick_s: float = 1.0
    """The longest the hub sleeps before it looks at the clock again (a clock may jump)."""
    live_tail_s: float = 0.25
    """SQLite: how often each process reads the change log (PostgreSQL is told at once)."""
    worker_stale_s: float = 30.0
    """Without ``run_worker``: /readyz answers 503 once the notices worker's heartbeat is
    older than this (soulmark.web.health)."""
    metrics: bool = False
    """Serve /metrics (soulmark.web.health); off, it answers 404."""
    metrics_token: str | None = None
    """The bearer token /metrics asks for; None: it asks for none."""

    @property
    def cookies_secure(self) -> bool:
        """Whether cookies are ``Secure`` (sessions also ``__Host-``): the public address is
        https, or it was forced."""
        return self.secure_cookies or self.base_url.lower().startswith("https://")

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> Settings:
        """The web's part of ``config``; overrides that are not None win (``serve``'s
        options, a test's store)."""
        values: dict[str, Any] = {
            "db_url": config.db,
            "base_url": config.base_url,
            "secret": config.secret_bytes,
            "trusted_proxies": config.trusted_proxies,
            "beacon_relays": config.beacon_relays,
            "invite_quotas": config.quotas,
            "worker_stale_s": config.worker_stale_s,
            "metrics": config.metrics,
            "metrics_token": config.metrics_bearer,
        }
        values = {k: v for k, v in {**values, **overrides}.items() if v is not None}
        values.setdefault("notices", config.notices(base_url=values.get("base_url")))
        return cls(**values)

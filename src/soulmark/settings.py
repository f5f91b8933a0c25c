"""The process's configuration from its environment: the one place ``SOULMARK_*`` is read.

Each entry point (a CLI command, ``soulmark serve``, ``soulmark worker``) reads it once and
hands the values on as objects: :class:`soulmark.web.Settings` for the app (and, pickled,
to uvicorn's worker processes), :class:`soulmark.notices.NoticeSettings` for the mailer.
Nothing below an entry point looks at ``os.environ``, and nothing writes to it.

==========================  ==================================================================
``SOULMARK_DB``              database URL (default: a SQLite file in the user's data folder)
``SOULMARK_BASE_URL``        where the site is reached; links in mail start here
``SOULMARK_SMTP``            ``smtp://user:pass@host:port[?starttls=1]``; unset: the outbox
``SOULMARK_MAIL_FROM``       the notices' From address
``SOULMARK_SECRET``          hex; keys CSRF form tokens (set it when several servers share a site)
``SOULMARK_TRUSTED_PROXIES`` comma-separated proxies whose ``X-Forwarded-For`` is believed
``SOULMARK_BEACON_RELAYS``   comma-separated drand HTTP relays a seal fetches its beacon from
``SOULMARK_INVITES_PER_DAY`` invitations one world may send in a day (default 5000)
``SOULMARK_INVITES_PER_HOUR`` invitations the whole site may send in an hour (default 20000)
==========================  ==================================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from soulmark.core.errors import InvalidInput

__all__ = ["DEFAULT_BASE_URL", "Environment", "read_environment"]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""Where ``soulmark serve`` listens unless told otherwise."""


@dataclass(frozen=True, slots=True)
class Environment:
    db_url: str | None = None
    base_url: str | None = None
    smtp_url: str | None = None
    mail_from: str | None = None
    secret: bytes | None = None
    trusted_proxies: tuple[str, ...] = ()
    beacon_relays: tuple[str, ...] = ()
    invites_per_day: int | None = None
    invites_per_hour: int | None = None


def _count(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise InvalidInput(f"SOULMARK_{name} is not a whole number above 0")
    return int(value)


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """The ``SOULMARK_*`` values of ``env`` (default: this process's); empty means unset."""
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        return env.get(f"SOULMARK_{name}", "").strip() or None

    secret = get("SECRET")
    try:
        key = bytes.fromhex(secret) if secret else None
    except ValueError:
        raise InvalidInput("SOULMARK_SECRET is not hex") from None
    proxies = tuple(p.strip() for p in (get("TRUSTED_PROXIES") or "").split(",") if p.strip())
    relays = tuple(r.strip() for r in (get("BEACON_RELAYS") or "").split(",") if r.strip())
    return Environment(
        db_url=get("DB"),
        base_url=get("BASE_URL"),
        smtp_url=get("SMTP"),
        mail_from=get("MAIL_FROM"),
        secret=key,
        trusted_proxies=proxies,
        beacon_relays=relays,
        invites_per_day=_count("INVITES_PER_DAY", get("INVITES_PER_DAY")),
        invites_per_hour=_count("INVITES_PER_HOUR", get("INVITES_PER_HOUR")),
    )

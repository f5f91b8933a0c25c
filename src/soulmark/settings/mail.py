"""The mail part of the settings: the SMTP server (or the outbox), the sender, links, batching,
retries.  Built from the one :class:`soulmark.settings.Config` at an entry point
(``Config.notices``); tests build it directly."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from soulmark.core.errors import InvalidInput
from soulmark.core.times import SECOND

__all__ = ["DEFAULT_BASE_URL", "NoticeSettings", "SmtpTarget", "mask_smtp_url", "parse_smtp_url"]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""Where ``soulmark serve`` listens unless told otherwise."""

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    """Implicit TLS from the first byte (``smtps://``, usually port 465)."""
    start_tls: bool = False
    """Upgrade with STARTTLS after connecting (``?starttls=1``, usually port 587)."""
    validate_certs: bool = True

    def __repr__(self) -> str:
        # Never print the password, not even in a traceback.
        user = f"{self.username}@" if self.username else ""
        return f"SmtpTarget({user}{self.host}:{self.port}, tls={self.use_tls}/{self.start_tls})"


def mask_smtp_url(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``: safe to print."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    user, _, host = parts.netloc.rpartition("@")
    return parts._replace(netloc=f"{user.partition(':')[0]}:***@{host}").geturl()


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://[user[:pass]@]host[:port][?starttls=1&verify=0]`` or ``smtps://…``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise InvalidInput(f"not an SMTP URL (smtp://host:port or smtps://host:port): {url!r}")
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    implicit = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit else 25)
    except ValueError:
        raise InvalidInput(f"the SMTP URL has a bad port: {url!r}") from None
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit,
        start_tls=not implicit and query.get("starttls", "0") in _TRUE,
        validate_certs=query.get("verify", "1") in _TRUE,
    )


@dataclass(frozen=True)
class NoticeSettings:
    smtp_url: str | None = None
    """None: notices go to the outbox (the notices table) and the console, not to anyone."""
    from_addr: str = "soulmark <notices@soulmark.localhost>"
    base_url: str = DEFAULT_BASE_URL
    """Where the web app is reached; notices link to the world page ``{base_url}/w/{slug}``."""
    batch_size: int = 500
    """Notices claimed per transaction (each is recorded on its own as soon as it is sent)."""
    connections: int = 4
    """SMTP connections used side by side, each reused for many messages."""
    max_attempts: int = 8
    retry_base_s: float = 60.0
    """First retry after this long, then doubling: 1 min, 2, 4, … up to ``retry_max_s``."""
    retry_max_s: float = 6 * 3600.0
    lease_s: float = 60.0
    """How long a claim holds its notices without word from its worker.  The worker renews
    the lease every quarter of it while it works; once a lease has run out the worker is
    taken for dead and the notices it had not recorded are claimed again by the next pass of
    any worker.  It must outlast ``timeout_s``: a worker starts no message that could still
    be on the wire when its lease runs out."""
    poll_s: float = 2.0
    timeout_s: float = 30.0
    beacon_relays: tuple[str, ...] = ()
    """Where a planned seal fetches the beacon its round waits for (services.relays)."""
    reply_to: str | None = None
    """The Reply-To of every message; None: replies go to ``from_addr``."""
    dkim_key_file: str | None = None
    """A PEM RSA private key: set, every message is DKIM-signed (soulmark.notices.dkim)."""
    dkim_selector: str | None = None
    dkim_domain: str | None = None
    """The signing domain (``d=``); None: the domain of ``from_addr``."""
    push_key: str | None = None
    """The VAPID private key file pushes are signed with (soulmark.push.keys); None: pushes
    wait, retried, until one is set."""
    push_contact: str = "mailto:notices@soulmark.localhost"
    """The ``sub`` of every VAPID token: how a push service reaches the operator."""

    def __post_init__(self) -> None:
        if (self.dkim_key_file is None) != (self.dkim_selector is None):
            raise InvalidInput("DKIM signing needs both a key file and a selector")
        if self.smtp_url is not None:
            parse_smtp_url(self.smtp_url)
        if self.batch_size < 1 or self.connections < 1 or self.max_attempts < 1:
            raise InvalidInput("batch size, connections and attempts must be at least 1")
        if self.lease_s <= self.timeout_s:
            raise InvalidInput("the lease must last longer than one message's timeout")

    @property
    def smtp(self) -> SmtpTarget | None:
        return parse_smtp_url(self.smtp_url) if self.smtp_url else None

    def backoff_us(self, attempts: int) -> int:
        """Delay before the next try after ``attempts`` failed ones (exponential, capped)."""
        delay = min(self.retry_base_s * 2 ** max(0, attempts - 1), self.retry_max_s)
        return int(delay * SECOND)

"""The one settings object: every ``SOULMARK_*`` variable, read and checked in one place.

Each entry point (a CLI command, ``soulmark serve``, ``soulmark worker``) calls
:func:`read_config` once and hands the result, or the parts of it a layer needs
(:meth:`Config.notices`, :attr:`Config.quotas`), down as objects.  Nothing below an entry
point looks at ``os.environ``, nothing writes to it, and nothing is read at import time.
Every setting, with its variable, type and default, is listed in docs/settings.md, which is
generated from this class (soulmark.settings.reference): adding a setting is adding a field.
"""

from __future__ import annotations

import email.utils
import ipaddress
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    SecretBytes,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic import field_validator as validates
from pydantic_core import PydanticUseDefault
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from soulmark.core.errors import InvalidInput
from soulmark.push.keys import default_key_path
from soulmark.settings.mail import NoticeSettings, mask_smtp_url, parse_smtp_url

__all__ = ["PREFIX", "Config", "Kind", "Quotas", "read_config"]

PREFIX = "SOULMARK_"


@dataclass(frozen=True)
class Kind:
    """What a setting's value looks like, in the words of docs/settings.md."""

    words: str


@dataclass(frozen=True)
class Quotas:
    """How many invitations may leave: per world in a day, per instance in an hour."""

    world_day: int = 5_000
    instance_hour: int = 20_000


def _hex(value: object) -> object:
    if isinstance(value, str):
        try:
            return bytes.fromhex(value)
        except ValueError:
            raise ValueError("not hex") from None
    return value


def _items(value: object) -> object:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


def _networks(value: tuple[str, ...]) -> tuple[str, ...]:
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an address or a network") from None
    return value


def _smtp(value: SecretStr | None) -> SecretStr | None:
    if value is not None:
        url = value.get_secret_value()
        try:
            parse_smtp_url(url)
        except InvalidInput as exc:
            # Its message quotes the URL: say it again with the password hidden.
            raise ValueError(str(exc).replace(repr(url), repr(mask_smtp_url(url)))) from None
    return value


Text = Annotated[str | None, Kind("text")]
Url = Annotated[str | None, Kind("URL")]
SmtpUrl = Annotated[SecretStr | None, Kind("SMTP URL, its password secret")]
Hex = Annotated[SecretBytes | None, Kind("hex, secret"), BeforeValidator(_hex)]
Items = Annotated[tuple[str, ...], Kind("comma-separated list"), NoDecode, BeforeValidator(_items)]
Count = Annotated[int, Kind("whole number above 0"), Field(gt=0)]
Seconds = Annotated[float, Kind("seconds above 0"), Field(gt=0)]
Flag = Annotated[bool, Kind("yes or no (1, true, yes / 0, false, no)")]
Secret = Annotated[SecretStr | None, Kind("text, secret")]
File = Annotated[str | None, Kind("file path")]
Contact = Annotated[str | None, Kind("`mailto:` or `https:` URL")]


class Config(BaseSettings):
    """Every setting of a soulmark process; each field ``name`` is ``SOULMARK_NAME``."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, frozen=True, extra="ignore", use_attribute_docstrings=True
    )

    db: Url = None
    """Database URL. Unset: a SQLite file in the user's data folder."""
    base_url: Url = None
    """Where the site is reached; links in mail start here. Unset: the address `soulmark
    serve` listens on, else http://127.0.0.1:8000."""
    smtp: SmtpUrl = None
    """`smtp://user:pass@host:port[?starttls=1]` or `smtps://…`. Unset: notices stay in the
    outbox."""
    mail_from: Text = None
    """The From address of notices and invitations. Unset: `soulmark
    <notices@soulmark.localhost>`."""
    mail_reply_to: Text = None
    """The Reply-To of notices and invitations (a mailbox someone reads). Unset: replies go to
    the From address."""
    dkim_key_file: Text = None
    """Path to a PEM RSA private key: every mail is DKIM-signed with it (docs/mail.md says how
    to make one). Unset: no signature."""
    dkim_selector: Text = None
    """The DKIM selector: its public key is the TXT record `<selector>._domainkey.<domain>`.
    Needed with a key file."""
    dkim_domain: Text = None
    """The DKIM signing domain (`d=`). Unset: the domain of the From address."""
    secret: Hex = None
    """Keys CSRF form tokens. Unset: a fresh one per process; set the same one on every
    instance behind one proxy."""
    trusted_proxies: Items = ()
    """Reverse proxies (addresses or networks) whose X-Forwarded-For is believed."""
    beacon_relays: Items = ()
    """drand HTTP relays a seal fetches its beacon from."""
    invites_per_day: Count = Quotas.world_day
    """Invitations one world may send in a day."""
    invites_per_hour: Count = Quotas.instance_hour
    """Invitations the whole site may send in an hour."""
    notice_lease_s: Seconds = 60.0
    """How long a worker's claim on notices lasts without word from it; a message's SMTP
    timeout is the shorter of 30 s and half of it."""
    instances: Count = 1
    """How many `soulmark serve` instances run behind one proxy; more than one without
    `SOULMARK_SECRET` is warned about at start."""
    worker_stale_s: Seconds = 30.0
    """An instance that does not send notices itself (`--no-notices`, `--workers` above 1)
    answers 503 at /readyz once the notices worker's last heartbeat is older than this."""
    metrics: Flag = False
    """Serve Prometheus metrics at /metrics (404 while off)."""
    metrics_token: Secret = None
    """The bearer token /metrics asks for (`Authorization: Bearer …`). Unset while metrics
    are on: anyone who reaches /metrics may read it, and `serve` warns."""
    log_json: Flag = False
    """Log one JSON object per line (`serve` and `worker`; `--log-json` too)."""

    push_key: File = None
    """The VAPID private key (PEM) that signs every Web Push; made on the first start of
    `serve` or `worker`, or by `soulmark push keys`, and never replaced (docs/push.md).
    Unset: `vapid-private.pem` in the user's data folder. Every instance of one site needs
    the same file."""
    push_contact: Contact = None
    """How push services reach the operator (the VAPID `sub`). Unset: `mailto:` the
    address of `SOULMARK_MAIL_FROM`."""

    @validates("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                raise PydanticUseDefault()
            return value.strip()
        return value

    @validates("trusted_proxies")
    @classmethod
    def _proxies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _networks(value)

    @validates("smtp")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        return _smtp(value)

    @validates("mail_reply_to")
    @classmethod
    def _reply_to(cls, value: str | None) -> str | None:
        # A header's value: a line break in it would write headers of its own.
        if value is not None and (
            "@" not in parseaddr(value)[1] or any(c in value for c in "\r\n")
        ):
            raise ValueError(f"not a mail address: {value!r}")
        return value

    @model_validator(mode="after")
    def _dkim_whole(self) -> Config:
        if (self.dkim_key_file is None) != (self.dkim_selector is None):
            raise ValueError(
                f"{PREFIX}DKIM_KEY_FILE and {PREFIX}DKIM_SELECTOR go together: set both or neither"
            )
        return self

    @validates("push_contact")
    @classmethod
    def _contact(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("mailto:", "https://")):
            raise ValueError("must start with mailto: or https://")
        return value

    @property
    def quotas(self) -> Quotas:
        return Quotas(world_day=self.invites_per_day, instance_hour=self.invites_per_hour)

    @property
    def secret_bytes(self) -> bytes | None:
        return self.secret.get_secret_value() if self.secret else None

    @property
    def metrics_bearer(self) -> str | None:
        return self.metrics_token.get_secret_value() if self.metrics_token else None

    @property
    def smtp_url(self) -> str | None:
        return self.smtp.get_secret_value() if self.smtp else None

    def notices(
        self, *, smtp_url: str | None = None, base_url: str | None = None
    ) -> NoticeSettings:
        """The mail part, for the notices worker; the options given win over the settings."""
        values: dict[str, Any] = {
            "smtp_url": smtp_url or self.smtp_url,
            "base_url": base_url or self.base_url,
            "from_addr": self.mail_from,
            "beacon_relays": self.beacon_relays,
            "lease_s": self.notice_lease_s,
            "reply_to": self.mail_reply_to,
            "dkim_key_file": self.dkim_key_file,
            "dkim_selector": self.dkim_selector,
            "dkim_domain": self.dkim_domain,
            "timeout_s": min(NoticeSettings.timeout_s, self.notice_lease_s / 2),
            "push_key": self.push_key or str(default_key_path()),
            "push_contact": self.push_contact or _mailto(self.mail_from),
        }
        return NoticeSettings(**{k: v for k, v in values.items() if v is not None})


def _mailto(from_addr: str | None) -> str | None:
    address = email.utils.parseaddr(from_addr)[1] if from_addr else ""
    return f"mailto:{address}" if "@" in address else None


def read_config() -> Config:
    """The settings from this process's environment; a bad value is one line naming its
    variable."""
    try:
        return Config()
    except ValidationError as exc:
        raise InvalidInput(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a rule between settings: its message names them
        return message
    name = PREFIX + str(error["loc"][0]).upper()
    return f"{name}: {message[:1].lower()}{message[1:]}"

"""Secret tokens: 192 bits from ``secrets``, only their SHA-256 is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from soulmark.core.errors import InvalidInput, NotFound

__all__ = [
    "ONCE_MAX",
    "by_token",
    "new_token",
    "once_token",
    "token_hash",
    "new_pid",
    "new_secret",
]

ONCE_MAX = 100
"""The longest ``once`` a form or a client may send (see :func:`once_token`)."""


def new_token(kind: str) -> str:
    """A token such as ``w_…`` (wrist) or ``o_…`` (organizer); the prefix only helps people."""
    return f"{kind}_{secrets.token_urlsafe(24)}"


def once_token(kind: str, *, key: str, purpose: str, once: str | None) -> str:
    """A new token; or, for a form's one-time ``once``, the one token that form makes, keyed
    by the acting link's own token (only its bearer holds it): a second press of the same
    form (or a replayed POST) finds what the first press made (issue 19 item 4)."""
    if not once:
        return new_token(kind)
    if len(once) > ONCE_MAX:
        raise InvalidInput(f"once has at most {ONCE_MAX} characters", code="once-too-long")
    raw = f"{purpose}:{once}".encode("utf-8", "surrogatepass")
    mac = hmac.new(key.encode("utf-8", "surrogatepass"), raw, hashlib.sha256).digest()
    return f"{kind}_{base64.urlsafe_b64encode(mac[:24]).decode()}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_pid() -> str:
    """An opaque participant id: random, so it says nothing about who or when."""
    return secrets.token_hex(8)


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def by_token(
    session: Session,
    column: InstrumentedAttribute[Any],
    token: str,
    *,
    missing: str,
    code: str = "",
    lock: bool = False,
) -> Any:
    """The row whose ``column`` holds the hash of ``token``; NotFound(``missing``) if none.

    The one lookup behind every private link and token: wrists, shares, organizers,
    confirmation links.  Only hashes are compared, never the token itself.
    """
    query = select(column.class_).where(column == token_hash(token))
    row = session.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(missing, code=code)
    return row

"""Secret tokens: 192 bits from ``secrets``, only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["new_token", "token_hash", "new_pid", "new_secret"]


def new_token(kind: str) -> str:
    """A token such as ``w_…`` (wrist) or ``o_…`` (organizer); the prefix only helps people."""
    return f"{kind}_{secrets.token_urlsafe(24)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_pid() -> str:
    """An opaque participant id: random, so it says nothing about who or when."""
    return secrets.token_hex(8)


def new_secret() -> bytes:
    return secrets.token_bytes(32)

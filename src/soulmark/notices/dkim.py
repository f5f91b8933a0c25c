"""DKIM signatures (RFC 6376) with dkimpy, when a key file and a selector are set.

The key is read once, when the worker's transport is made, and a key that cannot be read or
parsed stops that with one line naming the setting.  Each message is signed as it leaves,
over the headers a receiver shows or acts on, the unsubscribe pair included (RFC 8058 asks
that they be signed, so nobody can add one to a message in transit).
"""

from __future__ import annotations

from functools import lru_cache

import dkim

from soulmark.core.errors import InvalidInput
from soulmark.notices.mime import sender_domain
from soulmark.settings.mail import NoticeSettings

__all__ = ["Signer", "open_signer"]

SIGNED = (
    b"from",
    b"reply-to",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)


class Signer:
    def __init__(self, key: bytes, selector: str, domain: str) -> None:
        self.key, self.selector, self.domain = key, selector.encode(), domain.encode()

    def sign(self, message: bytes) -> bytes:
        """``message`` with its ``DKIM-Signature`` header in front."""
        present = {line.split(b":", 1)[0].strip().lower() for line in _head(message)}
        signature = dkim.sign(
            message,
            self.selector,
            self.domain,
            self.key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[h for h in SIGNED if h in present],
            linesep=b"\r\n",
        )
        return bytes(signature) + message


def _head(message: bytes) -> list[bytes]:
    return message.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


@lru_cache(maxsize=4)
def open_signer(settings: NoticeSettings) -> Signer | None:
    """The signer the settings ask for, or None; InvalidInput (one line) for a bad key.
    Read once per process: a new key is taken up by restarting the worker."""
    if settings.dkim_key_file is None or settings.dkim_selector is None:
        return None
    path = settings.dkim_key_file
    try:
        with open(path, "rb") as handle:
            key = handle.read()
    except OSError as exc:
        raise InvalidInput(f"SOULMARK_DKIM_KEY_FILE: cannot read {path}: {exc.strerror}") from None
    domain = settings.dkim_domain or sender_domain(settings.from_addr)
    signer = Signer(key, settings.dkim_selector, domain)
    try:
        signer.sign(b"From: a@b.invalid\r\nSubject: check\r\n\r\nkey check\r\n")
    except dkim.DKIMException as exc:
        raise InvalidInput(f"SOULMARK_DKIM_KEY_FILE: {path} is not a usable key: {exc}") from None
    return signer

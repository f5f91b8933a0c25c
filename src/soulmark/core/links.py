"""How every link the app writes is spelled: in pages, mails and CLI output (issue 21).

A private link carries its token after ``#`` (issue 22 item 12).
A browser never sends the fragment of an address: neither this server's access log nor a
proxy's sees the token, nor does any Referer.  The page at ``/<kind>/`` hands the fragment to
the server in a POST body (soulmark.web.routes.links), which turns it into a session as an
old link (``/<kind>/<token>``, still honoured) always did.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlencode

__all__ = [
    "KINDS",
    "SESSION_KINDS",
    "organizer_url",
    "private_link",
    "read_link",
    "transcript_url",
    "unsubscribe_link",
    "world_url",
    "wrist_url",
    "world_wrist_url",
]

SESSION_KINDS = ("wrist", "share", "organizer")
"""Links that become a session of their own (a cookie per link)."""
KINDS = (*SESSION_KINDS, "confirm", "signin", "invite", "sender")
"""Links whose page asks before it uses anything up follow the three above."""

_PASTED = re.compile(r"/(" + "|".join(KINDS) + r")/#?([^/?#\s]+)/?$")


def private_link(base_url: str, kind: str, token: str) -> str:
    """The one spelling of a link that carries ``token``: ``{base}/{kind}/#{token}``."""
    assert kind in KINDS, kind
    return f"{base_url.rstrip('/')}/{kind}/#{token}"


def read_link(text: str) -> tuple[str | None, str]:
    """The kind and token of a pasted link (either shape), or ``(None, text)`` for a bare
    token or a fragment: what a person may paste into the page's form."""
    text = text.strip()
    found = _PASTED.search(text.split("?", 1)[0] if "#" not in text else text)
    if found:
        return found.group(1), found.group(2)
    return None, text.lstrip("#")


def _tail(query: Mapping[str, object] | None, at: str) -> str:
    return (f"?{urlencode(query)}" if query else "") + (f"#{at}" if at else "")


def world_url(slug: str, base_url: str = "", *, rest: str = "") -> str:
    """The world's public page (the join link a QR code holds), relative without a base."""
    return f"{base_url.rstrip('/')}/w/{slug}{rest}"


def transcript_url(slug: str, base_url: str = "") -> str:
    return f"{world_url(slug, base_url)}/transcript"


def wrist_url(
    token: str, rest: str = "", *, query: Mapping[str, object] | None = None, at: str = ""
) -> str:
    """A wrist's page by its token (or a session's ``me-<handle>``), where a form sends the
    browser back: ``rest`` a sub-page (``/name``), ``at`` the part of the page."""
    return f"/wrist/{token}{rest}{_tail(query, at)}"


def organizer_url(
    token: str, rest: str = "", *, query: Mapping[str, object] | None = None, at: str = ""
) -> str:
    """The organizer's dashboard by its token (or a session's ``me-<handle>``), with what a
    form's answer says in ``query``; ``rest`` a sub-page (``/slips``)."""
    return f"/organizer/{token}{rest}{_tail(query, at)}"


def world_wrist_url(slug: str) -> str:
    """This browser's wrist in one world, found by its own session cookie, never a token."""
    return f"/wrist/me?world={quote(slug, safe='')}"


def unsubscribe_link(base_url: str, key: str) -> str:
    """In the path, not after ``#``: RFC 8058 has the provider POST to this very address.
    The key opens nothing but this, so an access log that keeps it keeps little."""
    return f"{base_url.rstrip('/')}/unsubscribe/{key}"

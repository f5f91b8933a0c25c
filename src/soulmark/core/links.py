"""How every private link is spelled (issue 22 item 12): its token after ``#``.

A browser never sends the fragment of an address: neither this server's access log nor a
proxy's sees the token, nor does any Referer.  The page at ``/<kind>/`` hands the fragment to
the server in a POST body (soulmark.web.routes.links), which turns it into a session as an
old link (``/<kind>/<token>``, still honoured) always did.
"""

from __future__ import annotations

import re

__all__ = ["KINDS", "SESSION_KINDS", "private_link", "read_link"]

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

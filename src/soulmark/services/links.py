"""Whether a private link opens anything (issue 22 item 15).

Only a link that opens something becomes a session: a browser given junk, or a revoked
share, keeps no cookie for it, so nobody can plant an entry in another person's list of
wrists with a link that was never valid.
"""

from __future__ import annotations

from soulmark.core.links import SESSION_KINDS
from soulmark.services.bearers import person_by_token
from soulmark.services.shares import live_share
from soulmark.services.worlds import organizer_row
from soulmark.store import Store

__all__ = ["check_link"]


def check_link(store: Store, *, kind: str, token: str, at: int | None = None) -> None:
    """Raise the kind's own NotFound (``wrist-unknown``, ``share-unknown``,
    ``organizer-unknown``) unless ``token`` opens a live link of ``kind``."""
    assert kind in SESSION_KINDS, kind
    with store.read() as s:
        if kind == "wrist":
            person_by_token(s, token, at=at)
        elif kind == "share":
            live_share(s, token)
        else:
            organizer_row(s, token)

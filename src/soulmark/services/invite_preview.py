"""What a list of invitations would do, before anything is sent (issue 20 item 2).

The organizer sees the counts (rows, distinct addresses, rows listed twice, addresses that
would be skipped, mails that would leave), the first rows as they were read, and the
subject the mails will carry.  Nothing is written: sending is services.invites.invite, and
a list refused there (a bad line, an outsider's address) is refused here the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from soulmark.notices.compose import invitation
from soulmark.services.invite_lists import Invitee, clean_inviter
from soulmark.services.invites import count_fresh, distinct_invitees
from soulmark.services.results import Result
from soulmark.services.worlds import get_world
from soulmark.store import Store

__all__ = ["FIRST_ROWS", "InvitePreview", "preview_invitations"]

FIRST_ROWS = 5
"""Rows shown as read: enough to see that the columns were understood."""


@dataclass(frozen=True)
class InvitePreview(Result):
    rows: int
    """Entries read (blank rows are not entries)."""
    invitees: int
    """Distinct addresses among them."""
    duplicates: int
    """Rows naming an address listed earlier: counted, not mailed."""
    skipped: int
    """Distinct addresses already in the world or holding an invitation that still works."""
    to_send: int
    """Mails sending this list now would let go."""
    first: list[dict[str, str | None]]
    """The first rows as read: email, name, group."""
    subject: str
    """The subject the invitations will carry."""


def preview_invitations(
    store: Store,
    *,
    world: str,
    invitees: Sequence[Invitee],
    at: int,
    lang: str | None = None,
    inviter: str | None = None,
) -> InvitePreview:
    """Counts and the first rows of a list, as sending it now would treat it; writes nothing."""
    inviter = clean_inviter(inviter)
    with store.read() as s:
        row = get_world(s, world)
        unique = distinct_invitees(row, invitees)
        to_send = count_fresh(s, row, list(unique), at)
        name = row.name
    subject, _ = invitation(world_name=name, link="", days=0, lang=lang, inviter=inviter)
    first = [{"email": i.email, "name": i.name, "group": i.group} for i in invitees[:FIRST_ROWS]]
    return InvitePreview(
        rows=len(invitees),
        invitees=len(unique),
        duplicates=len(invitees) - len(unique),
        skipped=len(unique) - to_send,
        to_send=to_send,
        first=first,
        subject=subject,
    )

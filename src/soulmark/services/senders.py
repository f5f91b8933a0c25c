"""Mail on an organizer's behalf (issue 17): an address of their own first, then quotas.

A world opened from the web was opened by whoever reached the page, and its name travels in
the subject of every invitation it sends: left as it was, one anonymous request mailed a
thousand strangers from the instance's address.  So such a world sends nothing to anyone but
its organizer until the organizer opens a one-time link mailed to an address of their own,
and every world's invitations are bounded per day, and the instance's per hour.  A world
opened by the operator (the CLI) is trusted from the start.  Only the SHA-256 of the code is
kept, and asking again makes the earlier link stop working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, NotFound
from soulmark.core.times import DAY, HOUR
from soulmark.core.validate import clean_email
from soulmark.notices.compose import DEFAULT_BASE_URL, sender_link, sender_mail
from soulmark.notices.queue import HELD, queue_message
from soulmark.notices.suppress import SUPPRESSED
from soulmark.services.tokens import new_token, token_hash
from soulmark.services.worlds import get_world, organizer_row
from soulmark.settings import Quotas
from soulmark.store import Store
from soulmark.store.models import WorldRow
from soulmark.store.notice_models import NoticeRow

__all__ = [
    "DEFAULT_QUOTAS",
    "Quotas",
    "Sender",
    "ask",
    "check_may_invite",
    "confirm",
    "held",
    "new_code",
    "sender_page",
]


DEFAULT_QUOTAS = Quotas()


@dataclass(frozen=True)
class Sender:
    world: str
    world_name: str
    confirmed: bool

    def to_json(self) -> dict[str, Any]:
        return {"world": self.world, "world_name": self.world_name, "confirmed": self.confirmed}


def new_code(world: WorldRow, base_url: str) -> str:
    """Hold the world's mail to others until the link returned is opened; an earlier link
    stops working."""
    code = new_token("c")
    world.sender_confirmed, world.sender_code_hash = False, token_hash(code)
    return sender_link(base_url, code)


def ask(
    store: Store, *, organizer_token: str, email: str, at: int, base_url: str = DEFAULT_BASE_URL
) -> str:
    """Mail the organizer a new link that confirms their address; the address mailed."""
    to = clean_email(email)
    with store.transaction() as s:
        world = organizer_row(s, organizer_token, lock=True)
        if world.sender_confirmed:
            raise Conflict("your address is confirmed already", code="sender-confirmed")
        subject, body = sender_mail(world_name=world.name, link=new_code(world, base_url))
        queue_message(s, world, kind="organizer", to=to, subject=subject, body=body, at=at)
    return to


def _by_code(s: Session, code: str) -> WorldRow:
    found = s.scalar(select(WorldRow).where(WorldRow.sender_code_hash == token_hash(code)))
    if found is None:
        raise NotFound("this confirmation link does not work", code="sender-unknown")
    return found


def sender_page(store: Store, *, code: str) -> Sender:
    """What the link's page shows before its button is pressed (mail scanners follow links)."""
    with store.transaction() as s:
        world = _by_code(s, code)
        return Sender(world.slug, world.name, world.sender_confirmed)


def confirm(store: Store, *, code: str) -> Sender:
    """Lift the hold: the code's world may now send invitations.  Pressing twice is fine."""
    with store.transaction() as s:
        world = _by_code(s, code)
        s.execute(update(WorldRow).where(WorldRow.id == world.id).values(sender_confirmed=True))
        return Sender(world.slug, world.name, True)


def check_may_invite(s: Session, world: WorldRow, count: int, *, at: int, quotas: Quotas) -> None:
    """Refuse, with one line and nothing written, a list this world may not send now."""
    if not world.sender_confirmed:
        raise Conflict(
            "invitations leave once you confirm your own address: open the link we mailed you",
            code="sender-unconfirmed",
        )
    sent = _invitations(s, at - DAY, world.id)
    if sent + count > quotas.world_day:
        raise Conflict(
            f"a world sends at most {quotas.world_day} invitations a day; "
            f"{max(0, quotas.world_day - sent)} can leave now",
            code="invite-quota-world",
            n=quotas.world_day,
            left=max(0, quotas.world_day - sent),
        )
    if _invitations(s, at - HOUR) + count > quotas.instance_hour:
        raise Conflict(
            "this site has sent as many invitations as it may this hour; try again later",
            code="invite-quota-site",
        )


def _invitations(s: Session, since: int, world_id: int | None = None) -> int:
    q = select(func.count()).select_from(NoticeRow)
    # A list cut short leaves its mails held, never sent, and a suppressed address is not
    # mailed: they count against nothing.
    q = q.where(
        NoticeRow.kind == "invite",
        NoticeRow.due_at >= since,
        NoticeRow.status.not_in((HELD, SUPPRESSED)),
    )
    if world_id is not None:
        q = q.where(NoticeRow.world_id == world_id)
    return s.scalar(q) or 0


def held(store: Store, *, world: str) -> bool:
    """True while the world's mail to others waits for its organizer's address."""
    with store.transaction() as s:
        return not get_world(s, world).sender_confirmed

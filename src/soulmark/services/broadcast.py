"""A message to everyone (issue 20 item 4): the organizer's words, mailed alike to every
participant (or only to those who have not confirmed their address yet).

It goes through the notices queue like every mail, in each person's own language, wrapped
in words of its own that say it went to everyone alike.  It names no one and says nothing
about any wrist (B2): every recipient gets the same text.  A world may send only a few a
day (:data:`PER_DAY`), and only once its organizer has confirmed an address of their own
(services.senders), so that this site cannot be made to mail strangers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, SoulmarkError
from soulmark.core.times import DAY
from soulmark.core.validate import clean_line
from soulmark.notices.compose import broadcast_mail
from soulmark.notices.queue import queue_many
from soulmark.services.co_organizers import note
from soulmark.services.results import Result
from soulmark.services.signin import holds_wrist
from soulmark.services.worlds import organizer_row
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow
from soulmark.store.notice_models import NoticeRow

__all__ = ["AUDIENCES", "MAX_TEXT", "PER_DAY", "Broadcast", "send_to_everyone"]

PER_DAY = 3
"""Messages one world may send in any 24 hours."""
MAX_TEXT = 2000
AUDIENCES = ("all", "unconfirmed")


@dataclass(frozen=True)
class Broadcast(Result):
    world: str
    sent: int
    """Mails queued now: one per person reached."""
    left_today: int
    """Messages this world may still send in the next 24 hours."""


def _text(raw: str) -> str:
    lines = raw.replace("\r\n", "\n").strip().split("\n")
    try:
        text = "\n".join(
            clean_line(line, "message", MAX_TEXT) if line.strip() else "" for line in lines
        )
    except SoulmarkError as exc:
        raise InvalidInput(f"message: {exc}", code="message-invalid") from None
    if not text.strip() or len(text) > MAX_TEXT:
        raise InvalidInput(f"message: 1 to {MAX_TEXT} characters", code="message-invalid")
    return text


def send_to_everyone(
    store: Store, *, token: str, text: str, at: int, audience: str = "all"
) -> Broadcast:
    """Queue ``text`` to every participant (``all``) or only the ``unconfirmed``."""
    if audience not in AUDIENCES:
        raise InvalidInput("audience is all or unconfirmed", code="message-invalid")
    body = _text(text)
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)  # two at once take turns with the count
        if not world.sender_confirmed:
            raise Conflict(
                "messages leave once you confirm your own address: open the link we mailed you",
                code="sender-unconfirmed",
            )
        sent_today = (
            s.scalar(
                select(func.count(distinct(NoticeRow.due_at))).where(
                    NoticeRow.world_id == world.id,
                    NoticeRow.kind == "message",
                    NoticeRow.due_at > at - DAY,
                )
            )
            or 0
        )
        if sent_today >= PER_DAY:
            raise Conflict(
                f"a world sends at most {PER_DAY} messages a day", code="message-quota", n=PER_DAY
            )
        mails = [
            (to, *broadcast_mail(world_name=world.name, text=body, lang=lang))
            for to, lang in _recipients(s, world, audience)
        ]
        queue_many(s, world, kind="message", mails=mails, at=at)
        note(s, world, token, "message", at)
        slug = world.slug
    return Broadcast(world=slug, sent=len(mails), left_today=PER_DAY - sent_today - 1)


def _recipients(s: Session, world: WorldRow, audience: str) -> list[tuple[str, str | None]]:
    """Address and language of each person the message is for."""
    query = select(PersonRow.email, PersonRow.lang).where(
        PersonRow.world_id == world.id, PersonRow.left_at.is_(None), PersonRow.email != ""
    )
    if audience == "all":
        query = query.where(PersonRow.confirmed.is_(True))
    else:
        query = query.where(PersonRow.confirmed.is_(False), holds_wrist)
    return [(to, lang) for to, lang in s.execute(query).all()]

"""One-time sign-ins that open a wrist on one device and change no link (issue 19 item 3).

Every notice mail carries one (soulmark.notices.queue), and the wrist page mails one on
request ("mail me a sign-in link").  Its code is valid for 24 hours and, like the recovery
code of soulmark.services.signin, only a button press (a POST) spends it: mail scanners fetch
links.  Spending it opens a device session (soulmark.services.device_sessions) rather than
replacing the private link, so a link kept elsewhere goes on working.  A spent or expired
code still names its wrist, so its page can mail a fresh one to the same address: nothing
else is told to whoever holds it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from soulmark.core.errors import NotFound
from soulmark.core.times import MINUTE
from soulmark.notices.compose import DEFAULT_BASE_URL, signin, signin_device, signin_link
from soulmark.notices.queue import queue_message
from soulmark.notices.signins import DEVICE, DEVICE_TTL
from soulmark.services.bearers import person_by_token
from soulmark.services.device_sessions import Opened, open_device
from soulmark.services.signin import (
    CODE_TTL,
    SignedIn,
    issue_code,
    live_code,
    sign_in,
    spend_code,
)
from soulmark.services.tokens import token_hash
from soulmark.store import Store
from soulmark.store.link_models import SigninCodeRow
from soulmark.store.models import PersonRow, WorldRow

__all__ = [
    "DEVICE",
    "DEVICE_TTL",
    "ask",
    "mail_again",
    "mail_me",
    "sign_in_device",
    "use_code",
]

_PURPOSES = ("recover", DEVICE)


def ask(store: Store, *, code: str, at: int) -> tuple[str, str]:
    """The world and purpose of a live code (its page shows them); uses nothing."""
    with store.read() as s:
        row = _live(s, code, at)
        person = s.get_one(PersonRow, row.person_id)
        return s.get_one(WorldRow, person.world_id).slug, row.purpose


def _live(s: Session, code: str, at: int) -> SigninCodeRow:
    row = s.scalar(select(SigninCodeRow).where(SigninCodeRow.code_hash == token_hash(code)))
    return live_code(s, code, at, purpose=row.purpose if row and row.purpose in _PURPOSES else "")


def sign_in_device(store: Store, *, code: str, at: int, user_agent: str, kept: bool) -> Opened:
    """Spend a device code: a device session for its wrist (the private link stays)."""
    with store.transaction() as s:
        person = s.get_one(PersonRow, spend_code(s, code, at, purpose=DEVICE))
        if person.left_at is not None:
            raise NotFound("no wrist has that token", code="wrist-unknown")
        token = open_device(s, person, at=at, user_agent=user_agent, kept=kept)
        world = s.get_one(WorldRow, person.world_id).slug
        return Opened(world=world, token=token, kept=kept)


def _mail(s: Session, person: PersonRow, *, purpose: str, at: int, base_url: str) -> None:
    ttl = DEVICE_TTL if purpose == DEVICE else CODE_TTL
    code = issue_code(s, person, purpose=purpose, at=at, ttl=ttl)
    if code is None or not person.email or person.left_at is not None:
        return
    world = s.get_one(WorldRow, person.world_id)
    link = signin_link(base_url, code)
    if purpose == DEVICE:
        words = signin_device(world_name=world.name, link=link, hours=24, lang=person.lang)
    else:
        words = signin(world_name=world.name, link=link, minutes=ttl // MINUTE, lang=person.lang)
    subject, body = words
    queue_message(s, world, kind="signin", to=person.email, subject=subject, body=body, at=at)


def mail_me(store: Store, *, token: str, at: int, base_url: str = DEFAULT_BASE_URL) -> None:
    """ "Mail me a sign-in link": a device code to the wrist's own address."""
    with store.transaction() as s:
        _mail(s, person_by_token(s, token, at=at), purpose=DEVICE, at=at, base_url=base_url)


def mail_again(store: Store, *, code: str, at: int, base_url: str = DEFAULT_BASE_URL) -> None:
    """A spent or expired code's page asked for a fresh one: mailed to the same address, of
    the same kind.  Answers nothing either way (an unknown code mails nobody)."""
    with store.transaction() as s:
        row = s.scalar(select(SigninCodeRow).where(SigninCodeRow.code_hash == token_hash(code)))
        if row is None or row.purpose not in _PURPOSES:
            return
        person = s.get(PersonRow, row.person_id)
        if person is not None:
            _mail(s, person, purpose=row.purpose, at=at, base_url=base_url)


def use_code(store: Store, *, code: str, at: int, user_agent: str, kept: bool) -> SignedIn | Opened:
    """Spend a mailed code of either kind: a recovery replaces the private link
    (soulmark.services.signin), a device code opens a device session."""
    _world, purpose = ask(store, code=code, at=at)
    if purpose == DEVICE:
        return sign_in_device(store, code=code, at=at, user_agent=user_agent, kept=kept)
    return sign_in(store, code=code, at=at)

"""Ways back to a wrist without its link: one-time codes by mail, and a replaced link.

Only the SHA-256 of a wrist token is stored, so a lost link cannot be sent again.  Instead a
participant asks for a sign-in mail: it carries a one-time code (valid for 30 minutes, used
once).  Following it gives the wrist a new private link and revokes the old one, which is
also what "replace my link" does for someone who fears their link was seen.

Opening the mailed link only asks (mail scanners prefetch links); signing in is a POST.
Whether an address joined is never told: asking always answers the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from soulmark.core.errors import InvalidInput, NotFound
from soulmark.core.looks import email_key
from soulmark.core.times import MINUTE
from soulmark.core.validate import clean_email
from soulmark.notices.compose import DEFAULT_BASE_URL, signin, signin_link
from soulmark.notices.queue import queue_message
from soulmark.services.people import person_by_token
from soulmark.services.results import Result
from soulmark.services.tokens import new_token, token_hash
from soulmark.services.worlds import get_world
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow
from soulmark.store.web_models import ConfirmationRow, SigninCodeRow

__all__ = [
    "CODE_TTL",
    "SignedIn",
    "request_signin",
    "issue_code",
    "live_code",
    "signin_world",
    "sign_in",
    "replace_link",
]

CODE_TTL = 30 * MINUTE
MAX_LIVE_CODES = 3
"""Live codes one person may hold: more requests are answered the same, and send nothing."""


@dataclass(frozen=True)
class SignedIn(Result):
    world: str
    token: str
    """The wrist's new private token; the one before it no longer opens anything."""


def issue_code(s: Session, person: PersonRow, *, purpose: str, at: int, ttl: int) -> str | None:
    """A new one-time code for ``person`` (None when they already hold enough live ones)."""
    live = s.scalar(
        select(func.count())
        .select_from(SigninCodeRow)
        .where(
            SigninCodeRow.person_id == person.id,
            SigninCodeRow.used_at.is_(None),
            SigninCodeRow.expires_at > at,
        )
    )
    if (live or 0) >= MAX_LIVE_CODES:
        return None
    code = new_token("k")
    s.add(
        SigninCodeRow(
            person_id=person.id,
            code_hash=token_hash(code),
            purpose=purpose,
            created_at=at,
            expires_at=at + ttl,
        )
    )
    return code


_awaits_confirmation = (
    select(ConfirmationRow.id).where(ConfirmationRow.person_id == PersonRow.id).exists()
)


def request_signin(
    store: Store, *, world: str, email: str, at: int, base_url: str = DEFAULT_BASE_URL
) -> None:
    """Mail a sign-in link to ``email`` if it joined ``world``; nothing tells whether it did."""
    try:
        address = clean_email(email)
    except InvalidInput:
        return
    with store.transaction() as s:
        row = get_world(s, world)
        person = s.scalars(
            select(PersonRow).where(
                PersonRow.world_id == row.id,
                PersonRow.email_key == email_key(address),
                PersonRow.left_at.is_(None),
                # Someone who joined: an invitee who never claimed holds no wrist to sign in to.
                or_(PersonRow.confirmed.is_(True), _awaits_confirmation),
            )
        ).first()
        if person is None:
            return
        code = issue_code(s, person, purpose="recover", at=at, ttl=CODE_TTL)
        if code is None:
            return
        link = signin_link(base_url, code)
        subject, body = signin(
            world_name=row.name, link=link, minutes=CODE_TTL // MINUTE, lang=person.lang
        )
        queue_message(s, row, kind="signin", to=person.email, subject=subject, body=body, at=at)


_SPENT = "this sign-in link has expired or was already used; ask for a new one"


def live_code(
    s: Session,
    code: str,
    at: int,
    *,
    purpose: str = "recover",
    spent: str = _SPENT,
    spent_code: str = "signin-spent",
) -> SigninCodeRow:
    """The unused, unexpired code ``code`` issued for ``purpose``, or NotFound(``spent``)."""
    row = s.scalars(
        select(SigninCodeRow).where(SigninCodeRow.code_hash == token_hash(code))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= at or row.purpose != purpose:
        # One answer for unknown, used and expired codes: none of them is worth telling apart.
        raise NotFound(spent, code=spent_code)
    return row


def signin_world(store: Store, *, code: str, at: int) -> str:
    """The world a live code is for (the page that asks to sign in shows it); uses nothing."""
    with store.transaction() as s:
        row = live_code(s, code, at)
        person = s.get_one(PersonRow, row.person_id)
        return s.get_one(WorldRow, person.world_id).slug


def sign_in(store: Store, *, code: str, at: int) -> SignedIn:
    """Use a code once: the wrist gets a new private token, and the old one is revoked."""
    with store.transaction() as s:
        row = live_code(s, code, at)
        row.used_at = at
        person = s.get_one(PersonRow, row.person_id, with_for_update=True)
        token = new_token("w")
        person.token_hash = token_hash(token)
        return SignedIn(world=s.get_one(WorldRow, person.world_id).slug, token=token)


def replace_link(store: Store, *, token: str) -> SignedIn:
    """A new private link for the bearer of ``token``; ``token`` stops opening anything."""
    with store.transaction() as s:
        person = person_by_token(s, token, lock=True)
        if person.left_at is not None:
            raise NotFound("no wrist has that token", code="wrist-unknown")
        fresh = new_token("w")
        person.token_hash = token_hash(fresh)
        return SignedIn(world=s.get_one(WorldRow, person.world_id).slug, token=fresh)

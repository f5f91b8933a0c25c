"""Ways back to a wrist without its link: one-time codes by mail, and a replaced link.

Only the SHA-256 of a wrist token is stored, so a lost link cannot be sent again.  Instead a
participant asks for a sign-in mail: it carries a one-time code (valid for 30 minutes, used
once).  Following it gives the wrist a new private link and revokes the old one, which is
also what "replace my link" does for someone who fears their link was seen.

Opening the mailed link only asks (mail scanners prefetch links); signing in is a POST.

Whether an address joined is never told, not even by the time an answer takes: asking only
queues the question (:func:`ask_signin`, the same work for every address), and the notices
worker answers it (:func:`answer_requests`): it looks the address up and turns the question
into a sign-in mail, or drops it.  A code is spent by one conditional UPDATE
(:func:`spend_code`), so of many concurrent uses exactly one signs in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from soulmark.core.errors import InvalidInput, NotFound
from soulmark.core.looks import email_key
from soulmark.core.times import MINUTE
from soulmark.core.validate import clean_email
from soulmark.notices.compose import DEFAULT_BASE_URL, signin, signin_link
from soulmark.notices.queue import ASKED, queue_question
from soulmark.notices.signins import codes_for
from soulmark.services.bearers import person_by_token
from soulmark.services.results import Result
from soulmark.services.tokens import new_token, once_token, token_hash
from soulmark.services.worlds import get_world
from soulmark.store import Store
from soulmark.store.link_models import ConfirmationRow, SigninCodeRow
from soulmark.store.models import PersonRow, WorldRow
from soulmark.store.notice_models import NoticeRow

__all__ = [
    "CODE_TTL",
    "SignedIn",
    "holds_wrist",
    "request_signin",
    "answer_requests",
    "issue_code",
    "issue_codes",
    "live_code",
    "spend_code",
    "signin_world",
    "sign_in",
    "replace_link",
    "world_of",
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
            # Each purpose its own allowance: a day of notice buttons never blocks a recovery.
            SigninCodeRow.purpose == purpose,
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


def issue_codes(
    s: Session,
    people: Sequence[PersonRow],
    *,
    purpose: str,
    at: int,
    ttl: int,
    limit: int = MAX_LIVE_CODES,
) -> dict[int, str]:
    """:func:`issue_code` for many people in three statements, by person id: the same rule
    (none for one who already holds ``limit`` live codes)."""
    return codes_for(s, [p.id for p in people], purpose=purpose, at=at, ttl=ttl, limit=limit)


_awaits_confirmation = (
    select(ConfirmationRow.id).where(ConfirmationRow.person_id == PersonRow.id).exists()
)
holds_wrist = or_(PersonRow.confirmed.is_(True), _awaits_confirmation)
"""Someone who joined: an invitee who never claimed holds no wrist to sign in to."""


def request_signin(
    store: Store, *, world: str, email: str, at: int, base_url: str = DEFAULT_BASE_URL
) -> None:
    """Mail a sign-in link to ``email`` if it joined ``world``; nothing tells whether it did."""
    try:
        address = clean_email(email)
    except InvalidInput:
        return
    with store.transaction() as s:
        queue_question(s, get_world(s, world), to=address, at=at, base_url=base_url)


ANSWERED_AT_ONCE = 500
"""Questions answered in one transaction."""


def answer_requests(store: Store) -> int:
    """Turn every queued question into a sign-in mail for a member, or drop it; how many."""
    answered = 0
    while True:
        with store.transaction() as s:
            asked = s.scalars(
                select(NoticeRow)
                .where(NoticeRow.status == ASKED)
                .order_by(NoticeRow.id)
                .limit(ANSWERED_AT_ONCE)
                .with_for_update(skip_locked=True)
            ).all()
            for notice in asked:
                _answer(s, notice)
        answered += len(asked)
        if len(asked) < ANSWERED_AT_ONCE:
            return answered


def _answer(s: Session, notice: NoticeRow) -> None:
    world = s.get_one(WorldRow, notice.world_id)
    person = s.scalars(
        select(PersonRow).where(
            PersonRow.world_id == world.id,
            PersonRow.email_key == email_key(notice.to_addr),
            PersonRow.left_at.is_(None),
            holds_wrist,
        )
    ).first()
    # The code's half hour runs from the moment it was asked for, not from this answer.
    at = notice.due_at
    code = issue_code(s, person, purpose="recover", at=at, ttl=CODE_TTL) if person else None
    if person is None or code is None:
        s.delete(notice)
        return
    link = signin_link(notice.body or DEFAULT_BASE_URL, code)
    minutes = CODE_TTL // MINUTE
    subject, body = signin(world_name=world.name, link=link, minutes=minutes, lang=person.lang)
    notice.to_addr, notice.subject, notice.body = person.email, subject, body
    notice.status, notice.next_attempt_at = "pending", 0


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
    """The unused, unexpired code ``code`` issued for ``purpose``, or NotFound(``spent``).

    It only reads: a code is used by :func:`spend_code`.
    """
    row = s.scalars(
        select(SigninCodeRow).where(SigninCodeRow.code_hash == token_hash(code))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= at or row.purpose != purpose:
        # One answer for unknown, used and expired codes: none of them is worth telling apart.
        raise NotFound(spent, code=spent_code)
    return row


def spend_code(
    s: Session,
    code: str,
    at: int,
    *,
    purpose: str = "recover",
    spent: str = _SPENT,
    spent_code: str = "signin-spent",
) -> int:
    """Use the live code ``code`` and return its person's id, or NotFound(``spent``).

    One conditional UPDATE: concurrent uses wait on the row's lock, and every use but the
    first finds it used (PostgreSQL re-checks the WHERE on the row the first one wrote).
    """
    person_id: int | None = s.scalar(
        update(SigninCodeRow)
        .where(
            SigninCodeRow.code_hash == token_hash(code),
            SigninCodeRow.purpose == purpose,
            SigninCodeRow.used_at.is_(None),
            SigninCodeRow.expires_at > at,
        )
        .values(used_at=at)
        .returning(SigninCodeRow.person_id)
    )
    if person_id is None:
        raise NotFound(spent, code=spent_code)
    return person_id


def signin_world(store: Store, *, code: str, at: int) -> str:
    """The world a live code is for (the page that asks to sign in shows it); uses nothing."""
    with store.transaction() as s:
        row = live_code(s, code, at)
        person = s.get_one(PersonRow, row.person_id)
        return s.get_one(WorldRow, person.world_id).slug


def sign_in(store: Store, *, code: str, at: int) -> SignedIn:
    """Use a code once: the wrist gets a new private token, and the old one is revoked."""
    with store.transaction() as s:
        person = s.get_one(PersonRow, spend_code(s, code, at), with_for_update=True)
        token = new_token("w")
        person.token_hash = token_hash(token)
        return SignedIn(world=s.get_one(WorldRow, person.world_id).slug, token=token)


def replace_link(
    store: Store, *, token: str, once: str | None = None, at: int | None = None
) -> SignedIn:
    """A new private link for the bearer of ``token``; ``token`` stops opening anything.
    The same ``once`` again (a double press) answers the link it made, and replaces nothing."""
    fresh = once_token("w", key=token, purpose="replace", once=once)
    with store.transaction() as s:
        try:
            person = person_by_token(s, token, lock=True, at=at)
        except NotFound:
            if not once:
                raise
            person = person_by_token(s, fresh, at=at)
            return SignedIn(world=s.get_one(WorldRow, person.world_id).slug, token=fresh)
        if person.left_at is not None:
            raise NotFound("no wrist has that token", code="wrist-unknown")
        person.token_hash = token_hash(fresh)
        return SignedIn(world=s.get_one(WorldRow, person.world_id).slug, token=fresh)


def world_of(store: Store, *, token: str, at: int | None = None) -> str:
    """The slug of the world of the wrist behind ``token`` (what a replaced link's page names)."""
    with store.read() as s:
        return s.get_one(WorldRow, person_by_token(s, token, at=at).world_id).slug

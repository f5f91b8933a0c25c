"""Invitations (issue 9): an organizer's list of addresses, each mailed a one-time claim link.

An invited address becomes a person at once, unconfirmed and holding no key (nobody knows its
wrist token), so sealing leaves them out until they claim, and inviting the address again
finds that person instead of adding a second one, and mails them a fresh link that replaces
the one before: an address holds at most one live invitation.  The mail carries a one-time
code of the sign-in kind (services.signin) that stays valid for :data:`INVITE_TTL` (seven
days) and is used once, by one conditional UPDATE (of concurrent claims, one goes on).  An
invitation only gives a wrist its first token: whoever holds a wrist already is not invited,
and a claim never replaces the token of a wrist someone holds.  Opening the link only asks,
since mail scanners prefetch links; the button on its page claims it: the join counts in the
open round, in the language of that page, and the wrist gets its first private link, which
only the invitee's browser ever receives.  The organizer is told counts, never a key.

A list is checked whole before anything is written: one bad row refuses it all, by line.  It
is written in short slices, its mails held until the last one is in (:func:`invite`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, distinct, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import InvalidInput, NotFound, SoulmarkError
from soulmark.core.looks import email_key
from soulmark.core.times import DAY
from soulmark.core.validate import clean_name
from soulmark.notices.compose import DEFAULT_BASE_URL, invitation, invite_link
from soulmark.notices.queue import HELD, let_go, queue_many
from soulmark.notices.suppress import SUPPRESSED
from soulmark.services.invite_lists import (
    MAX_INVITEES,
    Invitee,
    clean_inviter,
    invitees_from,
    read_invitees,
)
from soulmark.services.joins import check_domain, joining_round
from soulmark.services.looks import check_look, is_look_clash, lookalike
from soulmark.services.results import Result
from soulmark.services.senders import DEFAULT_QUOTAS, Quotas, check_may_invite
from soulmark.services.signin import SignedIn, holds_wrist, issue_codes, live_code, spend_code
from soulmark.services.tokens import new_pid, new_token, token_hash
from soulmark.services.unsubscribe import note_suppressed, suppressed_in
from soulmark.services.worlds import get_world
from soulmark.store import Store
from soulmark.store.fair import slices, step_aside
from soulmark.store.link_models import SigninCodeRow
from soulmark.store.models import PersonRow, WorldRow
from soulmark.store.notice_models import NoticeRow

__all__ = [
    "INVITE_TTL",
    "MAX_INVITEES",
    "Invitee",
    "Invited",
    "Invitations",
    "Claim",
    "read_invitees",
    "invitees_from",
    "invite",
    "invitations",
    "claim_page",
    "claim",
]

INVITE_TTL = 7 * DAY
SLICE = 200
"""Addresses written per transaction: about 40 ms of write lock on SQLite (bench/locks.py)."""
PURPOSE = "invite"
NOT_MAILED = (HELD, SUPPRESSED)
"""Invitation rows that never went out: a list still being written, a suppressed address."""
_SPENT = "this invitation has expired or was already used; ask the organizer for a new one"
_SPENT_CODE = "invitation-spent"


@dataclass(frozen=True)
class Invited(Result):
    world: str
    sent: int
    """Invitations mailed now."""
    skipped: int
    """Rows with nothing sent: already joined (or left), holding a live invitation, or
    listed twice."""
    suppressed: int = 0
    """Addresses this site sends no invitation to (refused for good, or unsubscribed)."""
    duplicates: int = 0
    """Of the skipped, the rows naming an address listed earlier in the same list."""


@dataclass(frozen=True)
class Invitations(Result):
    sent: int
    """People invited (each counted once, however often invited)."""
    claimed: int
    refused: int = 0
    """Invitations the addressee's mail server refused for good (a 5xx): never retried."""
    suppressed: int = 0
    """Addresses not mailed: refused before, or their owner asked for no invitations."""


@dataclass(frozen=True)
class Claim(Result):
    world: str
    world_name: str
    name: str
    """The name the organizer gave ("" when none), offered to the invitee to keep or change."""


def invite(
    store: Store,
    *,
    world: str,
    invitees: Sequence[Invitee],
    at: int,
    base_url: str = DEFAULT_BASE_URL,
    lang: str | None = None,
    quotas: Quotas = DEFAULT_QUOTAS,
    inviter: str | None = None,
) -> Invited:
    """Mail each invitee a one-time claim link (in ``lang``), greeting them by the list's
    name and saying who invites (``inviter``, the organizer's name) when given.

    The list is checked whole first (each address in the world's domain): a refusal writes
    nothing.  It is then written in slices of :data:`SLICE` addresses, each a transaction
    of its own (store.fair), so that a long list never keeps the write lock from everyone
    else for long.  Its mails wait ``held`` until the last slice is in, and one last short
    transaction lets them all go: a list cut short mails nobody, and posting it again
    invites everyone on it once.

    An address already in, holding an invitation that still works, or listed twice is
    skipped: a list sent twice is sent once.  A suppressed address (services.unsubscribe) is
    not mailed.  A list the world may not send now (services.senders: its organizer's
    address, the quotas) is refused whole.
    """
    with store.read() as s:
        unique, gone = _checked(s, world, invitees, at, quotas)
    words = (lang, clean_inviter(inviter))
    sent = _send_slices(store, world, list(unique.items()), at, base_url, words)
    note_suppressed(store, world, list(gone.values()), at)
    duplicates = len(invitees) - len(unique) - len(gone)
    skipped = len(invitees) - sent - len(gone)
    return Invited(world, sent, skipped, suppressed=len(gone), duplicates=duplicates)


def _send_slices(
    store: Store,
    world: str,
    unique: list[tuple[str, Invitee]],
    at: int,
    base_url: str,
    words: tuple[str | None, str | None],
) -> int:
    """Each slice in its own transaction, their mails held until the last is in; how many."""
    held = f"list:{secrets.token_hex(13)}"  # the key its held mails wait under
    sent = 0
    for i, part in enumerate(slices(unique, SLICE)):
        if i:
            step_aside(store)
        sent += _invite_slice(store, world, part, at, base_url, words, held)
    if len(unique) > SLICE:
        step_aside(store)
    let_go(store, held)
    return sent


def _checked(
    s: Session, world: str, invitees: Sequence[Invitee], at: int, quotas: Quotas
) -> tuple[dict[str, Invitee], dict[str, str]]:
    """The list's addresses to mail, by key, and its suppressed ones; or the refusal."""
    row = get_world(s, world)
    unique = distinct_invitees(row, invitees)
    gone = suppressed_in(s, {key: inv.email for key, inv in unique.items()})
    unique = {key: inv for key, inv in unique.items() if key not in gone}
    check_may_invite(s, row, count_fresh(s, row, list(unique), at), at=at, quotas=quotas)
    return unique, gone


def distinct_invitees(world: WorldRow, invitees: Sequence[Invitee]) -> dict[str, Invitee]:
    """The list by address key, the first entry of each; refused whole for any outsider."""
    for inv in invitees:
        try:
            check_domain(world, inv.email)
        except SoulmarkError as exc:
            raise InvalidInput(
                f"{inv.email}: {exc}", code="invitations-domain", domain=world.email_domain
            ) from None
    unique: dict[str, Invitee] = {}
    for inv in invitees:
        unique.setdefault(email_key(inv.email), inv)
    return unique


def _invite_slice(
    store: Store,
    world: str,
    part: Sequence[tuple[str, Invitee]],
    at: int,
    base_url: str,
    words: tuple[str | None, str | None],
    held: str,
) -> int:
    """One slice in one transaction, a few statements whatever its size: its people made or
    found, their codes renewed, their mails queued held."""
    days, (lang, inviter) = INVITE_TTL // DAY, words
    names = {key: inv.name for key, inv in part}
    with store.transaction() as s:
        row = get_world(s, world, share=True)
        found = [p for p in _people(s, row, part, at) if p is not None]
        live = _live(s, [p.id for p in found], at)
        people = [p for p in found if p.id not in live]
        codes = _refreshed(s, people, at)
        mails = []
        for person in people:
            if person.id in codes:
                link = invite_link(base_url, codes[person.id])
                name = names.get(person.email_key) or person.name or None
                subject, body = invitation(
                    world_name=row.name, link=link, days=days, lang=lang, name=name, inviter=inviter
                )
                mails.append((person.email, subject, body))
        queue_many(s, row, kind="invite", mails=mails, at=at, held=held)
    return len(mails)


def _people(
    s: Session, world: WorldRow, part: Sequence[tuple[str, Invitee]], at: int
) -> list[PersonRow | None]:
    """Each address's person, made unconfirmed if new; None for one already in."""
    known, held = _known(s, world, [key for key, _ in part])
    number = joining_round(s, world, at)
    out: list[PersonRow | None] = []
    for key, inv in part:
        person = known.get(key)
        if person is None:
            person = _unclaimed(world, inv, key, number, at)
            s.add(person)
        # Whoever holds a wrist (claimed, or joined and waiting for their link) is in already.
        out.append(None if person.id in held or person.left_at is not None else person)
    s.flush()
    return out


def _known(s: Session, world: WorldRow, keys: list[str]) -> tuple[dict[str, PersonRow], set[int]]:
    """The people of ``keys`` by key, locked, and the ids of those who hold a wrist.

    Locked in one order, so that two lists naming one address take turns (one live
    invitation each time) and never deadlock.
    """
    known = {
        p.email_key: p
        for p in s.scalars(
            select(PersonRow)
            .where(PersonRow.world_id == world.id, PersonRow.email_key.in_(keys))
            .order_by(PersonRow.id)
            .with_for_update()
        )
    }
    ids = [p.id for p in known.values()]
    held = set(s.scalars(select(PersonRow.id).where(PersonRow.id.in_(ids), holds_wrist)))
    return known, held


def _live_codes(ids: Sequence[int], at: int) -> Select[int]:
    """People of ``ids`` holding a live invitation whose mail was let go (a list cut short
    holds its mails: its people are invited again)."""
    mailed = exists().where(
        NoticeRow.world_id == PersonRow.world_id,
        NoticeRow.kind == "invite",
        NoticeRow.to_addr == PersonRow.email,
        NoticeRow.status.not_in(NOT_MAILED),
    )
    return (
        select(SigninCodeRow.person_id)
        .join(PersonRow, PersonRow.id == SigninCodeRow.person_id)
        .where(
            SigninCodeRow.person_id.in_(ids),
            SigninCodeRow.purpose == PURPOSE,
            SigninCodeRow.used_at.is_(None),
            SigninCodeRow.expires_at > at,
            mailed,
        )
    )


def _live(s: Session, ids: Sequence[int], at: int) -> set[int]:
    """Which of ``ids`` hold an invitation that still works: its mail is the way in."""
    return set(s.scalars(_live_codes(ids, at))) if ids else set()


def count_fresh(s: Session, world: WorldRow, keys: list[str], at: int) -> int:
    """How many of ``keys`` a list would mail: none already in, left, or invited."""
    rows = s.execute(
        select(PersonRow.id, PersonRow.left_at).where(
            PersonRow.world_id == world.id, PersonRow.email_key.in_(keys)
        )
    ).all()
    ids = [pid for pid, _ in rows]
    gone = {pid for pid, left in rows if left is not None}
    gone |= set(s.scalars(select(PersonRow.id).where(PersonRow.id.in_(ids), holds_wrist)))
    return len(keys) - len(gone | _live(s, ids, at))


def _refreshed(s: Session, people: Sequence[PersonRow], at: int) -> dict[int, str]:
    """The one live invitation of each of ``people``, by id: any earlier one stops working
    (it expires now, unclaimed), so inviting again re-sends rather than adding a second way
    in."""
    s.execute(
        update(SigninCodeRow)
        .where(
            SigninCodeRow.person_id.in_([p.id for p in people]),
            SigninCodeRow.purpose == PURPOSE,
            SigninCodeRow.used_at.is_(None),
            SigninCodeRow.expires_at > at,
        )
        .values(expires_at=at)
        .execution_options(synchronize_session=False)
    )
    return issue_codes(s, people, purpose=PURPOSE, at=at, ttl=INVITE_TTL)


def _unclaimed(world: WorldRow, inv: Invitee, key: str, number: int, at: int) -> PersonRow:
    # The wrist token is drawn and dropped: the wrist opens only once a claim gives it one.
    return PersonRow(
        world_id=world.id,
        pid=new_pid(),
        name=inv.name or "",
        email=inv.email,
        email_key=key,
        token_hash=token_hash(new_token("w")),
        round=number,
        confirmed=False,
        joined_at=at,
        exclusion_group=inv.group,
    )


def invitations(store: Store, *, world: str) -> Invitations:
    """How many people were invited and how many claimed: counts, never who."""
    with store.read() as s:
        row = get_world(s, world)
        # Counted by the mails let go: a list cut short (its mails still held) invited nobody.
        mails = select(func.count(distinct(NoticeRow.to_addr))).where(
            NoticeRow.world_id == row.id, NoticeRow.kind == "invite"
        )
        sent = s.scalar(mails.where(NoticeRow.status.not_in(NOT_MAILED))) or 0
        refused = s.scalar(mails.where(NoticeRow.status == "refused")) or 0
        gone = s.scalar(mails.where(NoticeRow.status == SUPPRESSED)) or 0
        people = (
            select(func.count(distinct(SigninCodeRow.person_id)))
            .join(PersonRow, PersonRow.id == SigninCodeRow.person_id)
            .where(PersonRow.world_id == row.id, SigninCodeRow.purpose == PURPOSE)
        )
        claimed = s.scalar(people.where(SigninCodeRow.used_at.is_not(None))) or 0
    return Invitations(sent=sent, claimed=claimed, refused=refused, suppressed=gone)


def _invited(s: Session, code: str, at: int) -> tuple[SigninCodeRow, PersonRow, WorldRow]:
    row = live_code(s, code, at, purpose=PURPOSE, spent=_SPENT, spent_code=_SPENT_CODE)
    person = s.get_one(PersonRow, row.person_id)
    if person.left_at is not None:
        raise NotFound(_SPENT, code=_SPENT_CODE)
    return row, person, s.get_one(WorldRow, person.world_id)


def claim_page(store: Store, *, code: str, at: int) -> Claim:
    """What the page behind an invitation shows before its button is pressed; uses nothing."""
    with store.read() as s:
        _, person, world = _invited(s, code, at)
        return Claim(world=world.slug, world_name=world.name, name=person.name)


def claim(store: Store, *, code: str, name: str, at: int, lang: str | None = None) -> SignedIn:
    """Use an invitation once: the join counts in the open round under ``name`` (written in
    ``lang``), and the wrist gets a private token, returned only to the caller.

    The code is spent first, by one conditional UPDATE, so of concurrent claims exactly one
    goes on.  An invitation only ever gives a wrist its first token: a person who already
    holds one (claimed, or joined and waiting for their link) is never taken over.  The name
    takes its look now (the organizer's was a suggestion): a look-alike of someone already in
    is refused, and the invitation stays unused for another name."""
    try:
        return _claim(store, code=code, name=name, at=at, lang=lang)
    except IntegrityError as exc:
        if is_look_clash(exc):
            raise lookalike() from None
        raise


def _claim(store: Store, *, code: str, name: str, at: int, lang: str | None) -> SignedIn:
    with store.transaction() as s:
        spent = spend_code(s, code, at, purpose=PURPOSE, spent=_SPENT, spent_code=_SPENT_CODE)
        slug = s.scalar(
            select(WorldRow.slug)
            .join(PersonRow, PersonRow.world_id == WorldRow.id)
            .where(PersonRow.id == spent)
        )
        world = get_world(s, slug or "", share=True)  # no claim lands in a round being sealed
        person = s.get_one(PersonRow, spent, with_for_update=True)
        if person.left_at is not None or _holds_wrist(s, person):
            raise NotFound(_SPENT, code=_SPENT_CODE)
        person.name = clean_name(name or person.name)
        person.look_key = check_look(s, world.id, person.name, person_id=person.id)
        person.confirmed = True
        person.round = joining_round(s, world, at)
        person.lang = lang
        token = new_token("w")
        person.token_hash = token_hash(token)
        return SignedIn(world=world.slug, token=token)


def _holds_wrist(s: Session, person: PersonRow) -> bool:
    return bool(s.scalar(select(holds_wrist).where(PersonRow.id == person.id)))

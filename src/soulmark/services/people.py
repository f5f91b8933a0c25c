"""Joining a world (R9, R11, B6): the one place a joiner is admitted.

``join`` (the CLI's ``soulmark join`` and the web's join form and API) and the organizer's CSV
intake both admit people through :func:`admit`.  In a world open to one email domain the join
waits for its mailed confirmation link: the person is recorded unconfirmed, with a one-time
confirmation token, and the mail is queued in the same transaction, so a join is never
acknowledged without its link on the way.  The mail carries only that link, never a key to a
wrist (see soulmark.notices.compose); until it is followed sealing leaves the person out.

Joining again with an address that already joined is answered as a new join, and mails that
address a sign-in link instead (:func:`_stand_in`): the answer never tells who is in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput
from soulmark.core.looks import email_key, look_key
from soulmark.core.validate import clean_email, clean_name
from soulmark.notices.compose import confirm_link, confirmation
from soulmark.notices.queue import queue_many, queue_question
from soulmark.services.device_sessions import is_device, person_of_device
from soulmark.services.looks import check_look, is_look_clash, lookalike
from soulmark.services.tokens import by_token, new_pid, new_token, token_hash
from soulmark.services.worlds import get_world
from soulmark.settings import DEFAULT_BASE_URL
from soulmark.store import Store
from soulmark.store.changes import Change, announce
from soulmark.store.models import PersonRow, RoundRow, WorldRow
from soulmark.store.web_models import ConfirmationRow

__all__ = [
    "Joined",
    "Joiner",
    "admit",
    "check_domain",
    "join",
    "joining_round",
    "person_by_token",
    "roster_frozen",
    "round_commitment",
]

_PEOPLE: Table = PersonRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Joined:
    world: str
    person: str
    token: str
    """The wrist token, shown once to the joiner."""
    name: str
    """Exactly as it will be written on the soulmate's wrist (R11)."""
    round: int
    note: str
    confirmation: Literal["sent"] | None = None
    """``sent``: an email-domain world; the join counts once the mailed link is followed."""
    commitment: str | None = None
    """The commitment of the round joined, to audit its transcript against (B1); None while
    that round has not opened yet (the open one waits for its beacon)."""

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        if self.confirmation is None:
            del out["confirmation"]
        return out


@dataclass(frozen=True, slots=True)
class Joiner:
    """One cleaned request to join (name and email already through core.validate)."""

    name: str
    email: str
    token: str
    group: str | None = field(default=None, kw_only=True)
    """An organizer's exclusion group (a household): never paired within it (R3)."""
    lang: str | None = field(default=None, kw_only=True)
    """The language they joined in: their notices are written in it."""


def check_domain(world: WorldRow, email: str) -> None:
    if world.email_domain and email.rsplit("@", 1)[1] != world.email_domain:
        raise InvalidInput(
            f"{world.slug} is open to @{world.email_domain} addresses only",
            code="email-domain",
            domain=world.email_domain,
        )


def join(
    store: Store,
    *,
    world: str,
    name: str,
    email: str,
    at: int,
    base_url: str = DEFAULT_BASE_URL,
    lang: str | None = None,
) -> Joined:
    """Add a person to the world's open round; durable once this returns.

    ``base_url`` starts the link mailed: a confirmation in an email-domain world, or, for an
    address that already joined, a sign-in link (see :func:`_stand_in`).
    """
    joiner = Joiner(clean_name(name), clean_email(email), new_token("w"), lang=lang)
    try:
        return _join(store, world, joiner, at=at, base_url=base_url)
    except IntegrityError as exc:
        if is_look_clash(exc):
            raise lookalike() from None
    try:  # the same address joined meanwhile: this try finds it
        return _join(store, world, joiner, at=at, base_url=base_url)
    except IntegrityError as exc:
        if is_look_clash(exc):
            raise lookalike() from None
        raise


def _join(store: Store, world: str, joiner: Joiner, *, at: int, base_url: str) -> Joined:
    with store.transaction() as s:
        row = get_world(s, world, share=True)
        if row.joins_closed:  # the same answer for everyone: nobody learns who is in
            raise Conflict("the organizer has closed joining for now", code="joins-closed")
        check_domain(row, joiner.email)
        # The look before the address: a refusal for the name then never depends on
        # whether the address is in (issue 22, membership is never told).
        check_look(s, row.id, joiner.name)
        open_number, waits = row.open_round, bool(row.email_domain)
        if _taken(s, row, joiner.email):
            [pid], number = _stand_in(s, row, joiner, at=at, base_url=base_url)
        else:
            [pid], number = admit(s, row, [joiner], at=at, base_url=base_url)
        committed = round_commitment(s, row.id, number)
    return Joined(
        world=world,
        person=pid,
        token=joiner.token,
        name=joiner.name,
        round=number,
        note=_note(joiner.email, open_number, number, waits=waits),
        confirmation="sent" if waits else None,
        commitment=committed,
    )


def round_commitment(s: Session, world_id: int, number: int) -> str | None:
    """The published commitment of a round, once it has opened."""
    return s.scalars(
        select(RoundRow.commitment).where(RoundRow.world_id == world_id, RoundRow.number == number)
    ).first()


def _taken(s: Session, world: WorldRow, email: str) -> bool:
    found = s.scalars(
        select(PersonRow.id).where(
            PersonRow.world_id == world.id, PersonRow.email_key == email_key(email)
        )
    ).first()
    return found is not None


def _stand_in(
    s: Session, world: WorldRow, joiner: Joiner, *, at: int, base_url: str
) -> tuple[list[str], int]:
    """Answer a join of an address that already joined as a new join is answered.

    Whether an address joined is never told (nor handed over: the member keeps their wrist).
    The joiner's token opens a stand-in, a wrist waiting unconfirmed with no link to follow,
    so never drawn, and never found by its address (all look-ups go by ``email_key``).  The
    address itself is asked, through the queue, whether it wants a sign-in link, as "Lost
    your link?" would ask.
    """
    number = joining_round(s, world, at)
    pid = new_pid()
    s.add(
        PersonRow(
            world_id=world.id,
            pid=pid,
            name=joiner.name,
            email=joiner.email,
            email_key=f"~{pid}",  # not an address (no @): nothing ever finds it by one
            token_hash=token_hash(joiner.token),
            round=number,
            confirmed=False,
            joined_at=at,
            lang=joiner.lang,
        )
    )
    queue_question(s, world, to=joiner.email, at=at, base_url=base_url)
    return [pid], number


def _note(email: str, open_number: int, number: int, *, waits: bool) -> str:
    if waits:
        return f"we sent a link to {email}: your join counts once you follow it"
    if number > open_number:
        return (
            f"joins for round {open_number} closed when its beacon was due: "
            f"you wait for round {number}"
        )
    if number > 1:
        return f"fate for round {number - 1} is already sealed: you wait for round {number}"
    return f"you are in round {number}; fate has not been sealed yet"


def admit(
    s: Session, world: WorldRow, joiners: Sequence[Joiner], *, at: int, base_url: str
) -> tuple[list[str], int]:
    """Insert joiners already checked for domain and duplicates; their ids and round.

    In an email-domain world each waits unconfirmed for the link queued for them here, and
    takes their name's look only once they follow it (soulmark.services.confirm): a join
    nobody confirms holds no name.
    """
    number = joining_round(s, world, at)
    pids = [new_pid() for _ in joiners]
    waits = bool(world.email_domain)
    values = [
        {
            "world_id": world.id,
            "pid": pid,
            "name": j.name,
            "email": j.email,
            "email_key": email_key(j.email),
            "look_key": None if waits else look_key(j.name),
            "token_hash": token_hash(j.token),
            "round": number,
            "confirmed": not waits,
            "joined_at": at,
            "exclusion_group": j.group,
            "lang": j.lang,
        }
        for j, pid in zip(joiners, pids, strict=True)
    ]
    if values:
        s.execute(_PEOPLE.insert(), values)
        announce(s, {Change.roster(world.id)})  # a bulk insert: the ORM sees nothing
    if waits and values:
        _await_confirmation(s, world, joiners, pids, at=at, base_url=base_url)
    return pids, number


def _await_confirmation(
    s: Session,
    world: WorldRow,
    joiners: Sequence[Joiner],
    pids: list[str],
    *,
    at: int,
    base_url: str,
) -> None:
    rows = s.execute(
        select(PersonRow.pid, PersonRow.id).where(
            PersonRow.world_id == world.id, PersonRow.pid.in_(pids)
        )
    )
    ids = {pid: id_ for pid, id_ in rows}
    # A statement each for the links and the mails, whatever the count (a CSV intake).
    links, mails = [], []
    for joiner, pid in zip(joiners, pids, strict=True):
        token = new_token("c")
        links.append({"person_id": ids[pid], "token_hash": token_hash(token), "created_at": at})
        link = confirm_link(base_url, token)
        subject, body = confirmation(world_name=world.name, link=link, lang=joiner.lang)
        mails.append((joiner.email, subject, body))
    s.execute(insert(ConfirmationRow), links)
    queue_many(s, world, kind="confirm", mails=mails, at=at)


def joining_round(session: Session, world: WorldRow, at: int) -> int:
    """The open round, unless it waits for a beacon that is due: then its roster is closed."""
    open_row = session.scalars(
        select(RoundRow).where(RoundRow.world_id == world.id, RoundRow.number == world.open_round)
    ).one()
    beacon = open_row.beacon
    if beacon is not None and at >= beacon.published_at:
        return world.open_round + 1
    return world.open_round


def roster_frozen(session: Session, person: PersonRow, at: int) -> bool:
    """Whether ``person`` is fixed in their round's roster: its beacon is due (B1).

    From then on anyone may know the beacon, so removing a joiner would let whoever removes
    them choose among draws; only a confirmed joiner is in the roster at all.
    """
    if not person.confirmed:
        return False
    row = session.scalars(
        select(RoundRow).where(
            RoundRow.world_id == person.world_id, RoundRow.number == person.round
        )
    ).first()
    beacon = row.beacon if row is not None else None
    return (
        beacon is not None
        and row is not None
        and row.sealed_at is None
        and at >= beacon.published_at
    )


def person_by_token(session: Session, token: str, *, lock: bool = False) -> PersonRow:
    if is_device(token):  # a signed-in device (soulmark.services.device_sessions)
        return person_of_device(session, token, lock=lock)
    person: PersonRow = by_token(
        session,
        PersonRow.token_hash,
        token,
        missing="no wrist has that token",
        code="wrist-unknown",
        lock=lock,
    )
    return person

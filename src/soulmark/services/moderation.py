"""The organizer's roster and removing a name before the draw (issue 20 item 4), within B2.

The roster lists only people no draw has taken yet: everyone before the first seal, and
afterwards those who joined since the last one.  Someone left unpaired by a draw also waits
for the next one (R9); they are not listed, since a name that stayed while its round was
drawn would say that it was left without a partner.

Each listed person has a roster id of their own, never the opaque id of the transcripts:
with that id the organizer's roster and transcript together would name every pair.  It is
derived from the person's wrist key, which the organizer never holds, so it cannot be
computed back from a transcript; it changes when the wrist gets a new link.

Removing someone deletes them as leaving before the draw does (services.lifecycle), and
mails them the organizer's reason if they joined (an address only invited gets nothing: the
organizer typed it).  Once the round's beacon is due its roster is frozen (B1) and nobody
can be removed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, NotFound, SoulmarkError
from soulmark.core.validate import clean_line
from soulmark.notices.compose import DEFAULT_BASE_URL, removed_mail
from soulmark.notices.queue import queue_message
from soulmark.services.co_organizers import note
from soulmark.services.device_sessions import forget_device_sessions
from soulmark.services.invite_lists import Invitee
from soulmark.services.invites import PURPOSE, Invited, invite
from soulmark.services.joins import roster_frozen
from soulmark.services.organizer import JOINED
from soulmark.services.results import Result
from soulmark.services.senders import DEFAULT_QUOTAS, Quotas
from soulmark.services.signin import holds_wrist
from soulmark.services.worlds import organizer_row
from soulmark.store import Store
from soulmark.store.link_models import ConfirmationRow, ShareRow, SigninCodeRow
from soulmark.store.models import ExclusionRow, PersonRow, ReceiptRow, RoundRow, WorldRow
from soulmark.store.notice_models import NoticeRow
from soulmark.store.organizer_models import JoinSlipRow

__all__ = ["Entry", "Removed", "Roster", "remove_person", "resend_invitation", "roster"]

MAX_REASON = 300


@dataclass(frozen=True)
class Entry(Result):
    person: str
    """The roster id (``r_…``): never a transcript's opaque id."""
    name: str
    status: str
    """``invited`` (not joined yet), ``unconfirmed`` (joined, link not followed), ``joined``,
    ``slip`` (a class sheet's slip, not used yet)."""


@dataclass(frozen=True)
class Roster(Result):
    world: str
    people: list[dict[str, str]]
    """By name; nobody a draw has taken."""
    removable: bool
    """False once the open round's beacon is due (B1): its roster is fixed."""


@dataclass(frozen=True)
class Removed(Result):
    world: str
    removed: bool
    told: bool
    """True when the person was mailed the organizer's reason."""


def roster_id(person: PersonRow) -> str:
    return "r_" + hashlib.sha256(b"roster:" + person.token_hash.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Listed:
    holds_wrist: bool
    """They joined with their own address: a mail to it reaches them."""
    joined: bool
    """They joined (a stand-in too), rather than being only invited."""


def _listed(s: Session, world: WorldRow) -> list[tuple[PersonRow, Listed]]:
    """The people no draw has taken, each with what they did."""
    last = s.scalar(
        select(func.max(RoundRow.sealed_at)).where(
            RoundRow.world_id == world.id, RoundRow.sealed_at.is_not(None)
        )
    )
    query = select(PersonRow, holds_wrist, JOINED).where(
        PersonRow.world_id == world.id,
        PersonRow.round == world.open_round,
        PersonRow.left_at.is_(None),
    )
    if last is not None:
        query = query.where(PersonRow.joined_at > last)
    return [(p, Listed(bool(h), bool(j))) for p, h, j in s.execute(query).all()]


def _status(person: PersonRow, did: Listed) -> str:
    if person.confirmed:
        return "joined"
    if did.joined:
        return "unconfirmed"
    return "slip" if person.email_key.startswith("slip:") else "invited"


def _frozen(s: Session, world: WorldRow, at: int) -> bool:
    probe = PersonRow(world_id=world.id, round=world.open_round, confirmed=True)
    return roster_frozen(s, probe, at)


def roster(store: Store, *, token: str, at: int) -> Roster:
    """Names and roster ids of the people no draw has taken yet, and whether they may go."""
    with store.read() as s:
        world = organizer_row(s, token)
        rows = [
            Entry(roster_id(p), p.name, _status(p, did)).to_json() for p, did in _listed(s, world)
        ]
        rows.sort(key=lambda e: (e["name"].casefold(), e["person"]))
        return Roster(world=world.slug, people=rows, removable=not _frozen(s, world, at))


def _reason(text: str | None) -> str | None:
    if not (text or "").strip():
        return None
    try:
        reason = clean_line(text or "", "reason", MAX_REASON)
    except SoulmarkError as exc:
        raise InvalidInput(f"reason: {exc}", code="reason-invalid") from None
    return reason


def remove_person(
    store: Store, *, token: str, person: str, at: int, reason: str | None = None
) -> Removed:
    """Remove one listed person before the draw; mail them ``reason`` if they joined."""
    why = _reason(reason)
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)  # the seal's lock: no draw meanwhile
        found = next(((p, j) for p, j in _listed(s, world) if roster_id(p) == person), None)
        if found is None:
            raise NotFound("nobody on the roster has this id", code="person-unknown")
        row, did = found
        joined = did.holds_wrist
        if _frozen(s, world, at):
            raise Conflict("the draw's beacon is due: its roster is fixed", code="roster-frozen")
        to, lang = row.email, row.lang
        _delete(s, row)
        note(s, world, token, "removed-person", at)
        if joined and to:
            subject, body = removed_mail(world_name=world.name, reason=why, lang=lang)
            queue_message(s, world, kind="removed", to=to, subject=subject, body=body, at=at)
        return Removed(world=world.slug, removed=True, told=bool(joined and to))


def _delete(s: Session, person: PersonRow) -> None:
    ids = [person.id]
    forget_device_sessions(s, ids)
    for table in (ShareRow, ReceiptRow, ConfirmationRow, SigninCodeRow, NoticeRow, JoinSlipRow):
        s.execute(delete(table).where(table.person_id.in_(ids)))
    s.execute(delete(ExclusionRow).where(ExclusionRow.person_id.in_(ids)))
    s.delete(person)


def resend_invitation(
    store: Store,
    *,
    token: str,
    person: str,
    at: int,
    base_url: str = DEFAULT_BASE_URL,
    lang: str | None = None,
    quotas: Quotas = DEFAULT_QUOTAS,
) -> Invited:
    """Mail one invitee a fresh link: the one before stops working (a lost or late mail).
    Revoking an invitation is removing the invitee (:func:`remove_person`)."""
    with store.transaction() as s:
        world = organizer_row(s, token)
        found = next(((p, j) for p, j in _listed(s, world) if roster_id(p) == person), None)
        if found is None:
            raise NotFound("nobody on the roster has this id", code="person-unknown")
        row, did = found
        if did.joined or row.confirmed:
            raise Conflict("this person has joined already", code="person-joined")
        if not row.email:
            raise Conflict("a join slip has no address to mail", code="person-slip")
        again = Invitee(row.email, row.name or None, row.exclusion_group)
        s.execute(
            update(SigninCodeRow)
            .where(
                SigninCodeRow.person_id == row.id,
                SigninCodeRow.purpose == PURPOSE,
                SigninCodeRow.used_at.is_(None),
                SigninCodeRow.expires_at > at,
            )
            .values(expires_at=at)
        )
        note(s, world, token, "resent-invitation", at)
        slug = world.slug
    return invite(
        store, world=slug, invitees=[again], at=at, base_url=base_url, lang=lang, quotas=quotas
    )

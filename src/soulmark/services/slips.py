"""School mode (issue 20 item 9): a class sheet of join slips, and joining by slip with no
email address.

Each slip is a one-time code that claims a place as an invitation does: making it adds an
unclaimed person (no address, no wrist key), counted as invited; using it, with a name,
gives that place a wrist, whose private link only the student's browser receives.  The
sheet shows codes, never a wrist key; a used code opens nothing.  A student who joined by
slip has no address: their notices come by push, or on the wrist page only (a person
without an address is skipped by the mail queue).

A world open to one email domain has no slips: its joins count once a mailed link is
followed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput, NotFound
from soulmark.core.validate import clean_name
from soulmark.services.co_organizers import note
from soulmark.services.joins import joining_round
from soulmark.services.looks import check_look, is_look_clash, lookalike
from soulmark.services.results import Result
from soulmark.services.signin import SignedIn
from soulmark.services.tokens import new_pid, new_token, token_hash
from soulmark.services.worlds import get_world, organizer_row
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow
from soulmark.store.organizer_models import JoinSlipRow

__all__ = ["MAX_SLIPS", "SlipPage", "Slips", "claim_slip", "make_slips", "slip_page", "slips"]

MAX_SLIPS = 60
"""Slips made at once: a class or two."""
MAX_LIVE = 400
"""Unused slips a world may hold."""
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: a code is read off paper and typed."""
_SPENT = "this slip was used already or does not exist; ask your teacher for another"
_SPENT_CODE = "slip-spent"


@dataclass(frozen=True)
class Slips(Result):
    world: str
    slips: list[dict[str, str]]
    """The unused slips, oldest first: ``code`` (to type) only; never a wrist key."""
    used: int
    """Slips already used to join."""


@dataclass(frozen=True)
class SlipPage(Result):
    world: str
    world_name: str


def _code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normal(code: str) -> str:
    """A typed code as the sheet prints it: case, spaces and dashes do not matter."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw


def _listing(s: Session, world: WorldRow) -> Slips:
    rows = s.execute(
        select(JoinSlipRow.code, JoinSlipRow.used_at)
        .where(JoinSlipRow.world_id == world.id)
        .order_by(JoinSlipRow.id)
    ).all()
    unused = [{"code": code} for code, used in rows if used is None]
    return Slips(world=world.slug, slips=unused, used=len(rows) - len(unused))


def slips(store: Store, *, token: str) -> Slips:
    """The world's unused slips, to print (organizer token)."""
    with store.read() as s:
        return _listing(s, organizer_row(s, token))


def make_slips(store: Store, *, token: str, count: int, at: int, once: str | None = None) -> Slips:
    """``count`` new slips, each an unclaimed place; the same ``once`` makes them once."""
    if not 1 <= count <= MAX_SLIPS:
        raise InvalidInput(
            f"make between 1 and {MAX_SLIPS} slips at once", code="slips-count", n=MAX_SLIPS
        )
    batch = once or secrets.token_hex(16)
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)
        if world.email_domain:
            raise Conflict("a world open to one email domain has no slips", code="slips-domain")
        made = s.scalar(select(JoinSlipRow.id).where(JoinSlipRow.batch == batch).limit(1))
        live = s.scalars(
            select(JoinSlipRow.id).where(
                JoinSlipRow.world_id == world.id, JoinSlipRow.used_at.is_(None)
            )
        ).all()
        if made is None and len(live) + count > MAX_LIVE:
            raise Conflict(f"a world holds at most {MAX_LIVE} unused slips", code="slips-many")
        if made is None:
            _add(s, world, count, batch, at)
            note(s, world, token, "slips-made", at)
        return _listing(s, world)


def _add(s: Session, world: WorldRow, count: int, batch: str, at: int) -> None:
    number = joining_round(s, world, at)
    for _ in range(count):
        key = f"slip:{secrets.token_hex(12)}"
        # The wrist token is drawn and dropped: the place gets a wrist only when claimed.
        person = PersonRow(
            world_id=world.id,
            pid=new_pid(),
            name="",
            email="",
            email_key=key,
            token_hash=token_hash(new_token("w")),
            round=number,
            confirmed=False,
            joined_at=at,
        )
        s.add(person)
        s.flush()
        code = _code()
        s.add(
            JoinSlipRow(
                world_id=world.id,
                person_id=person.id,
                code=code,
                code_hash=token_hash(code),
                batch=batch,
                created_at=at,
            )
        )


def _live_slip(s: Session, code: str) -> JoinSlipRow:
    row = s.scalars(
        select(JoinSlipRow).where(JoinSlipRow.code_hash == token_hash(_normal(code)))
    ).first()
    if row is None or row.used_at is not None:
        raise NotFound(_SPENT, code=_SPENT_CODE)
    return row


def slip_page(store: Store, *, code: str) -> SlipPage:
    """What the join page shows for a slip before it is used; uses nothing."""
    with store.read() as s:
        world = s.get_one(WorldRow, _live_slip(s, code).world_id)
        return SlipPage(world=world.slug, world_name=world.name)


def claim_slip(store: Store, *, code: str, name: str, at: int, lang: str | None = None) -> SignedIn:
    """Use a slip once: its place joins the open round under ``name``, with no address, and
    the wrist's private token is returned only to the caller.  A look-alike name is refused
    and the slip stays unused."""
    try:
        return _claim(store, code=code, name=clean_name(name), at=at, lang=lang)
    except IntegrityError as exc:
        if is_look_clash(exc):
            raise lookalike() from None
        raise


def _claim(store: Store, *, code: str, name: str, at: int, lang: str | None) -> SignedIn:
    with store.transaction() as s:
        found = _live_slip(s, code)
        world = get_world(s, s.get_one(WorldRow, found.world_id).slug, share=True)
        # One conditional UPDATE: of two students typing one code, one goes on.
        spent = s.scalar(
            update(JoinSlipRow)
            .where(JoinSlipRow.id == found.id, JoinSlipRow.used_at.is_(None))
            .values(used_at=at)
            .returning(JoinSlipRow.person_id)
        )
        person = s.get(PersonRow, spent) if spent is not None else None
        if person is None or person.left_at is not None or person.confirmed:
            raise NotFound(_SPENT, code=_SPENT_CODE)
        person.name = name
        person.look_key = check_look(s, world.id, name, person_id=person.id)
        person.confirmed = True
        person.round = joining_round(s, world, at)
        person.lang = lang
        token = new_token("w")
        person.token_hash = token_hash(token)
        return SignedIn(world=world.slug, token=token)

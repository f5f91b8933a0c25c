"""A person's data and its end: export, leaving a world, retention and erasure (issue 5).

A mark does not vanish: after seal, a person who leaves stays named on their soulmate's
wrist, but their contact is never shared and their wrist link stops working.  After a
world's retention date every name, address and token is erased; the transcripts, which only
ever held opaque ids, remain.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

from sqlalchemy import String, cast, delete, literal, select, update
from sqlalchemy.orm import Session

from soulmark.core.errors import InvalidInput
from soulmark.core.times import iso
from soulmark.push.rows import devices_held, forget_devices
from soulmark.services.bearers import person_by_token
from soulmark.services.device_sessions import forget_device_sessions, signed_in_held
from soulmark.services.exclusions import lock_lists
from soulmark.services.exclusions import view as never_with
from soulmark.services.joins import roster_frozen
from soulmark.services.tokens import token_hash
from soulmark.services.worlds import organizer_row
from soulmark.services.wrist_read import snapshot_of_person
from soulmark.store import Store
from soulmark.store.link_models import ConfirmationRow, ShareRow, SigninCodeRow
from soulmark.store.models import ExclusionRow, MarkRow, PersonRow, ReceiptRow, WorldRow
from soulmark.store.notice_models import NoticeRow, UnsubscribeRow
from soulmark.store.organizer_models import JoinSlipRow, NameReportRow

__all__ = [
    "ASK",
    "LeaveOutcome",
    "export_person",
    "leave",
    "leave_outcome",
    "outcome_of",
    "retention_of",
    "set_retention",
    "erase_expired",
]

LeaveOutcome = Literal["removed", "in_draw", "drawn"]
"""What leaving does now: ``removed`` (not drawn yet, nothing kept), ``in_draw`` (the round's
beacon is due, so the roster is frozen: the place in the draw stays), ``drawn`` (sealed: the
name stays on the soulmate's wrist).  In the last two the address is erased and the link dies."""

ASK = {
    "removed": "Fate has not been drawn yet: you leave and are not in the draw; nothing about "
    "you is kept.",
    "in_draw": "Your round's draw is already fixed, so your place in it stays: whoever fate "
    "pairs you with will read your name. Your address is erased, contact is never shared and "
    "your link stops working.",
    "drawn": "Fate has been drawn: your name stays on your soulmate's wrist. Your address is "
    "erased, contact is never shared and your link stops working.",
}
"""What leaving would do, said before it is confirmed (the CLI's question)."""

_LEFT = {
    "removed": "You have left; nothing about you remains.",
    "in_draw": "You have left. Your round's draw is already fixed, so you stay in it: whoever "
    "fate pairs you with will read your name. Your address is erased and contact will never "
    "be shared.",
    "drawn": "You have left. Your name stays on your soulmate's wrist, as marks do; your "
    "address is erased and contact will never be shared.",
}


def _when(us: int | None) -> str | None:
    return iso(us) if us is not None else None


def export_person(store: Store, *, token: str, at: int) -> dict[str, Any]:
    """Everything soulmark holds about the bearer of ``token``, as their wrist allows at ``at``
    (mark moments still ahead are not included: the itch stays the only warning, R5)."""
    with store.transaction() as s:
        person = person_by_token(s, token, at=at)
        world = s.get_one(WorldRow, person.world_id)
        shares = s.scalars(select(ShareRow).where(ShareRow.person_id == person.id)).all()
        notices = s.scalars(select(NoticeRow).where(NoticeRow.person_id == person.id)).all()
        return {
            "world": {"slug": world.slug, "name": world.name},
            "you": {
                "person": person.pid,
                "name": person.name,
                "email": person.email,
                "round": person.round,
                "confirmed": person.confirmed or not world.email_domain,  # as on the wrist
                "joined_at": iso(person.joined_at),
                "looked_at": _when(person.looked_at),
                "reached_out_at": _when(person.reached_out_at),
                "contact": person.contact,
            },
            "wrist": snapshot_of_person(s, person_id=person.id, at=at).view(at).to_json(),
            # Your own never-with list, as you may see it: until your round is sealed.
            "never_with": never_with(s, person, at).to_json(),
            "shares": [
                {
                    "created_at": iso(r.created_at),
                    "revoked_at": _when(r.revoked_at),
                    "shows_name": r.show_name,
                }
                for r in shares
            ],
            "notices": [
                {"kind": n.kind, "status": n.status, "sent_at": _when(n.sent_at)}
                for n in notices
                if n.due_at <= at
            ],
            "devices": devices_held(s, person.id),
            "signed_in_devices": signed_in_held(s, person.id),
        }


def _forget_links(s: Session, person_ids: list[int]) -> None:
    forget_devices(s, person_ids)
    forget_device_sessions(s, person_ids)
    s.execute(delete(ShareRow).where(ShareRow.person_id.in_(person_ids)))
    s.execute(delete(ReceiptRow).where(ReceiptRow.person_id.in_(person_ids)))
    s.execute(delete(ConfirmationRow).where(ConfirmationRow.person_id.in_(person_ids)))
    s.execute(delete(SigninCodeRow).where(SigninCodeRow.person_id.in_(person_ids)))
    # Their unsubscribe links go too: nobody is left to mail, and the row names the person.
    s.execute(delete(UnsubscribeRow).where(UnsubscribeRow.person_id.in_(person_ids)))
    s.execute(
        delete(NoticeRow).where(NoticeRow.person_id.in_(person_ids), NoticeRow.status == "pending")
    )
    # Notices already sent or failed stay as a record of delivery, without the address.
    s.execute(
        update(NoticeRow)
        .where(NoticeRow.person_id.in_(person_ids))
        .values(to_addr="", subject=None, body=None)
    )


def _dead_token() -> str:
    """A hash no token has: the old link stops working, the unique column stays unique."""
    return token_hash(secrets.token_urlsafe(32))


def _keep_exclusions(s: Session, person: PersonRow) -> None:
    """A frozen roster keeps its exclusions too (B1): lists naming the leaver follow them
    to the key their address is replaced by, so the draw the beacon fixed stays fixed."""
    s.execute(
        update(ExclusionRow)
        .where(
            ExclusionRow.world_id == person.world_id,
            ExclusionRow.email_key == person.email_key,
        )
        .values(email_key=f"left:{person.pid}", email="")
    )


def outcome_of(s: Session, person: PersonRow, at: int) -> LeaveOutcome:
    """What leaving would do to ``person`` at ``at``, inside a session the caller opened."""
    if s.scalar(select(MarkRow.id).where(MarkRow.person_id == person.id).limit(1)) is not None:
        return "drawn"
    return "in_draw" if roster_frozen(s, person, at) else "removed"


def leave_outcome(store: Store, *, token: str, at: int) -> LeaveOutcome:
    """What :func:`leave` would do at ``at``, to say so before anyone confirms it."""
    with store.read() as s:
        return outcome_of(s, person_by_token(s, token, at=at), at)


def leave(store: Store, *, token: str, at: int) -> dict[str, Any]:
    """Leave a world: removed before seal; after, only the name stays on the partner's wrist.

    Once the round's beacon is due its roster is frozen (B1): leaving then works as after
    the seal, so nobody can drop joiners to pick among draws they can already compute.
    """
    with store.transaction() as s:
        person = lock_lists(s, token, at)  # the seal's lock: a leaver's list goes with them
        outcome = outcome_of(s, person, at)
        _forget_links(s, [person.id])
        if outcome == "in_draw":
            _keep_exclusions(s, person)
        else:
            s.execute(delete(ExclusionRow).where(ExclusionRow.person_id == person.id))
        if outcome == "removed":
            s.execute(delete(NoticeRow).where(NoticeRow.person_id == person.id))
            s.delete(person)
        else:
            person.left_at = at
            person.email = ""
            person.contact = None
            person.email_key = f"left:{person.pid}"
            person.look_key = None  # the name stays on a wrist, free for whoever joins later
            person.token_hash = _dead_token()
        return {"removed": outcome == "removed", "outcome": outcome, "message": _LEFT[outcome]}


def set_retention(store: Store, *, organizer_token: str, until: int, at: int) -> dict[str, Any]:
    if until <= at:
        raise InvalidInput("the retention date must be in the future", code="retention-past")
    with store.transaction() as s:
        world = organizer_row(s, organizer_token)
        world.retain_until = until
        return {"world": world.slug, "retain_until": iso(until)}


def retention_of(store: Store, *, organizer_token: str) -> dict[str, Any]:
    """When the world behind ``organizer_token`` erases its personal data (None: not set)."""
    with store.read() as s:
        world = organizer_row(s, organizer_token)
        until = world.retain_until
        return {"world": world.slug, "retain_until": iso(until) if until is not None else None}


def _erase_exclusions(s: Session, world: WorldRow) -> None:
    """Addresses go, the pairs stay: each list entry that names someone is re-keyed to the
    key erasure gives that person, so a round still to be sealed draws as it would have."""
    named = (
        select(PersonRow.id)
        .where(PersonRow.world_id == world.id, PersonRow.email_key == ExclusionRow.email_key)
        .scalar_subquery()
    )
    s.execute(
        update(ExclusionRow)
        .where(ExclusionRow.world_id == world.id, named.is_not(None))
        .values(email_key=literal("erased:") + cast(named, String), email="")
    )
    s.execute(
        delete(ExclusionRow).where(
            ExclusionRow.world_id == world.id, ExclusionRow.email_key.not_like("erased:%")
        )
    )


def erase_expired(store: Store, *, at: int) -> list[str]:
    """Erase the personal data of every world whose retention date has passed."""
    with store.transaction() as s:
        worlds = s.scalars(
            select(WorldRow).where(WorldRow.retain_until <= at, WorldRow.erased_at.is_(None))
        ).all()
        for world in worlds:
            ids = list(s.scalars(select(PersonRow.id).where(PersonRow.world_id == world.id)))
            _forget_links(s, ids)
            _erase_exclusions(s, world)
            s.execute(delete(NoticeRow).where(NoticeRow.world_id == world.id))
            for table in (JoinSlipRow, NameReportRow):  # slip codes and who reported: gone
                s.execute(delete(table).where(table.world_id == world.id))
            for pid in ids:
                s.execute(
                    update(PersonRow)
                    .where(PersonRow.id == pid)
                    .values(
                        name="",
                        look_key=None,
                        email="",
                        contact=None,
                        email_key=f"erased:{pid}",
                        token_hash=_dead_token(),
                    )
                )
            world.erased_at = at
        return [w.slug for w in worlds]

"""Reporting the name on one's wrist after the seal, and the organizer removing it (issue 20
item 4), within B2 and B6.

A bearer who has looked may report the name they read.  The organizer is shown that name and
a random report id, never who reported: the reporter is kept only so that their own wrist
can say what became of the report.  Removing the reported person leaves every mark as it was
sealed (B6); it marks them gone, as leaving after the seal does, so their contact is never
passed (soulmark.core.reaching), and the reporter's wrist says kindly that the organizer
removed that name.  What each role learns is written down in SECURITY.md.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, NotFound
from soulmark.services.bearers import person_by_token
from soulmark.services.co_organizers import note
from soulmark.services.results import Result
from soulmark.services.worlds import organizer_row
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow, WorldRow
from soulmark.store.organizer_models import NameReportRow

__all__ = [
    "ReportRemoved",
    "Reports",
    "WristReport",
    "remove_reported",
    "report_name",
    "reports",
    "report_of",
    "wrist_report",
]


@dataclass(frozen=True)
class WristReport(Result):
    world: str
    state: str
    """``none`` (not reported), ``reported`` (the organizer was told the name), ``removed``
    (the organizer removed that name: their contact is never passed)."""


@dataclass(frozen=True)
class Reports(Result):
    world: str
    reports: list[dict[str, str | bool]]
    """Each: ``report`` (a random id), ``name`` (the reported name), ``removed``.  Never who
    reported, and never anyone's transcript id (B2)."""


@dataclass(frozen=True)
class ReportRemoved(Result):
    world: str
    report: str
    removed: bool
    already: bool
    """Removed before: pressing again changes nothing."""


def _mine(s: Session, person: PersonRow) -> NameReportRow | None:
    row: NameReportRow | None = s.scalars(
        select(NameReportRow).where(
            NameReportRow.reporter_id == person.id, NameReportRow.round == person.round
        )
    ).first()
    return row


def _state(row: NameReportRow | None) -> str:
    if row is None:
        return "none"
    return "reported" if row.removed_at is None else "removed"


def _slug(s: Session, person: PersonRow) -> str:
    slug: str = s.scalars(select(WorldRow.slug).where(WorldRow.id == person.world_id)).one()
    return slug


def report_name(store: Store, *, token: str, at: int) -> WristReport:
    """Tell the organizer the name on this wrist; once per wrist and round (B6: no mark
    changes).  Only a name the bearer has read can be reported."""
    with store.transaction() as s:
        me = person_by_token(s, token, lock=True, at=at)
        mark = s.scalars(
            select(MarkRow).where(MarkRow.person_id == me.id, MarkRow.round == me.round)
        ).first()
        if mark is None or me.looked_at is None or me.looked_at > at:
            raise Conflict("only a name you have looked at can be reported", code="report-early")
        row = _mine(s, me)
        if row is None:
            row = NameReportRow(
                world_id=me.world_id,
                report_id="n_" + secrets.token_hex(8),
                round=me.round,
                reporter_id=me.id,
                reported_id=mark.partner_id,
                created_at=at,
            )
            s.add(row)
        return WristReport(world=_slug(s, me), state=_state(row))


def report_of(s: Session, person: PersonRow) -> WristReport:
    """What became of this wrist's report, within a read the caller holds."""
    return WristReport(world=_slug(s, person), state=_state(_mine(s, person)))


def wrist_report(store: Store, *, token: str, at: int | None = None) -> WristReport:
    """What became of this wrist's report, for its page."""
    with store.read() as s:
        return report_of(s, person_by_token(s, token, at=at))


def reports(store: Store, *, token: str) -> Reports:
    """The names reported in this world, by name, each with its report id."""
    with store.read() as s:
        world = organizer_row(s, token)
        rows = s.execute(
            select(NameReportRow.report_id, PersonRow.name, NameReportRow.removed_at)
            .join(PersonRow, PersonRow.id == NameReportRow.reported_id)
            .where(NameReportRow.world_id == world.id)
        ).all()
        shown: list[dict[str, str | bool]] = [
            {"report": r, "name": n, "removed": gone is not None} for r, n, gone in rows
        ]
        shown.sort(key=lambda e: (str(e["name"]).casefold(), str(e["report"])))
        return Reports(world=world.slug, reports=shown)


def remove_reported(store: Store, *, token: str, report: str, at: int) -> ReportRemoved:
    """Remove the person a report names: their contact is never passed, marks stay (B6)."""
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)
        row = s.scalars(
            select(NameReportRow).where(
                NameReportRow.world_id == world.id, NameReportRow.report_id == report
            )
        ).first()
        if row is None:
            raise NotFound("no report of this world has this id", code="report-unknown")
        if row.removed_at is not None:
            return ReportRemoved(world.slug, report, removed=True, already=True)
        s.execute(
            update(NameReportRow)
            .where(NameReportRow.reported_id == row.reported_id, NameReportRow.removed_at.is_(None))
            .values(removed_at=at)
        )
        gone = s.get(PersonRow, row.reported_id)
        assert gone is not None
        if gone.left_at is None:
            gone.left_at = at  # as leaving after the seal: nobody is passed their contact
        gone.contact = None
        note(s, world, token, "removed-reported", at)
        return ReportRemoved(world.slug, report, removed=True, already=False)

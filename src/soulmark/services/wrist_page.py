"""Everything the wrist page shows, in one read (issue 21: one unit of work per request).

One transaction that takes no write lock (soulmark.store.db ``Store.read``): the wrist's
snapshot, its share links, its never-with list, what leaving would do, its signed-in devices,
its report and, on a site that pushes, its push subscriptions.  Before, the page ran a
service call per part, two of them opened as writes, so that every page view queued behind
joins and seals for SQLite's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from soulmark.services import device_sessions, exclusions
from soulmark.services.bearers import person_by_token
from soulmark.services.exclusions import Exclusions
from soulmark.services.lifecycle import LeaveOutcome, outcome_of
from soulmark.services.push import Device, devices_of
from soulmark.services.reports import WristReport, report_of
from soulmark.services.shares import Share, shares_of
from soulmark.services.wrist_read import snapshot_of_person
from soulmark.services.wrist_view import WristSnapshot
from soulmark.store import Store

__all__ = ["WristPage", "read_wrist_page"]


@dataclass(frozen=True)
class WristPage:
    snapshot: WristSnapshot
    shares: list[Share]
    never_with: Exclusions
    outcome: LeaveOutcome
    devices: list[Device]
    """Push subscriptions; empty unless asked for (a site that pushes nothing reads no more)."""
    signed_in: list[device_sessions.Device]
    """The devices kept signed in to this wrist (issue 19 item 3)."""
    report: WristReport
    """What became of this wrist's report of its name (issue 20 item 4)."""


def read_wrist_page(store: Store, *, token: str, at: int, with_devices: bool) -> WristPage:
    """The wrist behind ``token`` and everything its page shows, as of ``at``."""
    with store.read() as s:
        person = person_by_token(s, token, at=at)
        return WristPage(
            snapshot=snapshot_of_person(s, person_id=person.id, at=at),
            shares=shares_of(s, person),
            never_with=exclusions.view(s, person, at),
            outcome=outcome_of(s, person, at),
            devices=devices_of(s, person) if with_devices else [],
            signed_in=device_sessions.devices_of(s, person, token=token, at=at),
            report=report_of(s, person),
        )

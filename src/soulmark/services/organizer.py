"""The organizer's view (B2): counts, an aggregate timeline, sealing, the transcript.

Nothing here reads a name.  Every query selects ids, rounds and moments only, so no
response built from these results can pair two people by name.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from soulmark.core.errors import Conflict, InvalidInput
from soulmark.core.marks import Mark
from soulmark.core.times import iso
from soulmark.core.transcript import commitment
from soulmark.core.validate import check_window
from soulmark.core.wrist import wrist_at
from soulmark.services.co_organizers import note
from soulmark.services.fate_log import record as record_fate
from soulmark.services.sealing import Sealed, seal, transcript_text
from soulmark.services.tokens import new_secret
from soulmark.services.worlds import (
    WorldInfo,
    organizer_row,
    read_window,
    round_possible,
    world_block,
    world_info,
)
from soulmark.store import Store
from soulmark.store.link_models import ConfirmationRow
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow

__all__ = [
    "JOINED",
    "CountsSnapshot",
    "Dashboard",
    "counts_snapshot",
    "STATES",
    "organizer_world",
    "dashboard",
    "organizer_seal",
    "organizer_transcript",
    "organizer_window",
]

STATES = ("invited", "unconfirmed", "waiting", "bare", "itching", "inking", "covered", "revealed")
"""``invited``: on an organizer's list, invitation not claimed (no wrist yet);
``unconfirmed``: joined, waiting for their confirmation link to be followed; ``waiting``:
confirmed, in a round not sealed yet (the unmatched wait here too, R9)."""

JOINED = or_(
    select(ConfirmationRow.id).where(ConfirmationRow.person_id == PersonRow.id).exists(),
    PersonRow.email_key.startswith("~"),
)
"""An unconfirmed person who joined (and awaits their link, or is the stand-in of a join
under an address already in, services.joins), not one only invited."""


def _fixed_state(confirmed: bool, joined: bool) -> str | None:
    """The state of someone without a mark to follow, or None when their mark decides."""
    if confirmed:
        return None
    return "unconfirmed" if joined else "invited"


@dataclass(frozen=True)
class Dashboard:
    world: WorldInfo
    at: str
    counts: dict[str, int]
    bins: list[dict[str, Any]] = field(default_factory=list)
    """Equal slices of the window: how many itches start and how many names become legible."""
    elapsed: float = 0.0
    """How much of the window has passed at ``at`` (below 0 before it, above 1 after)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "world": self.world.to_json(),
            "at": self.at,
            "counts": self.counts,
            "timeline": self.bins,
            "elapsed": self.elapsed,
        }


def organizer_world(store: Store, *, token: str) -> str:
    """The slug of the world that ``token`` organizes."""
    with store.transaction() as s:
        return organizer_row(s, token).slug


def _counts(s: Session, world: WorldRow, at: int) -> tuple[Counter[str], list[Mark]]:
    people = s.execute(
        select(
            PersonRow.id, PersonRow.round, PersonRow.confirmed, PersonRow.looked_at, JOINED
        ).where(PersonRow.world_id == world.id)
    ).all()
    marks = {
        (m.person_id, m.round): Mark(m.itch_start, m.ink_start, m.legible_at)
        for m in s.scalars(select(MarkRow).where(MarkRow.world_id == world.id))
    }
    counts: Counter[str] = Counter({k: 0 for k in STATES})
    for pid, number, confirmed, looked, joined in people:
        mark = marks.get((pid, number))
        if (fixed := _fixed_state(confirmed, joined)) is not None:
            counts[fixed] += 1
        elif mark is None:
            counts["waiting"] += 1
        else:
            counts[wrist_at(mark, at, looked).state] += 1
    return counts, list(marks.values())


def _bins(world: WorldRow, marks: list[Mark], n: int) -> list[dict[str, Any]]:
    start, length = world.window_start, world.window_end - world.window_start

    def slot(t: int) -> int:
        return min(n - 1, max(0, (t - start) * n // length))

    itch = Counter(slot(m.itch_start) for m in marks)
    legible = Counter(slot(m.legible_at) for m in marks)
    return [
        {
            "start": iso(start + i * length // n),
            "end": iso(start + (i + 1) * length // n),
            "itch": itch[i],
            "legible": legible[i],
        }
        for i in range(n)
    ]


def dashboard(store: Store, *, token: str, at: int, bins: int = 24) -> Dashboard:
    with store.transaction() as s:
        world = organizer_row(s, token)
        counts, marks = _counts(s, world, at)
        timeline = _bins(world, marks, bins)
        slug = world.slug
        elapsed = (at - world.window_start) / (world.window_end - world.window_start)
    return Dashboard(
        world=world_info(store, slug=slug, at=at),
        at=iso(at),
        counts=dict(counts),
        bins=timeline,
        elapsed=elapsed,
    )


@dataclass(frozen=True)
class CountsSnapshot:
    """A world's counts by state without the clock (B3): sorted moments, so the counts at
    any moment and the next moment they change are a few bisections away."""

    world_id: int
    world: str
    fixed: dict[str, int]
    """invited, unconfirmed and waiting: they change only when someone acts."""
    itch: list[int]
    ink: list[int]
    legible: list[int]
    revealed: list[int]
    """max(legible_at, looked_at) of those who looked: when each wrist became revealed."""

    def counts(self, at: int) -> dict[str, int]:
        i, k, g, r = (bisect_right(xs, at) for xs in self._lists())
        moving = {
            "bare": len(self.itch) - i,
            "itching": i - k,
            "inking": k - g,
            "covered": g - r,
            "revealed": r,
        }
        return {state: self.fixed.get(state, 0) + moving.get(state, 0) for state in STATES}

    def json(self, at: int) -> dict[str, Any]:
        """What the organizer's stream carries: counts only (B2), as of ``at``."""
        return {"world": self.world, "at": iso(at), "counts": self.counts(at)}

    def next_change(self, at: int) -> int | None:
        ahead = [xs[j] for xs in self._lists() if (j := bisect_right(xs, at)) < len(xs)]
        return min(ahead, default=None)

    def _lists(self) -> tuple[list[int], list[int], list[int], list[int]]:
        return self.itch, self.ink, self.legible, self.revealed


def counts_snapshot(store: Store, *, token: str) -> CountsSnapshot:
    """One read of ids-free columns: confirmed, looked_at and the mark's moments (B2)."""
    with store.read() as s:
        world = organizer_row(s, token)
        rows = s.execute(
            select(
                PersonRow.confirmed,
                JOINED,
                PersonRow.looked_at,
                MarkRow.itch_start,
                MarkRow.ink_start,
                MarkRow.legible_at,
            )
            .outerjoin(
                MarkRow,
                (MarkRow.person_id == PersonRow.id) & (MarkRow.round == PersonRow.round),
            )
            .where(PersonRow.world_id == world.id)
        ).all()
        world_id, slug = world.id, world.slug
    fixed: Counter[str] = Counter()
    itch: list[int] = []
    ink: list[int] = []
    legible: list[int] = []
    revealed: list[int] = []
    for confirmed, joined, looked, i, k, g in rows:
        if (state := _fixed_state(confirmed, joined)) is not None:
            fixed[state] += 1
        elif i is None:
            fixed["waiting"] += 1
        else:
            itch.append(i)
            ink.append(k)
            legible.append(g)
            if looked is not None:
                revealed.append(max(g, looked))
    for xs in (itch, ink, legible, revealed):
        xs.sort()
    return CountsSnapshot(world_id, slug, dict(fixed), itch, ink, legible, revealed)


def organizer_seal(
    store: Store, *, token: str, round: int, at: int, relays: Sequence[str] = ()
) -> Sealed:
    """Seal ``round``: naming the round makes a repeated submit a harmless no-op (B6).
    A round waiting for a beacon fetches it from ``relays``."""
    world = organizer_world(store, token=token)
    done = seal(store, world=world, at=at, round=round, relays=relays)
    if not done.already:
        with store.transaction() as s:
            note(s, organizer_row(s, token), token, "sealed", at)
    return done


def organizer_window(
    store: Store, *, token: str, window_start: str, window_end: str, at: int
) -> WorldInfo:
    """Give the open round a new window (R4: when too little of the old one is left).

    Typed in the world's zone (ISO 8601; a bare date as its end means that day's end).

    The window is part of what a round's commitment binds, so the open round draws a fresh
    secret and publishes a new commitment; sealed rounds keep their transcripts as they were.
    A round whose beacon is already out keeps its window: a fresh secret chosen after the
    beacon is known could steer fate.
    """
    with store.transaction() as s:
        world = organizer_row(s, token, lock=True)
        start, end = read_window(window_start, window_end, world.time_zone)
        check_window(start, end)
        if not round_possible(start, end, at):
            raise InvalidInput("that window leaves too little time for a round sealed now")
        target = s.scalars(
            select(RoundRow).where(
                RoundRow.world_id == world.id, RoundRow.number == world.open_round
            )
        ).one()
        spec = target.beacon
        if spec is not None and at >= spec.published_at:
            raise Conflict(f"round {target.number} waits for a beacon that is already out")
        world.window_start, world.window_end = start, end
        note(s, world, token, "window", at)
        secret = new_secret()
        target.secret = secret.hex()
        target.commitment = commitment(secret, world_block(world), target.number, spec)
        # Public and append-only: whoever was handed the old commitment sees why it changed.
        record_fate(
            s, world, kind="commitment", round=target.number, commitment=target.commitment, at=at
        )
        slug = world.slug
    return world_info(store, slug=slug, at=at)


def organizer_transcript(store: Store, *, token: str, round: int | None = None) -> str:
    return transcript_text(store, world=organizer_world(store, token=token), round=round)

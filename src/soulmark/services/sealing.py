"""Sealing a round: one transaction, idempotent, marks written once (B1, B6, R9)."""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from soulmark.core.beacon import BeaconSpec, verify_signature
from soulmark.core.drawn import Drawn, dumps
from soulmark.core.errors import Conflict, InvalidInput, NotFound
from soulmark.core.exclusions import DrawExhausted
from soulmark.core.later import TooLate
from soulmark.core.times import iso
from soulmark.core.transcript import seal_drawn
from soulmark.observe.metrics import SEAL_SECONDS
from soulmark.planet import fate_engines
from soulmark.services.exclusions import round_exclusions
from soulmark.services.fate_log import record as record_fate
from soulmark.services.receipts import Committed, commit_round, keep_receipts
from soulmark.services.relays import fetch_signature
from soulmark.services.results import Result
from soulmark.services.worlds import get_world, open_round, world_block
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow, holds_row_id

__all__ = ["Sealed", "seal", "transcript_text"]


@dataclass(frozen=True)
class Sealed(Result):
    world: str
    round: int
    pairs: int
    unmatched: int
    people: int
    seed: str
    attempts: int
    """Draws fate made: 1, or with exclusions the number of the winning attempt plus one."""
    already: bool
    """True when the round had been sealed before: nothing was written."""


def _round(session: Session, world: WorldRow, number: int) -> RoundRow:
    if not holds_row_id(number):
        raise NotFound(f"{world.slug} has no round {number}")
    row = session.scalars(
        select(RoundRow).where(RoundRow.world_id == world.id, RoundRow.number == number)
    ).first()
    if row is None:
        raise NotFound(f"{world.slug} has no round {number}")
    return row


def _sealed(world: WorldRow, row: RoundRow, already: bool) -> Sealed:
    size = row.roster_size or 0
    return Sealed(
        world=world.slug,
        round=row.number,
        pairs=row.pairs or 0,
        unmatched=size - 2 * (row.pairs or 0),
        people=size,
        seed=row.seed or "",
        attempts=row.attempts or 1,
        already=already,
    )


_ROWS_AT_ONCE = 10_000


def _row_ids(s: Session, world: WorldRow, number: int, drawn: Drawn) -> array[int]:
    """Each roster index's row id, read a slice at a time (no dict of a million ids)."""
    ids = array("q", [0]) * len(drawn.ids)
    found = s.execute(
        select(PersonRow.pid, PersonRow.id)
        .where(PersonRow.world_id == world.id, PersonRow.round == number)
        .execution_options(yield_per=_ROWS_AT_ONCE)
    )
    for pid, pk in found:
        i = bisect_left(drawn.ids, pid)
        if i < len(drawn.ids) and drawn.ids[i] == pid:
            ids[i] = pk
    return ids


def _mark_rows(world: WorldRow, number: int, drawn: Drawn, ids: array[int]) -> Iterator[Row]:
    marks = drawn.marks
    for i, other in enumerate(drawn.partner):
        if other >= 0:
            yield [world.id, ids[i], number, ids[other], *marks[3 * i : 3 * i + 3]]


def _write_marks(s: Session, world: WorldRow, number: int, drawn: Drawn) -> None:
    ids = _row_ids(s, world, number, drawn)
    rows = _mark_rows(world, number, drawn, ids)
    if s.get_bind().dialect.name == "postgresql":
        _copy_marks(s, rows)
    else:
        # Core executemany, a slice at a time: the ORM's bulk path costs more than the
        # insert itself, and a list of every row would hold a million dicts.
        while chunk := list(islice(rows, _ROWS_AT_ONCE)):
            s.execute(_MARKS.insert(), [dict(zip(_MARK_COLUMNS, r, strict=True)) for r in chunk])
    unmatched = [ids[i] for i, other in enumerate(drawn.partner) if other < 0]
    if unmatched:
        # R9: the unmatched wait for the next round, with a bare wrist until then.
        s.execute(update(PersonRow).where(PersonRow.id.in_(unmatched)).values(round=number + 1))


_MARKS = cast(Table, MarkRow.__table__)
Row = list[int]
"""A mark row's values, in the order of ``_MARK_COLUMNS``."""
_MARK_COLUMNS = (
    "world_id",
    "person_id",
    "round",
    "partner_id",
    "itch_start",
    "ink_start",
    "legible_at",
)


def _copy_marks(s: Session, rows: Iterable[Row]) -> None:
    """COPY, inside the sealing transaction: many times faster than INSERTs for a big round."""
    dbapi: Any = s.connection().connection.dbapi_connection  # psycopg's, on PostgreSQL
    assert dbapi is not None
    with (
        dbapi.cursor() as cur,
        cur.copy(f"COPY marks ({', '.join(_MARK_COLUMNS)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _beacon_value(target: RoundRow, at: int, signature: str | None) -> str | None:
    """The verified signature of the drand round this round waits for (None: no beacon)."""
    spec = target.beacon
    if spec is None:
        return None
    if at < spec.published_at:
        raise Conflict(
            f"round {target.number} waits for drand {spec.chain} round {spec.round}, "
            f"published at {iso(spec.published_at)}"
        )
    signature = signature or target.beacon_signature
    if signature is None:
        raise Conflict(
            f"round {target.number} waits for drand {spec.chain} round {spec.round}: "
            "give its signature to seal"
        )
    verify_signature(spec, signature)
    return signature.strip().lower()


def seal(
    store: Store,
    *,
    world: str,
    at: int,
    round: int | None = None,
    beacon_signature: str | None = None,
    next_beacon: BeaconSpec | None = None,
    relays: Sequence[str] = (),
) -> Sealed:
    """Seal ``round`` (default: the open one).  Sealing a sealed round returns it unchanged.

    A round that waits for a public beacon needs that beacon's signature: fetched from
    ``relays`` (services.relays), else the one given; ``next_beacon`` names the one the
    following round will wait for.
    """
    if next_beacon is not None and next_beacon.published_at <= at:
        raise InvalidInput(f"drand {next_beacon.chain} round {next_beacon.round} is already out")
    if relays:
        beacon_signature = _fetched(store, world, round, at, relays) or beacon_signature
    with store.transaction() as s:
        row = get_world(s, world, lock=True)
        target = _round(s, row, row.open_round if round is None else round)
        if target.sealed_at is None:
            began = time.perf_counter()
            _seal_round(s, row, target, at, beacon_signature)
            SEAL_SECONDS.observe(time.perf_counter() - began)
            record_fate(
                s,
                row,
                kind="seal",
                round=target.number,
                commitment=target.commitment,
                transcript=target.transcript,
                at=at,
            )
            open_round(s, row, target.number + 1, next_beacon, at=at)
            return _sealed(row, target, already=False)
        return _sealed(row, target, already=True)


def _fetched(
    store: Store, world: str, round: int | None, at: int, relays: Sequence[str]
) -> str | None:
    """The awaited beacon's signature from a relay, fetched before any lock is taken."""
    with store.read() as s:
        row = get_world(s, world)
        target = _round(s, row, row.open_round if round is None else round)
        spec = target.beacon
        if spec is None or target.sealed_at is not None or at < spec.published_at:
            return None
    return fetch_signature(spec, relays)


def _seal_round(
    s: Session, row: WorldRow, target: RoundRow, at: int, beacon_signature: str | None
) -> None:
    """Draw fate for ``target`` and write its marks and transcript; the next round opens."""
    number = target.number
    roster = _confirmed_roster(s, row, number)
    signature = _beacon_value(target, at, beacon_signature)
    committed = commit_round(s, row, number)
    doc, drawn = _draw_honoured(s, row, target, roster, signature, at, committed)
    # Version 2 keeps its number of hidden draws to itself: told to the organizer, it
    # would hint at how many entries named someone in the round.
    target.attempts = doc.get("attempt", 0) + 1
    target.beacon_signature = signature
    _write_marks(s, row, number, drawn)
    keep_receipts(s, row, number, committed)
    target.sealed_at = at
    target.seed = doc["seed"]
    target.pairs = doc["pairs"]
    target.roster_size = len(roster)
    target.transcript = dumps(doc, drawn)
    row.open_round = number + 1


def _confirmed_roster(s: Session, row: WorldRow, number: int) -> list[str]:
    roster = list(
        s.scalars(
            select(PersonRow.pid).where(
                PersonRow.world_id == row.id,
                PersonRow.round == number,
                PersonRow.confirmed.is_(True),
            )
        )
    )
    if not roster:
        raise Conflict(f"round {number} of {row.slug} has no one in it to seal", code="seal-empty")
    if len(roster) == 1:
        # Sealing one person would only move them on to the next round: nothing to draw.
        raise Conflict(
            f"round {number} of {row.slug} has one person; fate needs at least two",
            code="seal-one",
        )
    return roster


def _draw(
    world: WorldRow,
    target: RoundRow,
    roster: Sequence[str],
    signature: str | None,
    at: int,
    exclusions: Sequence[tuple[str, str]],
    committed: Committed,
) -> tuple[dict[str, Any], Drawn]:
    """The transcript and schedule; every mark after the seal, in what is left (R4).

    Exclusions are drawn by version 2 (only commitments published, every attempt hidden)."""
    try:
        return seal_drawn(
            world=world_block(world),
            round_no=target.number,
            secret=bytes.fromhex(target.secret),
            roster=roster,
            beacon=target.beacon,
            signature=signature,
            private=committed.private(exclusions),
            sealed_at=at,
            engines=fate_engines(),  # the planet engine draws rosters of 2**20 and more (B4)
        )
    except TooLate as exc:
        raise Conflict(f"round {target.number} of {world.slug}: {exc}") from None


def _draw_honoured(
    s: Session,
    row: WorldRow,
    target: RoundRow,
    roster: Sequence[str],
    signature: str | None,
    at: int,
    committed: Committed,
) -> tuple[dict[str, Any], Drawn]:
    """The draw around the honoured entries, read under the seal's lock.

    Lists alone always leave a draw that comes up well within the bound; on top of dense
    organizer groups they might not.  Then no list stops the seal either: the groups alone
    are drawn, and every entry is dropped (its author is told, as for any dropped entry).
    """
    pairs = round_exclusions(s, row, target.number)
    try:
        return _draw(row, target, roster, signature, at, pairs, committed)
    except DrawExhausted:
        groups_only = round_exclusions(s, row, target.number, lists=False)
        if sorted(groups_only) == sorted(pairs):
            raise  # the groups alone: the organizer's to loosen
        return _draw(row, target, roster, signature, at, groups_only, committed)


def transcript_text(store: Store, *, world: str, round: int | None = None) -> str:
    """The published transcript of a sealed round (default: the latest sealed one)."""
    with store.transaction() as s:
        row = get_world(s, world)
        number = round if round is not None else row.open_round - 1
        if number < 1:
            raise NotFound(f"no round of {world} has been sealed yet")
        target = _round(s, row, number)
        if target.transcript is None:
            raise NotFound(f"round {number} of {world} is not sealed yet")
        return target.transcript

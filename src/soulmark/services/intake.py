"""Bulk intake for organizers: a CSV of ``name,email`` (and an optional ``group``) in batches.

People who share a ``group`` (a household, siblings) are never paired with each other (R3).
Each batch is one short transaction (store.fair), so every row reported as joined is
durable; a bad row is reported with its line number and the valid rows around it are kept.
An intake cut short keeps the batches written; run again, it reports those rows as already
joined and adds the rest.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soulmark.core.errors import InvalidInput, SoulmarkError
from soulmark.core.looks import email_key, look_key
from soulmark.core.validate import clean_email, clean_name
from soulmark.services.joins import Joiner, admit, check_domain
from soulmark.services.looks import LOOKALIKE, is_look_clash, taken_looks
from soulmark.services.tokens import new_token
from soulmark.services.worlds import get_world
from soulmark.settings import DEFAULT_BASE_URL
from soulmark.store import Store
from soulmark.store.fair import step_aside
from soulmark.store.models import PersonRow, WorldRow

__all__ = ["Intake", "RowError", "clean_group", "join_csv"]

BATCH = 200
"""Rows per transaction: about 40 ms of write lock on SQLite (bench/locks.py), so another
world's joins get in between two batches (store.fair)."""
MAX_GROUP = 64


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class Intake:
    world: str
    joined: int = 0
    round: int = 0
    errors: list[RowError] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "world": self.world,
            "joined": self.joined,
            "round": self.round,
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
        }


@dataclass(frozen=True)
class _Row(Joiner):
    line: int


def _records(reader: csv.DictReader[str]) -> Iterator[dict[str, Any]]:
    """The reader's records; a file the csv module cannot read is the person's to fix."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field past csv.field_size_limit()
            raise InvalidInput(f"line {reader.line_num}: the CSV cannot be read ({exc})") from None
        yield record


def _rows(source: TextIO, errors: list[RowError]) -> Iterator[_Row]:
    reader = csv.DictReader(source)
    try:
        fields = reader.fieldnames
    except csv.Error as exc:
        raise InvalidInput(f"the CSV header cannot be read ({exc})") from None
    if not fields or not {"name", "email"} <= set(fields):
        raise InvalidInput("the CSV needs a header with the columns name and email")
    for record in _records(reader):
        try:
            name = clean_name(record.get("name") or "")
            email = clean_email(record.get("email") or "")
            group = clean_group(record.get("group"))
        except SoulmarkError as exc:
            errors.append(RowError(reader.line_num, str(exc)))
            continue
        yield _Row(name, email, new_token("w"), reader.line_num, group=group)


def clean_group(raw: str | None) -> str | None:
    """The optional ``group`` column: people in the same group are never paired (R3)."""
    group = (raw or "").strip()
    if len(group) > MAX_GROUP:
        raise InvalidInput(f"the group is longer than {MAX_GROUP} characters")
    return group or None


def _batches(rows: Iterable[_Row], size: int) -> Iterator[list[_Row]]:
    batch: list[_Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(
    store: Store, world: str, batch: list[_Row], at: int, report: Intake, base_url: str
) -> list[_Row]:
    """Insert one batch through :func:`~soulmark.services.joins.admit`; the rows that joined."""
    with store.transaction() as s:
        row = get_world(s, world, share=True)
        fresh = _fresh(s, row, batch, report)
        _, report.round = admit(s, row, fresh, at=at, base_url=base_url)
    return fresh


def _fresh(s: Session, world: WorldRow, batch: list[_Row], report: Intake) -> list[_Row]:
    """The rows in the world's domain whose name's look and address are not in yet; the
    others reported (the look first, as a single join checks it)."""
    keys = [email_key(r.email) for r in batch]
    looks = [look_key(r.name) for r in batch]
    taken = set(
        s.scalars(
            select(PersonRow.email_key).where(
                PersonRow.world_id == world.id, PersonRow.email_key.in_(keys)
            )
        )
    )
    seen = taken_looks(s, world.id, looks)
    fresh: list[_Row] = []
    for r, key, look in zip(batch, keys, looks, strict=True):
        try:
            check_domain(world, r.email)
        except SoulmarkError as exc:
            report.errors.append(RowError(r.line, str(exc)))
            continue
        if look in seen:
            report.errors.append(RowError(r.line, f"{r.name}: {LOOKALIKE}"))
            continue
        if key in taken:
            report.errors.append(RowError(r.line, f"{r.email} has already joined {world.slug}"))
            continue
        taken.add(key)
        seen.add(look)
        fresh.append(r)
    return fresh


def join_csv(
    store: Store,
    *,
    world: str,
    source: TextIO,
    at: int,
    batch_size: int | None = None,
    on_joined: Callable[[list[tuple[str, str]]], None] | None = None,
    base_url: str = DEFAULT_BASE_URL,
) -> Intake:
    """Join every valid row of ``source``; ``on_joined`` gets (email, token) per durable batch.

    In an email-domain world each row waits for its mailed link, as a single join does.
    """
    report = Intake(world=world)
    with store.transaction() as s:
        get_world(s, world)
    for i, batch in enumerate(_batches(_rows(source, report.errors), batch_size or BATCH)):
        if i:
            step_aside(store)
        try:
            done = _insert(store, world, batch, at, report, base_url)
        except IntegrityError:
            # Someone joined with one of these addresses meanwhile: fall back row by row.
            done = [r for r in batch if _insert_one(store, world, r, at, report, base_url)]
        report.joined += len(done)
        if on_joined is not None and done:
            on_joined([(r.email, r.token) for r in done])
    report.errors.sort(key=lambda e: e.line)
    return report


def _insert_one(
    store: Store, world: str, row: _Row, at: int, report: Intake, base_url: str
) -> bool:
    try:
        return bool(_insert(store, world, [row], at, report, base_url))
    except IntegrityError as exc:
        clash = is_look_clash(exc)
        why = f"{row.name}: {LOOKALIKE}" if clash else f"{row.email} has already joined {world}"
        report.errors.append(RowError(row.line, why))
        return False

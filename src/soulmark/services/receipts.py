"""Exclusions that reveal nothing (issue 22): what a seal commits to, and each author's receipts.

At seal every never-with entry of someone in the roster — whether or not the address it
names joined this round, so that a receipt says nothing about who joined — and every pair
two members of one group make becomes a salted commitment
(:mod:`soulmark.core.private_exclusions`).  The transcript publishes only the commitments.
An entry's author alone is handed its salt, on their own wrist: with it they find their
entry in the transcript.  A group pair's salt is handed to nobody, the organizer least of
all: it commits to two ids, and whoever held it could test every roster id against it.
"""

from __future__ import annotations

import os
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from soulmark.core.private_exclusions import (
    SALT_BYTES,
    Private,
    group_commitment,
    never_commitment,
)
from soulmark.services.bearers import person_by_token
from soulmark.services.results import Result
from soulmark.store import Store
from soulmark.store.models import ExclusionRow, PersonRow, ReceiptRow, WorldRow

__all__ = ["Committed", "Receipts", "commit_round", "keep_receipts", "own_receipts"]

_RECEIPTS = cast(Table, ReceiptRow.__table__)


@dataclass
class Committed:
    """A round's commitments, and the receipts to keep once the seal has succeeded."""

    commitments: list[bytes] = field(default_factory=list)
    receipts: list[tuple[int, str, str]] = field(default_factory=list)
    """(author's person row id, salt hex, commitment hex), one per never-with entry."""

    def private(self, pairs: Sequence[tuple[str, str]]) -> Private | None:
        """What the draw is given; None when the round has nothing to commit to."""
        if not self.commitments:
            return None
        # A fresh key hides every attempt; nothing keeps it once the seal is written.
        return Private(pairs=pairs, commitments=self.commitments, hidden=secrets.token_bytes(32))


def _salts(count: int) -> list[bytes]:
    pool = os.urandom(SALT_BYTES * count)
    return [pool[i : i + SALT_BYTES] for i in range(0, len(pool), SALT_BYTES)]


def commit_round(s: Session, world: WorldRow, number: int) -> Committed:
    """The commitments for round ``number``'s roster (its confirmed members)."""
    in_round = (
        PersonRow.world_id == world.id,
        PersonRow.round == number,
        PersonRow.confirmed.is_(True),
    )
    entries = s.execute(
        select(PersonRow.id, PersonRow.pid, ExclusionRow.email_key)
        .join(ExclusionRow, ExclusionRow.person_id == PersonRow.id)
        .where(*in_round)
        .order_by(ExclusionRow.id)
    ).all()
    grouped = s.execute(
        select(PersonRow.pid, PersonRow.exclusion_group).where(
            *in_round, PersonRow.exclusion_group.is_not(None)
        )
    ).all()
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for pid, group in grouped:
        groups[str(group)].append(pid)
    pairs = [p for members in groups.values() for p in combinations(sorted(members), 2)]
    salts = _salts(len(entries) + len(pairs))
    out = Committed()
    for (person_id, pid, key), salt in zip(entries, salts, strict=False):
        commitment = never_commitment(salt, pid, _committed_key(key))
        out.commitments.append(commitment)
        out.receipts.append((person_id, salt.hex(), commitment.hex()))
    for (a, b), salt in zip(pairs, salts[len(entries) :], strict=True):
        out.commitments.append(group_commitment(salt, a, b))
    return out


def _committed_key(key: str) -> str:
    """The address key an entry commits to.  An entry whose named person left once the roster
    froze (or was erased) is keyed ``left:<their id>``: committing to that would let its
    author, who holds the salt, test every roster id for it.  It commits to a random key
    instead, which nobody can recompute; its author's check fails for that entry alone."""
    return key if "@" in key else secrets.token_hex(16)


def keep_receipts(s: Session, world: WorldRow, number: int, committed: Committed) -> None:
    """Write the receipts of a round just sealed, in the sealing transaction."""
    rows = [
        {"world_id": world.id, "person_id": pid, "round": number, "salt": salt, "commitment": c}
        for pid, salt, c in committed.receipts
    ]
    if rows:
        s.execute(_RECEIPTS.insert(), rows)


@dataclass(frozen=True)
class Receipts(Result):
    """The bearer's receipts: one per never-with entry of each of their sealed rounds."""

    person: str
    receipts: list[dict[str, Any]]


def own_receipts(store: Store, *, token: str, at: int | None = None) -> Receipts:
    """Your own receipts (wrist token): nobody else, the organizer included, can read them."""
    with store.read() as s:
        person = person_by_token(s, token, at=at)
        rows = s.execute(
            select(ReceiptRow.round, ReceiptRow.salt, ReceiptRow.commitment)
            .where(ReceiptRow.person_id == person.id)
            .order_by(ReceiptRow.round, ReceiptRow.commitment)
        ).all()
        return Receipts(
            person=person.pid,
            receipts=[{"round": r, "salt": salt, "commitment": c} for r, salt, c in rows],
        )

"""A world's public, append-only history of commitments and seals (B1, issue 13).

Every round's commitment is entered when the round opens and every seal when it is drawn,
each with the SHA-256 of the transcript it published.  A re-drawn round therefore shows up
as a second seal of the same round; rows cannot be changed or removed (database triggers);
and each entry's ``chain`` is SHA-256 over the previous entry's chain and its own fields, so
anyone who noted the last chain can tell that the history before it was not rewritten.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soulmark.core.times import iso
from soulmark.store.models import FateLogRow, WorldRow

__all__ = ["record", "history", "chain_of"]


def chain_of(
    prev: str, *, kind: str, round: int, commitment: str, transcript: str | None, at: int | None
) -> str:
    fields = [prev, kind, str(round), commitment, transcript or "", "" if at is None else str(at)]
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


def record(
    s: Session,
    world: WorldRow,
    *,
    kind: str,
    round: int,
    commitment: str,
    transcript: str | None = None,
    at: int | None = None,
) -> None:
    """Append one entry (the world row is locked by whoever opens or seals a round)."""
    prev = s.scalars(
        select(FateLogRow.chain)
        .where(FateLogRow.world_id == world.id)
        .order_by(FateLogRow.id.desc())
        .limit(1)
    ).first()
    digest = hashlib.sha256(transcript.encode()).hexdigest() if transcript is not None else None
    s.add(
        FateLogRow(
            world_id=world.id,
            kind=kind,
            round=round,
            commitment=commitment,
            transcript_sha256=digest,
            at=at,
            chain=chain_of(
                prev or "",
                kind=kind,
                round=round,
                commitment=commitment,
                transcript=digest,
                at=at,
            ),
        )
    )
    s.flush()


def history(s: Session, world_id: int) -> list[dict[str, Any]]:
    rows = s.scalars(
        select(FateLogRow).where(FateLogRow.world_id == world_id).order_by(FateLogRow.id)
    ).all()
    return [
        {
            "kind": r.kind,
            "round": r.round,
            "commitment": r.commitment,
            "transcript_sha256": r.transcript_sha256,
            "at": iso(r.at) if r.at is not None else None,
            "chain": r.chain,
        }
        for r in rows
    ]

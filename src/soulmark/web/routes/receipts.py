"""Your receipts for your never-with entries (issue 22): yours alone, to check the transcript."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from soulmark.services.receipts import own_receipts
from soulmark.web.deps import NowDep, StoreDep, TokenDep

router = APIRouter()


class ReceiptOut(BaseModel):
    round: int
    salt: str
    """The salt of your entry's commitment: SHA-256("soulmark/never/x2" || salt || your id ||
    0x0A || the address you named, as soulmark keys it) is in that round's transcript."""
    commitment: str


class ReceiptsOut(BaseModel):
    person: str
    """Your own opaque id."""
    receipts: list[ReceiptOut]


@router.get("/api/wrist/receipts", tags=["wrist"])
def receipts_api(token: TokenDep, store: StoreDep, now: NowDep) -> ReceiptsOut:
    """One receipt per never-with entry of each of your sealed rounds (wrist token only).

    The organizer, a friend's share link and the public never see them (docs/fate-exclusions.md).
    """
    shown = own_receipts(store, token=token, at=now)
    return ReceiptsOut(person=shown.person, receipts=[ReceiptOut(**r) for r in shown.receipts])

"""One-time sign-in codes in bulk, and the ones every notice mail carries (issue 19 item 3).

A notice's sign-in button opens its wrist on one device (soulmark.services.device_signin); its
code is made when the notice is claimed for sending, in the claim's transaction, so a code
exists only for a mail that leaves.  Only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import cast

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from soulmark.core.times import HOUR
from soulmark.notices.compose import WORDED, signin_link
from soulmark.settings.mail import NoticeSettings
from soulmark.store.link_models import SigninCodeRow
from soulmark.store.notice_models import NoticeRow

__all__ = ["DEVICE", "DEVICE_TTL", "NOTICE_CODES", "codes_for", "notice_codes", "notice_links"]

DEVICE = "device"
"""The purpose of a code that signs one device in and changes no link."""
DEVICE_TTL = 24 * HOUR
NOTICE_CODES = 6
"""Live codes a person may hold before a notice goes out without its button."""


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def codes_for(
    s: Session, ids: Sequence[int], *, purpose: str, at: int, ttl: int, limit: int
) -> dict[int, str]:
    """A new one-time code for each person of ``ids`` who holds fewer than ``limit`` live
    ones, in three statements: person id to code."""
    live = dict(
        s.execute(
            select(SigninCodeRow.person_id, func.count())
            .where(
                SigninCodeRow.person_id.in_(ids),
                SigninCodeRow.purpose == purpose,
                SigninCodeRow.used_at.is_(None),
                SigninCodeRow.expires_at > at,
            )
            .group_by(SigninCodeRow.person_id)
        ).all()
    )
    codes = {i: f"k_{secrets.token_urlsafe(24)}" for i in ids if live.get(i, 0) < limit}
    rows = [
        {
            "person_id": i,
            "code_hash": _hash(code),
            "purpose": purpose,
            "created_at": at,
            "expires_at": at + ttl,
        }
        for i, code in codes.items()
    ]
    if rows:
        s.execute(insert(SigninCodeRow), rows)
    return codes


def notice_codes(s: Session, people: Sequence[int], *, at: int) -> dict[int, str]:
    """A device code for each person (by id) a notice goes to."""
    return codes_for(s, people, purpose=DEVICE, at=at, ttl=DEVICE_TTL, limit=NOTICE_CODES)


def notice_links(
    s: Session, rows: Sequence[NoticeRow], settings: NoticeSettings, now_us: int
) -> dict[int, str]:
    """The one-time sign-in link of each notice that leaves now, by notice id."""
    mails = [r for r in rows if r.kind in WORDED and r.person_id is not None]
    if not mails:
        return {}
    codes = notice_codes(s, sorted({cast(int, r.person_id) for r in mails}), at=now_us)
    return {
        r.id: signin_link(settings.base_url, codes[r.person_id])
        for r in mails
        if r.person_id is not None and r.person_id in codes
    }

"""Who a wrist's request speaks for: the holder of its private link, or a device signed in to
it ("keep me signed in", soulmark.services.device_sessions).  Every bearer's request starts
here, so both ways in open the same wrist."""

from __future__ import annotations

from sqlalchemy.orm import Session

from soulmark.services.device_sessions import is_device, person_of_device
from soulmark.services.tokens import by_token
from soulmark.store.models import PersonRow

__all__ = ["person_by_token"]


def person_by_token(
    session: Session, token: str, *, lock: bool = False, at: int | None = None
) -> PersonRow:
    """The wrist's person whose private token, or signed-in device's secret, this is; a
    device expired by ``at`` (when the caller knows the moment) opens nothing."""
    if is_device(token):
        return person_of_device(session, token, lock=lock, at=at)
    person: PersonRow = by_token(
        session,
        PersonRow.token_hash,
        token,
        missing="no wrist has that token",
        code="wrist-unknown",
        lock=lock,
    )
    return person

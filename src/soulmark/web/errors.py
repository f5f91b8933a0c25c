"""Domain errors as HTTP statuses: the one place the web decides which code an error gets."""

from __future__ import annotations

from soulmark.core.errors import Conflict, InvalidInput, NotFound, SoulmarkError
from soulmark.web.audit_runner import Busy
from soulmark.web.bodies import TooLarge
from soulmark.web.deps import Forbidden, TooMany, Unauthorized

__all__ = ["STATUS", "status_of"]

STATUS: dict[type[SoulmarkError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Unauthorized: 401,
    Forbidden: 403,
    TooLarge: 413,
    Busy: 503,
    TooMany: 429,
}
"""By error type; a subclass answers as its nearest listed ancestor, anything else as 400."""


def status_of(exc: SoulmarkError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400

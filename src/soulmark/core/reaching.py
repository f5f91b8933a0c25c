"""Reaching out (R10): when two contacts pass, and what each passes.

The one statement of the rule, for every reader of it: the wrist's snapshot
(soulmark.services.wrist_read), the acts that change it (soulmark.services.wrists) and the
change feed that wakes a partner's stream when it does (soulmark.store.changes).
"""

from __future__ import annotations

__all__ = ["both_reached_out", "passed"]


def both_reached_out(mine: int | None, theirs: int | None, *, someone_left: bool) -> bool:
    """Whether contacts pass: both said they would like to meet, and neither left (who left
    keeps their name on the partner's wrist, never their contact).  Until then a bearer may
    change what they pass, or take it back; after, what was passed is passed."""
    return mine is not None and theirs is not None and not someone_left


def passed(contact: str | None, email: str, reached_out_at: int | None) -> str | None:
    """The contact a person passes: their choice; their join address for a reach-out made
    before people could choose (it was what reaching out passed then)."""
    if reached_out_at is None:
        return None
    return contact if contact is not None else email

"""Which never-with entries a round's draw honours (R3): lists can drop out, never the seal.

Each participant names at most a few people, but any number of lists may name the same
person: sybil wrists in an open world, each within its own allowance, could otherwise
leave that person fewer than half the round as partners, and the seal would refuse for
good.  So the seal honours entries up to what R3 allows, the earliest first, and drops the
rest.  The rule (docs/fate-exclusions.md, section 1):

- with ``n`` in the roster, each person may lose at most ``limit = (n - 2) // 2``
  partners; the organizer's groups take theirs first, the rest is the person's **room**;
- an author's own entries, earliest first, take the author's room first (so that lists
  naming someone cannot cancel that person's own list);
- then the entries naming a person, earliest first, take what the person's own entries
  left; an address that is nobody in the roster has the whole ``limit``.

Every person then loses at most ``limit`` partners, so R3 holds, and with ``n >= 3`` Dirac's
theorem gives an allowed matching: participants' lists alone can never stop a seal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

__all__ = ["Entry", "honoured", "r3_limit"]


class Entry(NamedTuple):
    """One never-with entry, as the seal sees it (a tuple: a seal may read millions)."""

    id: int
    author: str
    """The author's opaque id (a member of the roster)."""
    named: str
    """The address key named: a member's, or one nobody in the roster joined with."""


def r3_limit(n: int) -> int:
    """How many partners one person may lose in a round of ``n``: ``2 * (n - 1 - d) >= n``."""
    return max((n - 2) // 2, 0)


def honoured(
    n: int,
    entries: Sequence[Entry],
    members: Mapping[str, str],
    grouped: Mapping[str, int],
) -> set[int]:
    """The ids of the ``entries`` (given earliest first) the draw honours.

    ``members`` maps a roster member's address key to their opaque id; ``grouped`` gives how
    many partners a member's organizer groups already take.
    """
    limit = r3_limit(n)
    room = {pid: max(limit - taken, 0) for pid, taken in grouped.items()}
    own: dict[str, int] = {}
    kept = []
    for entry in entries:
        used = own.get(entry.author, 0)
        if used < room.get(entry.author, limit):
            own[entry.author] = used + 1
            kept.append(entry)
    naming: dict[str, int] = {}
    out = set()
    for entry in kept:
        target = members.get(entry.named)
        left = limit if target is None else room.get(target, limit) - own.get(target, 0)
        used = naming.get(entry.named, 0)
        if used < left:
            naming[entry.named] = used + 1
            out.add(entry.id)
    return out

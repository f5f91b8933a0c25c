"""Fate with private exclusions ("never with", R3): exactly uniform over the allowed matchings.

Version ``fisher-yates-excluding/blake2b-v1``.  A round's excluded pairs are opaque ids, each
pair written ``(smaller, larger)`` and the list sorted.  Attempt ``k`` (k = 0, 1, 2, ...) is
the exact shuffle of :mod:`soulmark.core.fate` driven by ``Stream(seed, b"fate", k)``; the
first attempt whose matching contains no excluded pair is the round's fate.  Attempts are
independent draws from the uniform distribution over all matchings, so the first one that
lands in the allowed set is uniform over the allowed set: rejection sampling, no bias, and
the number of attempts never changes which allowed matching comes out.

At most :data:`MAX_ATTEMPTS` attempts are made.  When none of them avoids every excluded
pair the draw raises :class:`DrawExhausted`: the seal refuses and nothing is written; it
never falls back to another (biased) method.

Before drawing, :func:`refusal` checks that an allowed matching exists at all (a perfect
matching, or one person unmatched when the roster is odd) and that nobody is left fewer than
half of the roster as possible partners (R3: exclusions must not force a pairing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import networkx as nx

from soulmark.core.errors import Conflict
from soulmark.core.fate import fisher_yates

__all__ = [
    "EXCLUDING",
    "MAX_ATTEMPTS",
    "DrawExhausted",
    "ExclusionsRefused",
    "canonical_pairs",
    "draw",
    "exclusions_digest",
    "feasible",
    "first_clear_attempt",
    "index_keys",
    "pairs_of",
    "refusal",
    "refusal_of",
    "r3_ok",
]

EXCLUDING = "fisher-yates-excluding/blake2b-v1"
MAX_ATTEMPTS = 1 << 16
"""65,536 attempts.  R3 keeps everyone at least half the roster as possible partners, and a
participant names at most 3 people, so the expected number of excluded pairs one attempt hits
(``|excluded| / (n - 1)``) stays near 3 and an attempt succeeds with probability near
``e**-3 = 1/20``; missing 65,536 times in a row then has probability below ``10**-1400``.
Only dense organizer groups make success rarer than ``1/65,536`` per attempt, and those are
refused at the bound rather than drawn some other way."""

NETWORKX_LIMIT = 400
"""Above this size a roster that fails Dirac's condition is refused by R3 without asking
networkx which of the two reasons applies: a matching on a dense graph that large is slow."""

Pair = tuple[str, str]


class ExclusionsRefused(Conflict):
    """The round's exclusions cannot be drawn: no allowed matching, or R3 would not hold."""


class DrawExhausted(ExclusionsRefused):
    """No attempt within :data:`MAX_ATTEMPTS` avoided every excluded pair."""


def canonical_pairs(pairs: Iterable[Pair], roster: Iterable[str]) -> tuple[Pair, ...]:
    """The excluded pairs among ``roster``, each ``(smaller, larger)``, sorted and unique.

    Pairs naming someone outside the roster, or naming the same id twice, drop out: an
    exclusion only ever removes pairs that could otherwise be drawn.
    """
    ids = sorted(roster)
    return pairs_of(index_keys(pairs, ids), ids)


def pairs_of(keys: Iterable[int], roster: Sequence[str]) -> tuple[Pair, ...]:
    """The pairs of ids behind ``keys`` over the sorted ``roster``, in canonical order.

    The roster is sorted, so ordering keys ``i * n + j`` (``i < j``) as integers orders the
    pairs ``(roster[i], roster[j])`` as strings: integers sort far faster.
    """
    n = len(roster)
    return tuple((roster[key // n], roster[key % n]) for key in sorted(keys))


def exclusions_digest(pairs: Sequence[Pair]) -> bytes:
    """SHA-256 of the canonical pairs, one ``"a b"`` line each, joined by newlines."""
    return hashlib.sha256("\n".join(f"{a} {b}" for a, b in pairs).encode("ascii")).digest()


def index_keys(pairs: Iterable[Pair], roster: Sequence[str]) -> set[int]:
    """Each pair as ``i * n + j`` over roster indices ``i < j``: one set lookup per pair.

    Pairs naming an id outside ``roster``, or the same id twice, are left out.
    """
    n = len(roster)
    index = {pid: i for i, pid in enumerate(roster)}
    keys = set()
    for a, b in pairs:
        i, j = index.get(a, -1), index.get(b, -1)
        if i < 0 or j < 0 or i == j:
            continue
        keys.add(_key(i, j, n))
    return keys


def _key(x: int, y: int, n: int) -> int:
    """One integer per unordered pair of roster indices."""
    return x * n + y if x < y else y * n + x


def _attempt(seed: bytes, n: int, k: int, excluded: set[int]) -> list[int] | None:
    """Attempt ``k``'s order, or None as soon as one of its pairs is excluded.

    Fisher–Yates fixes slot ``i`` at step ``i``, so pair ``(2m, 2m + 1)`` is final after the
    step for slot ``2m``: checking it there stops a doomed attempt early without changing
    what any attempt draws.
    """
    a = list(range(n))
    for i in fisher_yates(a, seed, k):
        if not i & 1 and i + 1 < n and _key(a[i], a[i + 1], n) in excluded:
            return None
    if n >= 2 and _key(a[0], a[1], n) in excluded:
        return None
    return a


def first_clear_attempt(
    seed: bytes, n: int, excluded: set[int], *, limit: int = MAX_ATTEMPTS
) -> tuple[list[int], int]:
    """The first attempt's order that avoids every excluded pair, and its number."""
    for k in range(limit):
        order = _attempt(seed, n, k, excluded)
        if order is not None:
            return order, k
    raise DrawExhausted(
        f"no allowed pairing came up in {limit:,} draws: the exclusions are too tight; "
        "loosen them before sealing"
    )


def draw(seed: bytes, roster: Sequence[str], pairs: Sequence[Pair]) -> tuple[list[int], int]:
    """Fate for ``roster`` (canonical order) avoiding the canonical ``pairs``."""
    return first_clear_attempt(seed, len(roster), index_keys(pairs, roster))


def _degrees(keys: Iterable[int], n: int) -> list[int]:
    degree = [0] * n
    for key in keys:
        degree[key // n] += 1
        degree[key % n] += 1
    return degree


def r3_ok(n: int, degree: Sequence[int]) -> bool:
    """Everyone with an exclusion keeps at least half the roster as possible partners:
    ``2 * (n - 1 - d) >= n``, that is ``d <= (n - 2) // 2``."""
    most = max(degree, default=0)
    return most == 0 or most <= (n - 2) // 2


def feasible(n: int, excluded: set[int]) -> bool:
    """Does a matching of everyone (but one, when ``n`` is odd) avoid every excluded pair?

    When everyone keeps at least ``n / 2`` possible partners and ``n >= 3``, Dirac's theorem
    gives a Hamiltonian cycle of the allowed graph, and every other edge of it is such a
    matching.  Otherwise networkx's maximum-cardinality matching decides.
    """
    if not excluded:
        return True
    if n >= 3 and r3_ok(n, _degrees(excluded, n)):
        return True
    allowed = nx.complete_graph(n)
    allowed.remove_edges_from((key // n, key % n) for key in excluded)
    matching = nx.max_weight_matching(allowed, maxcardinality=True)
    return len(matching) == n // 2


def refusal(roster: Sequence[str], pairs: Sequence[Pair]) -> str | None:
    """Why these exclusions cannot be drawn (a reason that names no one), or None."""
    return refusal_of(len(roster), index_keys(pairs, roster))


def refusal_of(n: int, keys: set[int]) -> str | None:
    """:func:`refusal` over index keys."""
    if n >= 3 and r3_ok(n, _degrees(keys, n)) or not keys:
        return None  # Dirac's theorem: an allowed matching exists.
    if n <= NETWORKX_LIMIT and not feasible(n, keys):
        return "no pairing of this round avoids every exclusion; nothing was sealed"
    return (
        "the exclusions leave someone fewer than half of the round as possible partners "
        "(R3); nothing was sealed"
    )

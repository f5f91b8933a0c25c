"""Fate: who is paired with whom in a sealed round (R2, R3, R9, B1, B3).

The roster of a round is its opaque participant ids in canonical (sorted) order.  A fate
algorithm turns ``(seed, n)`` into an *order*: ``order[slot]`` is the roster index placed in
``slot``.  Slots ``2k`` and ``2k + 1`` form pair ``k``; with an odd roster the last slot is
unmatched.  Every algorithm is named by a version string that the transcript records, so a
planet-scale engine can stand behind the same transcript format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from soulmark.core.stream import Stream

__all__ = [
    "CORE_ENGINES",
    "EXACT_SHUFFLE",
    "Engines",
    "FateAlgorithm",
    "Pairing",
    "ExactShuffle",
    "pair_up",
    "roster_digest",
    "derive_seed",
]

EXACT_SHUFFLE = "fisher-yates/blake2b-v1"


class FateAlgorithm(Protocol):
    version: str

    def order(self, seed: bytes, n: int) -> Sequence[int]:
        """Roster index for each slot: a permutation of ``range(n)``."""
        ...


class ExactShuffle:
    """Fisher–Yates over the canonical roster, driven by ``Stream(seed, b"fate")``.

    For ``i = n-1`` down to ``1``: ``j = below(i + 1)``, swap ``a[i]`` and ``a[j]``.  Every
    permutation is equally likely, so every perfect matching (and every choice of the
    unmatched person) is too.
    """

    version = EXACT_SHUFFLE

    def order(self, seed: bytes, n: int) -> list[int]:
        a = list(range(n))
        for _ in fisher_yates(a, seed):
            pass
        return a


def fisher_yates(a: list[int], seed: bytes, nonce: int = 0) -> Iterator[int]:
    """Shuffle ``a`` in place with ``Stream(seed, b"fate", nonce)``, yielding each slot ``i``
    (``n-1`` down to ``1``) once it is final, so a caller may stop a doomed shuffle early."""
    words = Stream(seed, b"fate", nonce).words
    two64 = 1 << 64
    for i in range(len(a) - 1, 0, -1):
        # Stream.below(i + 1), inlined: this loop runs once per person at seal.
        m = i + 1
        limit = two64 - two64 % m
        u = next(words)
        while u >= limit:
            u = next(words)
        j = u % m
        a[i], a[j] = a[j], a[i]
        yield i


@dataclass(frozen=True)
class Engines:
    """The fate engines a seal or an audit may draw with, handed to it (never a global).

    The core knows only its own exact shuffle (:data:`CORE_ENGINES`); soulmark.planet
    returns a set with its engine for rosters of 2**20 and more, which the services pass.
    """

    by_version: Mapping[str, FateAlgorithm]
    by_size: Mapping[int, str]
    """Smallest roster -> the version of the engine that draws rosters of that size and more."""

    def with_engine(self, algorithm: FateAlgorithm, *, min_roster: int | None = None) -> Engines:
        """These engines and ``algorithm``; with ``min_roster``, it draws rosters that large."""
        sizes = {**self.by_size, **({min_roster: algorithm.version} if min_roster else {})}
        return Engines({**self.by_version, algorithm.version: algorithm}, sizes)

    def for_size(self, n: int) -> str:
        """The version of the engine that draws a roster of ``n``."""
        return self.by_size[max(k for k in self.by_size if k <= n)]

    def get(self, version: str) -> FateAlgorithm:
        try:
            return self.by_version[version]
        except KeyError:
            raise KeyError(f"unknown fate algorithm {version!r}") from None


CORE_ENGINES = Engines({EXACT_SHUFFLE: ExactShuffle()}, {0: EXACT_SHUFFLE})
"""The exact shuffle for every roster: what the core draws with when handed nothing else."""


@dataclass(frozen=True, slots=True)
class Pairing:
    """The outcome of fate for one roster."""

    pairs: tuple[tuple[str, str], ...]
    """Pairs in slot order: ``pairs[k]`` is pair ``k`` (its first member holds slot 2k)."""
    unmatched: str | None

    def partner_map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for a, b in self.pairs:
            out[a] = b
            out[b] = a
        return out


def pair_up(roster: Sequence[str], order: Sequence[int]) -> Pairing:
    n = len(roster)
    pairs = tuple((roster[order[s]], roster[order[s + 1]]) for s in range(0, n - 1, 2))
    unmatched = roster[order[n - 1]] if n % 2 else None
    return Pairing(pairs=pairs, unmatched=unmatched)


def roster_digest(roster: Sequence[str]) -> str:
    """SHA-256 hex of the canonical roster, ids joined by newlines."""
    return hashlib.sha256("\n".join(roster).encode("ascii")).hexdigest()


def derive_seed(
    secret: bytes,
    digest_hex: str,
    beacon: bytes = b"",
    exclusions: bytes = b"",
    label: bytes = b"soulmark/seed/x1",
) -> bytes:
    """The round's seed: binds the revealed secret to the frozen roster (and a beacon, if any).

    A round with exclusions also binds the 32-byte digest of its exclusions, under its own
    ``label`` (``x1``: the pair list; ``x2``: the commitments), so that changing the list
    changes every line of the transcript.
    """
    label = label + exclusions if exclusions else b"soulmark/seed/v1"
    return hashlib.blake2b(
        label + bytes.fromhex(digest_hex) + beacon,
        digest_size=32,
        key=secret,
    ).digest()

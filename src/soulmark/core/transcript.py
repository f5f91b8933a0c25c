"""Commit and reveal (B1): the commitment published when a round opens, the transcript
published when it is sealed, and the audit that re-runs fate from the transcript alone.

A transcript (format ``soulmark-transcript``, version 1) is a JSON object::

    world          {"slug", "name", "window_start", "window_end", "params"}  (public inputs)
    round          the round number
    commitment     sha256(canonical(world, round, beacon spec) || secret), published at opening
    secret         the round's secret, revealed at seal (hex)
    beacon         null, or {chain, round, signature, randomness}: the drand round named when
                   the round opened, whose randomness (sha256 of the signature) joins the seed
    trust          what the draw rests on: a public beacon, or only the organizer's word
    roster         the opaque ids of the round, sorted
    roster_digest  sha256 of the ids joined by newlines
    seed           blake2b(key=secret, "soulmark/seed/v1" || roster_digest || beacon)
    algorithm      the fate algorithm's version
    exclusions     only in rounds drawn by fisher-yates-excluding/blake2b-v1 (no longer
                   sealed, still audited): the excluded pairs of roster ids, sorted
    attempt        only there too: the number of the first attempt that avoids them all
    exclusion_commitments
                   only in rounds drawn by fisher-yates-excluding/blake2b-v2: a salted
                   commitment per entry, sorted (soulmark.core.private_exclusions)
    draw_key       only there too: the key of the winning (hidden) attempt's shuffle
    marks_from     {"sealed_at", "lead", "start"}: when the round was sealed and where its marks
                   begin, ``max(window_start, sealed_at + lead)`` (later rounds, R4).  Optional:
                   present only when the marks begin after the window's start; a transcript
                   without it drew its marks over the whole window.
    pairs          the number of pairs; unmatched: the unmatched id or null
    lines          [id, partner, itch_start, ink_start, legible_at] for every id, in roster order

Every field is either bound by the commitment or recomputed from the others, so changing
any single one of them is detected.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from soulmark.core.beacon import BeaconSpec, randomness
from soulmark.core.drawn import (
    Drawn,
    Plan,
    World,
    dumps,
    scheduled_pairs,
    world_window,
)
from soulmark.core.exclusions import (
    EXCLUDING,
    ExclusionsRefused,
    exclusions_digest,
    first_clear_attempt,
    index_keys,
    pairs_of,
    refusal_of,
)
from soulmark.core.fate import (
    CORE_ENGINES,
    Engines,
    derive_seed,
    roster_digest,
)
from soulmark.core.later import MarksFrom, marks_from
from soulmark.core.marks import Mark
from soulmark.core.private_exclusions import (
    PRIVATE,
    SEED_LABEL,
    Private,
    commitments_digest,
    hidden_draw,
)

__all__ = [
    "FORMAT",
    "HEADER_FIELDS",
    "Private",
    "VERSION",
    "World",
    "ExclusionsRefused",
    "canonical",
    "commitment",
    "expected_algorithm",
    "schedule",
    "seal_drawn",
    "seal_transcript",
    "dumps",
    "Drawn",
]

FORMAT = "soulmark-transcript"
VERSION = 1
HEADER_FIELDS = ("format", "version", "world", "round", "commitment", "secret")
"""The fields every soulmark transcript opens with, a round's or a planet's (docs/fate.md)."""

Block = dict[str, Any] | None


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def commitment(secret: bytes, world: World, round_no: int, beacon: BeaconSpec | None = None) -> str:
    spec = beacon.to_json() if beacon is not None else None
    body = canonical({"v": 1, "world": world, "round": round_no, "beacon": spec})
    return hashlib.sha256(body + secret).hexdigest()


def trust(beacon: BeaconSpec | None) -> str:
    if beacon is None:
        return (
            "no public beacon: this draw is only as trustworthy as its organizer, who knew "
            "the secret while people joined"
        )
    return (
        f"public beacon: drand {beacon.chain} round {beacon.round}, unknown to anyone until "
        "it was published after the roster closed"
    )


def expected_algorithm(n: int, engines: Engines = CORE_ENGINES) -> str:
    """The engine a roster of ``n`` is drawn by: the exact shuffle, unless ``engines`` hold
    one for rosters this large (soulmark.planet's, for 2**20 and more)."""
    return engines.for_size(n)


def schedule(
    seed: bytes,
    roster: Sequence[str],
    algorithm: str,
    world: World,
    order: Sequence[int] | None = None,
    start: int | None = None,
    engines: Engines = CORE_ENGINES,
) -> dict[str, tuple[str | None, Mark | None]]:
    """Each id's partner and mark: a pure function of (seed, roster) (B3).

    ``order`` is fate's outcome when the caller has drawn it already (rounds with exclusions);
    ``start`` is where a later round's marks begin (default: the window's start).
    """
    pairs, unmatched = scheduled_pairs(seed, len(roster), algorithm, world, order, start, engines)
    out: dict[str, tuple[str | None, Mark | None]] = {}
    for a, b, mark_a, mark_b in pairs:
        out[roster[a]] = (roster[b], mark_a)
        out[roster[b]] = (roster[a], mark_b)
    if unmatched is not None:
        out[roster[unmatched]] = (None, None)
    return out


def beacon_block(spec: BeaconSpec | None, signature: str | None) -> dict[str, Any] | None:
    if spec is None or signature is None:
        return None
    return {**spec.to_json(), "signature": signature, "randomness": randomness(signature).hex()}


@dataclass(frozen=True, slots=True)
class _Draw:
    """Fate's outcome for a sorted roster, before any mark is placed."""

    seed: bytes
    algorithm: str
    order: list[int] | None
    fields: dict[str, Any]
    """The transcript fields only a round with exclusions carries."""


def _later(world: World, sealed_at: int | None) -> MarksFrom | None:
    """Where a round sealed inside its window begins its marks; None before the window."""
    if sealed_at is None:
        return None
    window = world_window(world)[0]
    later = marks_from(window, sealed_at)
    # Sealed before the window: the transcript is as it always was.
    return None if later.start == window.start else later


def _draw(
    secret: bytes,
    ids: list[str],
    digest: str,
    mixed: bytes,
    exclusions: Sequence[tuple[str, str]],
    private: Private | None,
    engines: Engines,
) -> _Draw:
    """The seed and, for a round with exclusions, the first attempt that avoids them all."""
    if private is not None and private.commitments:
        return _private_draw(secret, ids, digest, mixed, private)
    keys = index_keys(exclusions, ids)
    pairs = pairs_of(keys, ids)
    if not pairs:
        seed = derive_seed(secret, digest, mixed)
        return _Draw(seed, expected_algorithm(len(ids), engines), None, {})
    reason = refusal_of(len(ids), keys)
    if reason is not None:
        raise ExclusionsRefused(reason)
    seed = derive_seed(secret, digest, mixed, exclusions_digest(pairs))
    order, attempt = first_clear_attempt(seed, len(ids), keys)
    fields = {"exclusions": [list(p) for p in pairs], "attempt": attempt}
    return _Draw(seed, EXCLUDING, order, fields)


def _private_draw(
    secret: bytes, ids: list[str], digest: str, mixed: bytes, private: Private
) -> _Draw:
    """Version 2: only commitments are published, and every attempt is hidden."""
    keys = index_keys(private.pairs, ids)
    reason = refusal_of(len(ids), keys)
    if reason is not None:
        raise ExclusionsRefused(reason)
    bound = commitments_digest(private.commitments)
    seed = derive_seed(secret, digest, mixed, bound, label=SEED_LABEL)
    order, key, _ = hidden_draw(private.hidden, seed, len(ids), keys)
    fields = {
        "exclusion_commitments": sorted(c.hex() for c in private.commitments),
        "draw_key": key.hex(),
    }
    return _Draw(seed, PRIVATE, order, fields)


def seal_transcript(
    *,
    world: World,
    round_no: int,
    secret: bytes,
    roster: Sequence[str],
    beacon: BeaconSpec | None = None,
    signature: str | None = None,
    exclusions: Sequence[tuple[str, str]] = (),
    private: Private | None = None,
    sealed_at: int | None = None,
    engines: Engines = CORE_ENGINES,
) -> tuple[dict[str, Any], Plan]:
    """The transcript of a round and the schedule it publishes (``signature`` already verified).

    ``private`` (version 2, what sealing uses) gives the pairs of roster ids never to be
    drawn, the commitments to publish for them and the key that hides the attempts; with
    commitments the round is drawn by it.  ``exclusions`` alone draws version 1, which
    publishes the pairs (kept so that old transcripts and their vectors stay reproducible).
    Pairs naming anyone outside the roster are dropped.  Exclusions that cannot be drawn
    raise :class:`ExclusionsRefused`.
    ``sealed_at`` keeps every mark after the seal (R4); when too little of the window is left
    it raises :class:`soulmark.core.later.TooLate`.  ``engines`` draw the round.
    """
    doc, scheduled = seal_drawn(
        world=world,
        round_no=round_no,
        secret=secret,
        roster=roster,
        beacon=beacon,
        signature=signature,
        exclusions=exclusions,
        private=private,
        sealed_at=sealed_at,
        engines=engines,
    )
    doc["lines"] = [scheduled.line(i) for i in range(len(scheduled.ids))]
    return doc, scheduled.plan()


def seal_drawn(
    *,
    world: World,
    round_no: int,
    secret: bytes,
    roster: Sequence[str],
    beacon: BeaconSpec | None = None,
    signature: str | None = None,
    exclusions: Sequence[tuple[str, str]] = (),
    private: Private | None = None,
    sealed_at: int | None = None,
    engines: Engines = CORE_ENGINES,
) -> tuple[dict[str, Any], Drawn]:
    """:func:`seal_transcript`, with the lines left in the compact schedule: the transcript
    without its last field, ``lines``, which :func:`dumps` writes from the schedule."""
    later = _later(world, sealed_at)
    if beacon is not None and signature is None:
        raise ValueError("a round that waits for a beacon cannot be sealed without its value")
    ids = sorted(roster)
    digest = roster_digest(ids)
    block = beacon_block(beacon, signature)
    mixed = randomness(signature) if block and signature else b""
    drawn = _draw(secret, ids, digest, mixed, exclusions, private, engines)
    start = later.start if later else None
    scheduled = Drawn.of(drawn.seed, ids, drawn.algorithm, world, drawn.order, start, engines)
    doc = {
        **_header(world, round_no, secret, beacon, block),
        "roster": ids,
        "roster_digest": digest,
        **_outcome(drawn, ids, scheduled, later),
    }
    return doc, scheduled


def _header(
    world: World, round_no: int, secret: bytes, beacon: BeaconSpec | None, block: Block
) -> dict[str, Any]:
    """The fields that say which round this is and what its draw rests on."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "world": world,
        "round": round_no,
        "commitment": commitment(secret, world, round_no, beacon),
        "secret": secret.hex(),
        "beacon": block,
        "trust": trust(beacon if block else None),
    }


def _outcome(
    drawn: _Draw, ids: list[str], scheduled: Drawn, later: MarksFrom | None
) -> dict[str, Any]:
    """The fields that record the draw; ``lines`` follows them, last (:func:`dumps`)."""
    return {
        "seed": drawn.seed.hex(),
        "algorithm": drawn.algorithm,
        **drawn.fields,
        **({"marks_from": later.to_json()} if later else {}),
        "pairs": len(ids) // 2,
        "unmatched": scheduled.unmatched(),
    }

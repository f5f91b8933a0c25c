"""Commit and reveal (B1): the commitment published when a round opens, the transcript
published when it is sealed, and the audit that re-runs fate from the transcript alone.

A transcript (format ``soulmark-transcript``, version 1) is a JSON object::

    world          {"slug", "name", "window_start", "window_end", "params"}  (public inputs)
    round          the round number
    commitment     sha256(canonical(world, round) || secret), published when the round opened
    secret         the round's secret, revealed at seal (hex)
    beacon         null, or a public randomness value mixed into the seed (hex)
    roster         the opaque ids of the round, sorted
    roster_digest  sha256 of the ids joined by newlines
    seed           blake2b(key=secret, "soulmark/seed/v1" || roster_digest || beacon)
    algorithm      the fate algorithm's version
    pairs          the number of pairs; unmatched: the unmatched id or null
    lines          [id, partner, itch_start, ink_start, legible_at] for every id, in roster order

Every field is either bound by the commitment or recomputed from the others, so changing
any single one of them is detected.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from soulmark.core.fate import (
    EXACT_SHUFFLE,
    algorithm_for,
    derive_seed,
    pair_up,
    roster_digest,
)
from soulmark.core.marks import Mark, MarkParams, Window, scaled, schedule_scaled
from soulmark.core.times import iso, parse_iso

__all__ = [
    "FORMAT",
    "VERSION",
    "PLANET_THRESHOLD",
    "World",
    "canonical",
    "commitment",
    "expected_algorithm",
    "schedule",
    "seal_transcript",
]

FORMAT = "soulmark-transcript"
VERSION = 1
PLANET_THRESHOLD = 1 << 20
"""Rosters this large may use a registered planet engine instead of the exact shuffle."""
PLANET_ALGORITHM: str | None = None

Line = list[Any]
World = dict[str, Any]


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def commitment(secret: bytes, world: World, round_no: int) -> str:
    body = canonical({"v": 1, "world": world, "round": round_no})
    return hashlib.sha256(body + secret).hexdigest()


def world_window(world: World) -> tuple[Window, MarkParams]:
    window = Window(parse_iso(world["window_start"]), parse_iso(world["window_end"]))
    return window, MarkParams.from_json(world["params"])


def expected_algorithm(n: int) -> str:
    if n >= PLANET_THRESHOLD and PLANET_ALGORITHM is not None:
        return PLANET_ALGORITHM
    return EXACT_SHUFFLE


def schedule(
    seed: bytes, roster: Sequence[str], algorithm: str, world: World
) -> dict[str, tuple[str | None, Mark | None]]:
    """Each id's partner and mark: a pure function of (seed, roster) (B3)."""
    window, params = world_window(world)
    p = scaled(params, window)
    order = algorithm_for(algorithm).order(seed, len(roster))
    pairing = pair_up(roster, order)
    out: dict[str, tuple[str | None, Mark | None]] = {}
    count = len(pairing.pairs)
    for k, (a, b) in enumerate(pairing.pairs):
        mark_a, mark_b = schedule_scaled(seed, k, count, p, window)
        out[a] = (b, mark_a)
        out[b] = (a, mark_b)
    if pairing.unmatched is not None:
        out[pairing.unmatched] = (None, None)
    return out


def _line(pid: str, partner: str | None, mark: Mark | None) -> Line:
    if mark is None:
        return [pid, None, None, None, None]
    return [pid, partner, iso(mark.itch_start), iso(mark.ink_start), iso(mark.legible_at)]


def seal_transcript(
    *, world: World, round_no: int, secret: bytes, roster: Sequence[str], beacon: bytes | None
) -> tuple[dict[str, Any], dict[str, tuple[str | None, Mark | None]]]:
    """The transcript of a round and the schedule it publishes."""
    ids = sorted(roster)
    digest = roster_digest(ids)
    seed = derive_seed(secret, digest, beacon or b"")
    algorithm = expected_algorithm(len(ids))
    plan = schedule(seed, ids, algorithm, world)
    unmatched = [pid for pid, (partner, _) in plan.items() if partner is None]
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "world": world,
        "round": round_no,
        "commitment": commitment(secret, world, round_no),
        "secret": secret.hex(),
        "beacon": beacon.hex() if beacon else None,
        "roster": ids,
        "roster_digest": digest,
        "seed": seed.hex(),
        "algorithm": algorithm,
        "pairs": len(ids) // 2,
        "unmatched": unmatched[0] if unmatched else None,
        "lines": [_line(pid, *plan[pid]) for pid in ids],
    }
    return doc, plan

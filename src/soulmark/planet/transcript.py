"""The planet transcript (B1 at planet scale) and its audit.

A planet transcript (format ``soulmark-planet-transcript``, version 1) is a JSON object::

    world          {"slug": "planet", "name", "population", "window_start", "window_end",
                    "params"}  (public inputs)
    round          1
    commitment     sha256(canonical(world, round) || secret), as for any world
    secret         hex; seed = blake2b(key=secret, "soulmark/seed/v1" || roster_digest)
    roster_digest  sha256("soulmark/planet-roster/v1" || u64le(population)): the roster of a
                   planet is the people 0 .. population-1, named by their index
    seed           hex
    algorithm      the planet engine's version (its round count included)
    population, pairs, unmatched (the person in the odd last slot, or null)
    chunk_pairs    pairs per chunk; chunk_digests: each chunk's fingerprint (hex), in order
    digest         BLAKE2b-256 over the chunk fingerprints in order
    samples        a few people's lines: person, slot, partner, itch_start, ink_start,
                   legible_at, computed with the plain-Python reference

``audit_planet`` recomputes every chunk (numba) and every sample (plain Python) from the
secret alone and names each mismatch.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from soulmark.core.audit import Mismatch
from soulmark.core.fate import derive_seed
from soulmark.core.marks import MarkParams, Window
from soulmark.core.times import iso, parse_iso
from soulmark.core.transcript import HEADER_FIELDS, commitment
from soulmark.planet.chunk import PlanetSpec, run_chunk
from soulmark.planet.engine import ALGORITHM, PlanetKey, permute_ref, unpermute_ref
from soulmark.planet.marks import MarkPlan, mix64_ref, pair_marks_ref
from soulmark.planet.version import FORMAT, VERSION

__all__ = [
    "FORMAT",
    "VERSION",
    "audit_planet",
    "build_transcript",
    "planet_seed",
    "planet_world",
    "roster_digest_planet",
]

SAMPLES = 6
FIELDS = (
    *HEADER_FIELDS,
    "roster_digest",
    "seed",
    "algorithm",
    "population",
    "pairs",
    "unmatched",
    "chunk_pairs",
    "chunk_digests",
    "digest",
    "samples",
)


def roster_digest_planet(population: int) -> str:
    return hashlib.sha256(
        b"soulmark/planet-roster/v1" + population.to_bytes(8, "little")
    ).hexdigest()


def planet_seed(secret: bytes, population: int) -> bytes:
    return derive_seed(secret, roster_digest_planet(population))


def planet_world(population: int, window: Window, params: MarkParams) -> dict[str, Any]:
    return {
        "slug": "planet",
        "name": f"a planet of {population:,} people",
        "population": population,
        "window_start": iso(window.start),
        "window_end": iso(window.end),
        "params": params.to_json(),
    }


def combine(chunk_digests: list[str]) -> str:
    return hashlib.blake2b("".join(chunk_digests).encode(), digest_size=32).hexdigest()


def sample_lines(spec: PlanetSpec) -> list[dict[str, Any]]:
    """Lines of a few people chosen by the seed, from the plain-Python reference."""
    n = spec.population
    key = PlanetKey.derive(spec.seed, n, spec.rounds)
    plan = MarkPlan.derive(spec.seed, n, spec.params, spec.window)
    pick = int.from_bytes(spec.seed[:8], "little")
    people = sorted({mix64_ref(pick ^ j) % n for j in range(SAMPLES)})
    lines = []
    for person in people:
        slot = permute_ref(key, person)
        line: dict[str, Any] = {"person": person, "slot": slot, "partner": None}
        if slot ^ 1 < n:
            line["partner"] = unpermute_ref(key, slot ^ 1)
            mark = pair_marks_ref(plan, slot >> 1)[slot & 1]
            line.update(
                itch_start=iso(mark.itch_start),
                ink_start=iso(mark.ink_start),
                legible_at=iso(mark.legible_at),
            )
        lines.append(line)
    return lines


def build_transcript(
    spec: PlanetSpec, secret: bytes, chunk_digests: list[str], unmatched: int | None
) -> dict[str, Any]:
    world = planet_world(spec.population, spec.window, spec.params)
    return {
        "format": FORMAT,
        "version": VERSION,
        "world": world,
        "round": 1,
        "commitment": commitment(secret, world, 1),
        "secret": secret.hex(),
        "roster_digest": roster_digest_planet(spec.population),
        "seed": spec.seed.hex(),
        "algorithm": f"planet-feistel-r{spec.rounds}/blake2b-v1",
        "population": spec.population,
        "pairs": spec.pairs,
        "unmatched": unmatched,
        "chunk_pairs": spec.chunk_pairs,
        "chunk_digests": chunk_digests,
        "digest": combine(chunk_digests),
        "samples": sample_lines(spec),
    }


def _spec_from(doc: dict[str, Any], out: list[Mismatch]) -> PlanetSpec | None:
    """Rebuild the run's inputs from the transcript, checking what binds them."""
    out.extend(Mismatch(f, "missing") for f in FIELDS if f not in doc)
    out.extend(Mismatch(f, "unexpected field") for f in sorted(set(doc) - set(FIELDS)))
    try:
        secret = bytes.fromhex(doc["secret"])
        world = doc["world"]
        n = int(world["population"])
        window = Window(parse_iso(world["window_start"]), parse_iso(world["window_end"]))
        params = MarkParams.from_json(world["params"])
        spec = PlanetSpec(
            seed=planet_seed(secret, n),
            population=n,
            window=window,
            params=params,
            chunk_pairs=int(doc["chunk_pairs"]),
        )
        if spec.chunk_pairs < 1 or n < 2:
            raise ValueError("population and chunk_pairs must be positive")
    except (KeyError, TypeError, ValueError) as exc:
        out.append(Mismatch("transcript", f"cannot rebuild the planet ({exc})"))
        return None
    expected = {
        "secret": secret.hex(),  # one spelling only: another would be an undetected change
        "commitment": commitment(secret, world, doc.get("round")),  # type: ignore[arg-type]
        "roster_digest": roster_digest_planet(n),
        "seed": spec.seed.hex(),
        "algorithm": ALGORITHM,
        "population": n,
        "pairs": n // 2,
        "round": 1,
    }
    out.extend(
        Mismatch(f, f"does not match (expected {v!r})")
        for f, v in expected.items()
        if doc.get(f) != v
    )
    return spec


def _recompute(
    spec: PlanetSpec, workers: int, tick: Callable[[], None] | None
) -> list[dict[str, Any]]:
    def one(index: int) -> dict[str, Any]:
        result = run_chunk(spec, index)
        if tick is not None:
            tick()
        return result

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(spec.chunks)))


def audit_planet(
    transcript: dict[str, Any],
    *,
    workers: int | None = None,
    tick: Callable[[], None] | None = None,
) -> list[Mismatch]:
    """Recompute a planet transcript; every mismatch (empty: it verifies)."""
    out: list[Mismatch] = []
    if transcript.get("format") != FORMAT or transcript.get("version") != VERSION:
        return [Mismatch("format", f"not a {FORMAT} version {VERSION}")]
    spec = _spec_from(transcript, out)
    if spec is None:
        return out
    results = _recompute(spec, workers or os.cpu_count() or 1, tick)
    digests = [r["digest"] for r in results]
    claimed = transcript.get("chunk_digests")
    if not isinstance(claimed, list) or len(claimed) != len(digests):
        out.append(Mismatch("chunk_digests", f"expected {len(digests)} chunk fingerprints"))
    else:
        bad = [i for i, (a, b) in enumerate(zip(claimed, digests, strict=True)) if a != b]
        out.extend(Mismatch(f"chunk_digests[{i}]", "pairs or marks differ") for i in bad[:20])
    if transcript.get("digest") != combine(digests):
        out.append(Mismatch("digest", "does not match the recomputed pairs and marks"))
    if transcript.get("unmatched") != results[-1]["unmatched"]:
        out.append(Mismatch("unmatched", "is not the person fate left unmatched"))
    if transcript.get("samples") != sample_lines(spec):
        out.append(Mismatch("samples", "do not match the reference computation"))
    return out

"""One chunk of a planet: its pairs, their marks, what they look like, and a fingerprint.

A chunk is a range of pairs (slot ranges ``[2 k0, 2 k1)``); the last chunk of an odd planet
also holds the unmatched slot ``n - 1``.  Everything is computed block by block inside one
numba kernel, so a chunk of any size needs a few kilobytes of scratch and no population.

Fingerprint (transcript ``digest``).  Pair ``k`` with people ``p0, p1`` and marks
``(i0, s0, l0), (i1, s1, l1)`` (itch start, ink start, legible; u64 two's complement) gives
``h1 = mix64(k * O1 ^ p0 ^ D0)``, ``h2 = mix64(h1 ^ p1 ^ D1)``,
``h3 = mix64(h2 ^ i0 ^ s0 * O2 ^ l0 * O3 ^ D2)``, ``h = mix64(h3 ^ i1 ^ s1 * O2 ^ l1 * O3 ^ D3)``
and the chunk's two words are ``Σ h`` and ``Σ mix64(h ^ D4)`` mod 2^64; the unmatched person
``u`` adds ``h = mix64(u ^ D5)`` the same way.  ``D`` are u64 words of
``BLAKE2b(key=seed, person=b"planet/digest")``; ``O1..O3`` are the odd constants below.  It is
a fingerprint for comparing a recomputation, not a commitment: the commitment to fate is the
seed's, and anyone can recompute every pair from it (B1).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numba as nb
import numpy as np

from soulmark.core.marks import MarkParams, Window
from soulmark.planet.engine import (
    BLOCK,
    ROUNDS,
    PlanetKey,
    derive_words,
    persons_for_slots,
    scratch,
    unpermute_block,
)
from soulmark.planet.marks import MarkPlan, mix64, mix64_ref, pair_marks
from soulmark.planet.model import PopulationModel

__all__ = ["PlanetSpec", "STAT_FIELDS", "run_chunk", "pair_digest_ref"]

STAT_FIELDS = (
    "pairs",
    "same_school",
    "same_country",
    "same_sex",
    "male_male",
    "female_female",
    "violations",
    "max_legible_gap",
    "min_itch_lead",
    "max_itch_lead",
)
_O1, _O2, _O3 = 0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93, 0xA0761D6478BD642F
_M64 = (1 << 64) - 1
_U64 = np.uint64


@dataclass(frozen=True)
class PlanetSpec:
    """Everything that determines a planet run's results (picklable for Dask workers)."""

    seed: bytes
    population: int
    window: Window
    params: MarkParams = field(default_factory=MarkParams)
    model: PopulationModel = field(default_factory=PopulationModel)
    chunk_pairs: int = 1 << 25
    bins: int = 120
    rounds: int = ROUNDS

    @property
    def pairs(self) -> int:
        return self.population // 2

    @property
    def chunks(self) -> int:
        return max(1, -(-self.pairs // self.chunk_pairs))

    def chunk_range(self, index: int) -> tuple[int, int]:
        k0 = index * self.chunk_pairs
        return k0, min(self.pairs, k0 + self.chunk_pairs)


def pair_digest_ref(dkeys: list[int], k: int, people: tuple[int, int], marks: list[int]) -> int:
    """Plain-Python ``h`` of one pair (see the module docstring)."""
    p0, p1 = people
    i0, s0, l0, i1, s1, l1 = (m & _M64 for m in marks)
    h = mix64_ref(((k * _O1) & _M64) ^ p0 ^ dkeys[0])
    h = mix64_ref(h ^ p1 ^ dkeys[1])
    h = mix64_ref(h ^ i0 ^ ((s0 * _O2) & _M64) ^ ((l0 * _O3) & _M64) ^ dkeys[2])
    return mix64_ref(h ^ i1 ^ ((s1 * _O2) & _M64) ^ ((l1 * _O3) & _M64) ^ dkeys[3])


@nb.njit(inline="always")
def _country(coarse, shift, bounds, p):  # type: ignore[no-untyped-def]
    """Country of person ``p``: a table over the top index bits answers all but the few
    blocks that a border cuts, which fall back to a binary search."""
    c = coarse[p >> shift]
    if c >= 0:
        return c
    lo, hi = 0, bounds.shape[0] - 1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if bounds[mid] <= p:
            lo = mid
        else:
            hi = mid
    return lo


@nb.njit(inline="always")
def _school(p, size, inv):  # type: ignore[no-untyped-def]
    """``p // size`` through a double reciprocal and one correction step: integer division
    does not vectorise and costs more than the rest of a person's statistics."""
    q = np.int64(np.float64(p) * inv)
    q = q - 1 if q * size > p else q
    return q + 1 if (q + 1) * size <= p else q


@nb.njit(inline="always")
def _pair_hash(k, p0, p1, r, d):  # type: ignore[no-untyped-def]
    o1, o2, o3 = _U64(_O1), _U64(_O2), _U64(_O3)
    h = mix64((_U64(k) * o1) ^ _U64(p0) ^ d[0])
    h = mix64(h ^ _U64(p1) ^ d[1])
    h = mix64(h ^ _U64(r[0]) ^ (_U64(r[1]) * o2) ^ (_U64(r[2]) * o3) ^ d[2])
    return mix64(h ^ _U64(r[3]) ^ (_U64(r[4]) * o2) ^ (_U64(r[5]) * o3) ^ d[3])


@nb.njit(cache=True, nogil=True)
def _marks_pass(kb, m, x, margs, dkeys, mk, digest):  # type: ignore[no-untyped-def]
    """Marks and fingerprint of ``m`` pairs: straight-line code over lanes (vectorised)."""
    start, lead, tol, spread, ink_min, ink_span, itch_min, stride, mkeys = margs
    d0, d1 = _U64(0), _U64(0)
    for j in range(m):
        # Named scalars, not a loop over the tuple: indexing it spills it to memory and
        # stops the loop from vectorising.
        i0, s0, l0, i1, s1, l1 = pair_marks(
            kb + j, start, lead, tol, spread, ink_min, ink_span, itch_min, stride, mkeys
        )
        mk[0, j], mk[1, j], mk[2, j], mk[3, j], mk[4, j], mk[5, j] = i0, s0, l0, i1, s1, l1
        h = _pair_hash(kb + j, x[2 * j], x[2 * j + 1], (i0, s0, l0, i1, s1, l1), dkeys)
        d0 += h
        d1 += mix64(h ^ dkeys[4])
    digest[0] += d0
    digest[1] += d1


@nb.njit(cache=True, nogil=True)
def _people_pass(m, x, model, stats):  # type: ignore[no-untyped-def]
    """School, country and sex of both partners of ``m`` pairs."""
    school, inv, coarse, shift, bounds, sex_key, male_t = model
    # Local counters: stores to ``stats`` inside the loop would pin it to scalar code.
    same_school = same_country = same_sex = male_male = female_female = 0
    for j in range(m):
        p0, p1 = np.int64(x[2 * j]), np.int64(x[2 * j + 1])
        same_school += _school(p0, school, inv) == _school(p1, school, inv)
        same_country += _country(coarse, shift, bounds, p0) == _country(coarse, shift, bounds, p1)
        m0 = (mix64(_U64(p0) ^ sex_key) >> _U64(11)) < male_t
        m1 = (mix64(_U64(p1) ^ sex_key) >> _U64(11)) < male_t
        same_sex += m0 == m1
        male_male += m0 and m1
        female_female += not (m0 or m1)
    stats[1] += same_school
    stats[2] += same_country
    stats[3] += same_sex
    stats[4] += male_male
    stats[5] += female_female


@nb.njit(cache=True, nogil=True)
def _moments_pass(m, mk, window, stats, hists):  # type: ignore[no-untyped-def]
    """Invariant checks (R4–R7) and histograms of the marks of ``m`` pairs."""
    start, end, tol, scale = window
    top = hists.shape[1] - 1
    bad, gap_max, lead_min, lead_max = 0, stats[7], stats[8], stats[9]
    for j in range(m):
        for f in range(0, 6, 3):
            itch, ink, legible = mk[f, j], mk[f + 1, j], mk[f + 2, j]
            bad += not (start <= itch < ink < legible < end)
            lead_min = min(lead_min, legible - itch)
            lead_max = max(lead_max, legible - itch)
            hists[0, min(top, max(0, np.int64(np.float64(legible - start) * scale)))] += 1
            hists[1, min(top, max(0, np.int64(np.float64(itch - start) * scale)))] += 1
        gap = abs(mk[2, j] - mk[5, j])
        bad += gap > tol
        gap_max = max(gap_max, gap)
    stats[6] += bad
    stats[7], stats[8], stats[9] = gap_max, lead_min, lead_max


@nb.njit(cache=True, nogil=True)
def _chunk_kernel(k0, k1, fate, margs, model, window, dkeys, stats, hists, digest):  # type: ignore[no-untyped-def]
    n, fkeys, wh, wl = fate
    x = np.empty(BLOCK, np.uint64)
    mk = np.empty((6, BLOCK // 2), np.int64)
    s = scratch(BLOCK)
    for kb in range(k0, k1, BLOCK // 2):
        m = min(BLOCK // 2, k1 - kb)
        for j in range(2 * m):
            x[j] = _U64(2 * kb + j)
        unpermute_block(x, 2 * m, n, fkeys, wh, wl, s)
        _marks_pass(kb, m, x, margs, dkeys, mk, digest)
        _people_pass(m, x, model, stats)
        _moments_pass(m, mk, window, stats, hists)
        stats[0] += m


def _model_inputs(spec: PlanetSpec) -> tuple[Any, ...]:
    bounds = spec.model.country_bounds(spec.population)
    shift = max(0, (spec.population - 1).bit_length() - 16)
    tops = np.arange((spec.population - 1 >> shift) + 2, dtype=np.int64) << shift
    first = np.searchsorted(bounds, tops, side="right") - 1
    last = np.searchsorted(bounds, np.minimum(tops + (1 << shift), spec.population) - 1, "right")
    coarse = np.where(last - 1 == first, first, -1).astype(np.int64)
    sex_key = derive_words(spec.seed, b"planet/model", spec.population, 1, "<u8")[0]
    school = spec.model.school_size
    return (school, 1.0 / school, coarse, shift, bounds, sex_key, _U64(spec.model.male_threshold()))


def _kernel_inputs(spec: PlanetSpec) -> tuple[Any, ...]:
    key = PlanetKey.derive(spec.seed, spec.population, spec.rounds)
    plan = MarkPlan.derive(spec.seed, spec.population, spec.params, spec.window)
    model = _model_inputs(spec)
    window = (plan.start, plan.end, plan.tol, spec.bins / spec.window.length)
    fate = (key.n, key.keys, key.hi, key.lo)
    dkeys = tuple(
        _U64(w)
        for w in derive_words(spec.seed, b"planet/digest", spec.population, 8, "<u8").tolist()
    )
    return key, fate, plan.kernel_args(), model, window, dkeys


def run_chunk(spec: PlanetSpec, index: int) -> dict[str, Any]:
    """Compute chunk ``index``: statistics, histograms and its two fingerprint words."""
    began = time.perf_counter()
    k0, k1 = spec.chunk_range(index)
    key, fate, margs, model, window, dkeys = _kernel_inputs(spec)
    stats = np.zeros(len(STAT_FIELDS), np.int64)
    stats[STAT_FIELDS.index("min_itch_lead")] = np.iinfo(np.int64).max
    hists = np.zeros((2, spec.bins), np.int64)
    digest = np.zeros(2, np.uint64)
    _chunk_kernel(k0, k1, fate, margs, model, window, dkeys, stats, hists, digest)
    unmatched = None
    if spec.population % 2 and index == spec.chunks - 1:
        unmatched = int(persons_for_slots(key, spec.population - 1, spec.population)[0])
        h = mix64_ref(unmatched ^ int(dkeys[5]))
        words = digest.tolist()
        digest[0] = (words[0] + h) & _M64
        digest[1] = (words[1] + mix64_ref(h ^ int(dkeys[4]))) & _M64
    out: dict[str, Any] = dict(zip(STAT_FIELDS, stats.tolist(), strict=True))
    out.update(
        index=index,
        first_pair=k0,
        stop_pair=k1,
        unmatched=unmatched,
        hist_legible=hists[0].tolist(),
        hist_itch=hists[1].tolist(),
        digest=digest.astype("<u8").tobytes().hex(),
        seconds=round(time.perf_counter() - began, 3),
    )
    return out

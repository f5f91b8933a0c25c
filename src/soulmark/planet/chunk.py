"""One chunk of a planet: its pairs, their marks, what they look like, and a fingerprint.

A chunk is a range of pairs (slot ranges ``[2 k0, 2 k1)``); the last chunk of an odd planet
also holds the unmatched slot ``n - 1``.  Everything is computed block by block inside one
numba kernel, so a chunk of any size needs a few kilobytes of scratch and no population.

Fingerprint (transcript ``digest``).  Pair ``k`` with people ``p0, p1`` and marks
``(i0, s0, l0), (i1, s1, l1)`` (itch start, ink start, legible; as u64) gives
``h1 = mix64(k * O1 ^ p0 ^ D0)`` and
``h = mix64(h1 ^ p1 ^ i0 ^ rotl(s0, 11) ^ rotl(l0, 22) ^ rotl(i1, 33) ^ rotl(s1, 44)
^ rotl(l1, 55) ^ D1)``; the chunk's two words are ``Σ h`` and ``Σ lite(h ^ D4)`` mod 2^64
(``lite`` as in :mod:`soulmark.planet.marks`), and the unmatched person ``u`` adds
``h = mix64(u ^ D5)`` the same way.  ``D`` are u64 words of
``BLAKE2b(key=seed, person=b"planet/digest")``; ``O1`` is the odd constant below.  It is a
fingerprint for comparing a recomputation, not a commitment: the commitment to fate is the
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
    mix32,
    persons_for_slots,
    scratch,
    unpermute_range,
)
from soulmark.planet.marks import MarkPlan, lite, lite_ref, mix64, mix64_ref, pair_marks
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
_O1 = 0x9E3779B97F4A7C15
_M64 = (1 << 64) - 1
_U64, _U32 = np.uint64, np.uint32


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


def _rotl_ref(v: int, r: int) -> int:
    return ((v << r) | (v >> (64 - r))) & _M64


def pair_digest_ref(dkeys: list[int], k: int, people: tuple[int, int], marks: list[int]) -> int:
    """Plain-Python ``h`` of one pair (see the module docstring)."""
    p0, p1 = people
    i0, s0, l0, i1, s1, l1 = (m & _M64 for m in marks)
    h = mix64_ref(((k * _O1) & _M64) ^ p0 ^ dkeys[0])
    spread = i0 ^ _rotl_ref(s0, 11) ^ _rotl_ref(l0, 22) ^ _rotl_ref(i1, 33)
    return mix64_ref(h ^ p1 ^ spread ^ _rotl_ref(s1, 44) ^ _rotl_ref(l1, 55) ^ dkeys[1])


@nb.njit(inline="always")
def _country_search(bounds, p):  # type: ignore[no-untyped-def]
    lo, hi = 0, bounds.shape[0] - 1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if bounds[mid] <= p:
            lo = mid
        else:
            hi = mid
    return lo


@nb.njit(inline="always")
def _male(p, key, threshold):  # type: ignore[no-untyped-def]
    """The model's sex hash (see :mod:`soulmark.planet.model`)."""
    folded = _U32(_U32(p & _U64(0xFFFFFFFF)) ^ _U32(_U32(p >> _U64(32)) * _U32(0x9E3779B9)))
    return _U64(mix32(folded ^ key)) < threshold


@nb.njit(inline="always")
def _rotl(v, r):  # type: ignore[no-untyped-def]
    return (v << _U64(r)) | (v >> _U64(64 - r))


@nb.njit(inline="always")
def _pair_hash(k, p0, p1, r, d):  # type: ignore[no-untyped-def]
    h = mix64((_U64(k) * _U64(_O1)) ^ _U64(p0) ^ d[0])
    i0, s0, l0, i1, s1, l1 = _U64(r[0]), _U64(r[1]), _U64(r[2]), _U64(r[3]), _U64(r[4]), _U64(r[5])
    spread = i0 ^ _rotl(s0, 11) ^ _rotl(l0, 22) ^ _rotl(i1, 33) ^ _rotl(s1, 44) ^ _rotl(l1, 55)
    return mix64(h ^ _U64(p1) ^ spread ^ d[1])


@nb.njit(cache=True, nogil=True)
def _marks_pass(kb, m, x, margs, dkeys, mk, digest):  # type: ignore[no-untyped-def]
    """Marks and fingerprint of ``m`` pairs: straight-line code over lanes (vectorised)."""
    start, lead, tol, spread, ink_min, ink_span, itch_min, stride, mkeys = margs
    d0, d1, d4 = _U64(0), _U64(0), dkeys[4]
    for j in range(m):
        # Named scalars, not a loop over the tuple: indexing it spills it to memory and
        # stops the loop from vectorising.
        i0, s0, l0, i1, s1, l1 = pair_marks(
            kb + j, start, lead, tol, spread, ink_min, ink_span, itch_min, stride, mkeys
        )
        mk[0, j], mk[1, j], mk[2, j], mk[3, j], mk[4, j], mk[5, j] = i0, s0, l0, i1, s1, l1
        h = _pair_hash(kb + j, x[2 * j], x[2 * j + 1], (i0, s0, l0, i1, s1, l1), dkeys)
        d0 += h
        d1 += lite(h ^ d4)
    digest[0] += d0
    digest[1] += d1


@nb.njit(cache=True, nogil=True)
def _people_pass(m, x, model, stats):  # type: ignore[no-untyped-def]
    """School, country and sex of both partners of ``m`` pairs.  Local counters and a
    branch-free main loop keep it vectorised; pairs in a border block go to a second loop."""
    school, coarse, shift, bounds, sex_key, male_t = model
    same_country = same_sex = male_male = female_female = near = border = 0
    # Separate loops: fused, the loop body is too big for the vectoriser.
    for j in range(m):
        m0, m1 = _male(x[2 * j], sex_key, male_t), _male(x[2 * j + 1], sex_key, male_t)
        same_sex += m0 == m1
        male_male += m0 & m1
        female_female += not (m0 | m1)
    for j in range(m):
        p0, p1 = x[2 * j], x[2 * j + 1]
        # Schoolmates are fewer than ``school`` apart; exact division only for those few.
        near += max(p0, p1) - min(p0, p1) < school
        c0, c1 = coarse[p0 >> shift], coarse[p1 >> shift]
        border += (c0 < 0) | (c1 < 0)
        same_country += (c0 == c1) & (c0 >= 0)
    same_school = 0
    for j in range(m if near or border else 0):
        p0, p1 = np.int64(x[2 * j]), np.int64(x[2 * j + 1])
        same_school += p0 // school == p1 // school
        if coarse[p0 >> shift] < 0 or coarse[p1 >> shift] < 0:
            same_country += _country_search(bounds, p0) == _country_search(bounds, p1)
    stats[1] += same_school
    stats[2] += same_country
    stats[3] += same_sex
    stats[4] += male_male
    stats[5] += female_female


@nb.njit(cache=True, nogil=True)
def _histogram(hist, mk, rows, m, start, scale, bins):  # type: ignore[no-untyped-def]
    """Add the moments ``mk[rows, :m]`` to ``hist``.

    Neighbouring pairs have neighbouring anchors, so a block's moments almost always fall in
    a few adjacent bins: counting each of those bins with a vectorised compare-and-sum beats
    a chain of dependent increments on one counter.  Anything wider takes the plain loop."""
    top = hist.shape[0] - 1
    for f in rows:
        low, high = top, 0
        for j in range(m):
            b = min(top, max(0, np.int64(np.float64(mk[f, j] - start) * scale)))
            bins[j] = b
            low, high = min(low, b), max(high, b)
        if high - low < 4:
            for b in range(low, high + 1):
                count = 0
                for j in range(m):
                    count += bins[j] == b
                hist[b] += count
        else:
            for j in range(m):
                hist[bins[j]] += 1


@nb.njit(cache=True, nogil=True)
def _moments_pass(m, mk, window, stats, hists, bins):  # type: ignore[no-untyped-def]
    """Invariant checks (R4–R7) and histograms of the marks of ``m`` pairs."""
    start, end, tol, scale = window
    bad, gap_max, lead_min, lead_max = 0, stats[7], stats[8], stats[9]
    for j in range(m):
        for f in range(0, 6, 3):
            itch, ink, legible = mk[f, j], mk[f + 1, j], mk[f + 2, j]
            bad += not ((start <= itch) & (itch < ink) & (ink < legible) & (legible < end))
            lead_min = min(lead_min, legible - itch)
            lead_max = max(lead_max, legible - itch)
        gap = abs(mk[2, j] - mk[5, j])
        bad += gap > tol
        gap_max = max(gap_max, gap)
    _histogram(hists[0], mk, (2, 5), m, start, scale, bins)
    _histogram(hists[1], mk, (0, 3), m, start, scale, bins)
    stats[6] += bad
    stats[7], stats[8], stats[9] = gap_max, lead_min, lead_max


@nb.njit(cache=True, nogil=True)
def _chunk_kernel(k0, k1, fate, margs, model, window, dkeys, stats, hists, digest):  # type: ignore[no-untyped-def]
    n, fkeys, wh, wl = fate
    x = np.empty(BLOCK, np.uint64)
    mk = np.empty((6, BLOCK // 2), np.int64)
    bins = np.empty(BLOCK // 2, np.int64)
    s = scratch(BLOCK)
    for kb in range(k0, k1, BLOCK // 2):
        m = min(BLOCK // 2, k1 - kb)
        unpermute_range(x, 2 * kb, 2 * m, n, fkeys, wh, wl, s)
        _marks_pass(kb, m, x, margs, dkeys, mk, digest)
        _people_pass(m, x, model, stats)
        _moments_pass(m, mk, window, stats, hists, bins)
        stats[0] += m


def _model_inputs(spec: PlanetSpec) -> tuple[Any, ...]:
    bounds = spec.model.country_bounds(spec.population)
    # 2^14 two-byte entries: the table stays in L1, and ~1% of people sit in border blocks.
    shift = max(0, (spec.population - 1).bit_length() - 14)
    tops = np.arange((spec.population - 1 >> shift) + 2, dtype=np.int64) << shift
    first = np.searchsorted(bounds, tops, side="right") - 1
    last = np.searchsorted(bounds, np.minimum(tops + (1 << shift), spec.population) - 1, "right")
    small = len(bounds) < 1 << 15
    coarse = np.where(last - 1 == first, first, -1).astype(np.int16 if small else np.int32)
    sex_key = derive_words(spec.seed, b"planet/model", spec.population, 1)[0]
    school = _U64(spec.model.school_size)
    return (school, coarse, _U64(shift), bounds, sex_key, _U64(spec.model.male_threshold()))


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
        digest[1] = (words[1] + lite_ref(h ^ int(dkeys[4]))) & _M64
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

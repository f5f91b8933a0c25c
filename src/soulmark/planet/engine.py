"""The planet engine: a keyed pseudorandom permutation of ``[0, n)`` (B4).

Fate at planet scale cannot shuffle a list of eight billion people, so it uses a permutation
``P`` that can be evaluated at any point: ``P(person) = slot`` and ``P⁻¹(slot) = person``.
Slots ``2k`` and ``2k + 1`` are pair ``k`` as in :mod:`soulmark.core.fate`, hence
``partner(i) = P⁻¹(P(i) XOR 1)``; with an odd ``n`` the person in slot ``n - 1`` is unmatched.

Specification (``ALGORITHM`` names it in transcripts):

* Domain: ``b = max(2, bit_length(n - 1))`` bits; a value is ``x = hi << l | lo`` with a high
  part of ``h = b - b // 2`` bits and a low part of ``l = b // 2`` bits.
* Round ``r`` (an even number of rounds) XORs one part with ``F`` of the other and swaps them:
  ``(hi, lo) -> (lo, hi XOR F(lo, K[r], width(hi)))``.  The parts keep their widths, so the
  split alternates between ``(h, l)`` and ``(l, h)`` and is ``(h, l)`` again at the end.
* ``F(v, k, w) = mix32(v XOR k) >> (32 - w)`` with ``mix32`` the "lowbias32" integer hash
  (``x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16`` mod 2^32).
  32-bit lanes are deliberate: they vectorise twice as wide as 64-bit ones and the halves of
  any population up to 2^62 fit.
* Round keys: ``K[r]`` is the ``r``-th little-endian u32 of the BLAKE2b-512 blocks
  ``BLAKE2b(key=seed, person=b"planet/feistel", data=u64le(n) || u64le(j))``, ``j = 0, 1, ...``.
* ``E`` is the rounds in order on ``[0, 2^b)``; ``P(x)`` applies ``E`` until the value is below
  ``n`` (cycle-walking), which keeps it a bijection of ``[0, n)``.  ``P⁻¹`` walks ``E⁻¹``.

The round count is chosen by the uniformity tests in ``tests/planet``: the two slots of a pair
differ in one bit of the part that the last round XORs, so the first inverse round cannot
separate them and few rounds leave visible structure; see ``ROUNDS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numba as nb
import numpy as np
from numba.core.codegen import get_host_cpu_features

from soulmark.planet.version import ALGORITHM, ROUNDS


def _prefer_512_bit_vectors() -> None:
    """Let LLVM use 512-bit vectors on AVX-512 CPUs.

    LLVM tunes those CPUs for 256-bit vectors by default (wide vectors lowered the clock of
    older Xeons).  The Feistel rounds and the mark PRF are integer multiply-xorshift work that
    gains from the width: +23% people per CPU-second for a planet chunk on this project's
    Ice Lake machine.  Numba reads the features when it first compiles in a process (and
    keys its cache on them), so this runs at import; it leaves an explicit
    ``NUMBA_CPU_FEATURES`` alone and does nothing on CPUs without AVX-512."""
    config: Any = nb.config  # numba's config module is filled in at run time
    if config.CPU_FEATURES is None:
        features: str = get_host_cpu_features()  # type: ignore[no-untyped-call]
        if "+avx512f" in features.split(","):
            config.CPU_FEATURES = features + ",-prefer-256-bit"


_prefer_512_bit_vectors()

__all__ = [
    "ALGORITHM",
    "ROUNDS",
    "BLOCK",
    "PlanetKey",
    "derive_words",
    "mix32_ref",
    "encrypt_ref",
    "decrypt_ref",
    "permute_ref",
    "unpermute_ref",
    "partner_ref",
    "partner",
    "partners",
    "persons_for_slots",
    "iter_pairs",
    "PlanetFate",
]

BLOCK = 2048
"""Lanes per block: a block's state stays in L1 while every round sweeps over it."""

MAX_POPULATION = 1 << 62
_M32 = 0xFFFFFFFF


def derive_words(seed: bytes, person: bytes, n: int, count: int, dtype: str = "<u4") -> np.ndarray:
    """``count`` little-endian key words from keyed BLAKE2b in counter mode, bound to ``n``."""
    if len(seed) != 32:
        raise ValueError("the seed must be 32 bytes")
    per_block = 64 // np.dtype(dtype).itemsize
    blocks = []
    for j in range(-(-count // per_block)):
        data = n.to_bytes(8, "little") + j.to_bytes(8, "little")
        blocks.append(hashlib.blake2b(data, digest_size=64, key=seed, person=person).digest())
    return np.frombuffer(b"".join(blocks), dtype=dtype)[:count].astype(dtype[1:])


@dataclass(frozen=True)
class PlanetKey:
    """Everything a kernel needs to evaluate ``P`` for one ``(seed, n)``."""

    n: int
    keys: np.ndarray
    hi: int
    lo: int

    @classmethod
    def derive(cls, seed: bytes, n: int, rounds: int = ROUNDS) -> PlanetKey:
        if not 1 <= n <= MAX_POPULATION:
            raise ValueError(f"population must be in [1, 2**62], got {n}")
        if rounds < 2 or rounds % 2:
            raise ValueError("the round count must be even and at least 2")
        bits = max(2, (n - 1).bit_length())
        keys = derive_words(seed, b"planet/feistel", n, rounds)
        return cls(n=n, keys=keys, hi=bits - bits // 2, lo=bits // 2)

    @property
    def rounds(self) -> int:
        return len(self.keys)


# --- plain-Python reference -------------------------------------------------------------


def mix32_ref(z: int) -> int:
    """lowbias32 on a Python int in ``[0, 2^32)``."""
    z ^= z >> 16
    z = (z * 0x7FEB352D) & _M32
    z ^= z >> 15
    z = (z * 0x846CA68B) & _M32
    return z ^ (z >> 16)


def encrypt_ref(key: PlanetKey, x: int) -> int:
    """``E`` on ``[0, 2^b)``: every round once, in order."""
    hi, lo, wh, wl = x >> key.lo, x & ((1 << key.lo) - 1), key.hi, key.lo
    for k in key.keys.tolist():
        hi, lo, wh, wl = lo, hi ^ (mix32_ref(lo ^ k) >> (32 - wh)), wl, wh
    return (hi << key.lo) | lo


def decrypt_ref(key: PlanetKey, x: int) -> int:
    """``E⁻¹``: the rounds undone in reverse order."""
    hi, lo, wh, wl = x >> key.lo, x & ((1 << key.lo) - 1), key.hi, key.lo
    for k in reversed(key.keys.tolist()):
        # (hi, lo) is (lo', hi' ^ F(lo')) of the state before; lo has that state's hi width.
        hi, lo, wh, wl = lo ^ (mix32_ref(hi ^ k) >> (32 - wl)), hi, wl, wh
    return (hi << key.lo) | lo


def permute_ref(key: PlanetKey, person: int) -> int:
    """``P(person)``: the slot of a person."""
    x = encrypt_ref(key, person)
    while x >= key.n:
        x = encrypt_ref(key, x)
    return x


def unpermute_ref(key: PlanetKey, slot: int) -> int:
    """``P⁻¹(slot)``: the person in a slot."""
    x = decrypt_ref(key, slot)
    while x >= key.n:
        x = decrypt_ref(key, x)
    return x


def partner_ref(key: PlanetKey, person: int) -> int | None:
    """A person's partner, or ``None`` for the unmatched last slot of an odd population."""
    mate_slot = permute_ref(key, person) ^ 1
    return None if mate_slot >= key.n else unpermute_ref(key, mate_slot)


# --- numba kernels ----------------------------------------------------------------------
# Numba widens u32 arithmetic to 64 bits; the explicit u32() truncations let LLVM narrow it
# back to 32-bit vector multiplies (vpmulld), which is where the speed comes from.

_U32, _U64 = np.uint32, np.uint64
_M1, _M2 = _U32(0x7FEB352D), _U32(0x846CA68B)
_S15, _S16, _S32 = _U32(15), _U32(16), _U32(32)


@nb.njit(inline="always")
def mix32(z: np.uint32) -> np.uint32:
    z = _U32(z ^ (z >> _S16))
    z = _U32(z * _M1)
    z = _U32(z ^ (z >> _S15))
    z = _U32(z * _M2)
    return _U32(z ^ (z >> _S16))


@nb.njit(cache=True, nogil=True)
def _sweep(hi, lo, m, keys, wh, wl, forward):  # type: ignore[no-untyped-def]
    """All rounds over the first ``m`` lanes; rounds outside, lanes inside (vectorised).

    Returns the arrays holding ``(hi, lo)`` afterwards: the rounds swap the parts by swapping
    which array is which instead of moving data."""
    rounds = keys.shape[0]
    for i in range(rounds):
        if forward:
            k, shift = keys[i], _S32 - _U32(wh)
            for j in range(m):
                hi[j] ^= _U32(mix32(lo[j] ^ k) >> shift)
        else:
            k, shift = keys[rounds - 1 - i], _S32 - _U32(wl)
            for j in range(m):
                lo[j] ^= _U32(mix32(hi[j] ^ k) >> shift)
        hi, lo, wh, wl = lo, hi, wl, wh
    return hi, lo


@nb.njit(cache=True, nogil=True)
def _pass(x, c, keys, wh, wl, forward, s):  # type: ignore[no-untyped-def]
    """One pass of all rounds over the dense lanes ``x[:c]``."""
    hi_buf, lo_buf = s[0], s[1]
    mask, shift = (_U64(1) << _U64(wl)) - _U64(1), _U64(wl)
    for j in range(c):
        hi_buf[j] = _U32(x[j] >> shift)
        lo_buf[j] = _U32(x[j] & mask)
    # Sweep whole vectors: stale lanes past ``c`` cost less than a scalar remainder loop.
    hi, lo = _sweep(hi_buf, lo_buf, min(hi_buf.shape[0], (c + 63) & ~63), keys, wh, wl, forward)
    for j in range(c):
        x[j] = (_U64(hi[j]) << shift) | _U64(lo[j])


@nb.njit(cache=True, nogil=True)
def _apply(x, m, n, keys, wh, wl, forward, s):  # type: ignore[no-untyped-def]
    """``P`` (``forward``) or ``P⁻¹`` in place on ``x[:m]``; ``s`` is from :func:`scratch`.

    Values still outside ``[0, n)`` after the first pass are moved once into a dense buffer
    and walked there, so every pass runs over contiguous vectors."""
    _pass(x, m, keys, wh, wl, forward, s)
    _walk(x, m, n, keys, wh, wl, forward, s)


@nb.njit(cache=True, nogil=True)
def _walk(x, m, n, keys, wh, wl, forward, s):  # type: ignore[no-untyped-def]
    """Cycle-walk the lanes of ``x[:m]`` that a pass left outside ``[0, n)``."""
    idx, walk = s[2], s[3]
    limit = _U64(n)
    c = 0
    for j in range(m):
        # Branch-free compaction: a lane leaves the range unpredictably (up to half the time).
        idx[c] = j
        c += x[j] >= limit
    for j in range(c):
        walk[j] = x[idx[j]]
    while c > 0:
        _pass(walk, c, keys, wh, wl, forward, s)
        c2 = 0
        for j in range(c):
            v = walk[j]
            if v >= limit:
                walk[c2] = v
                idx[c2] = idx[j]
                c2 += 1
            else:
                x[idx[j]] = v
        c = c2


@nb.njit(cache=True, nogil=True)
def unpermute_range(x, first, m, n, keys, wh, wl, s):  # type: ignore[no-untyped-def]
    """``x[j] = P⁻¹(first + j)`` for ``j < m``: the slots go straight into the Feistel halves."""
    hi_buf, lo_buf = s[0], s[1]
    mask, shift = (_U64(1) << _U64(wl)) - _U64(1), _U64(wl)
    for j in range(m):
        v = _U64(first + j)
        hi_buf[j] = _U32(v >> shift)
        lo_buf[j] = _U32(v & mask)
    hi, lo = _sweep(hi_buf, lo_buf, min(hi_buf.shape[0], (m + 63) & ~63), keys, wh, wl, False)
    for j in range(m):
        x[j] = (_U64(hi[j]) << shift) | _U64(lo[j])
    _walk(x, m, n, keys, wh, wl, False, s)


@nb.njit(cache=True, nogil=True)
def scratch(size):  # type: ignore[no-untyped-def]
    """Buffers for :func:`_apply` over ``size`` lanes: two halves, walk indices and values."""
    return (
        np.empty(size, np.uint32),
        np.empty(size, np.uint32),
        np.empty(size, np.int64),
        np.empty(size, np.uint64),
    )


@nb.njit(cache=True, nogil=True)
def _slots_kernel(out, start, n, keys, wh, wl):  # type: ignore[no-untyped-def]
    size = out.shape[0]
    x = np.empty(BLOCK, np.uint64)
    s = scratch(BLOCK)
    for b0 in range(0, size, BLOCK):
        m = min(BLOCK, size - b0)
        for j in range(m):
            x[j] = _U64(start + b0 + j)
        _apply(x, m, n, keys, wh, wl, False, s)
        for j in range(m):
            out[b0 + j] = np.int64(x[j])


@nb.njit(cache=True, nogil=True)
def _partner_kernel(persons, out, n, keys, wh, wl):  # type: ignore[no-untyped-def]
    """Partners of many people; ``-1`` for the unmatched.  The unmatched lane decrypts its
    own slot (so the walk stays in range) and is recognised by getting itself back."""
    size = persons.shape[0]
    x = np.empty(BLOCK, np.uint64)
    s = scratch(BLOCK)
    limit = _U64(n)
    for b0 in range(0, size, BLOCK):
        m = min(BLOCK, size - b0)
        for j in range(m):
            x[j] = _U64(persons[b0 + j])
        _apply(x, m, n, keys, wh, wl, True, s)
        for j in range(m):
            y = x[j] ^ _U64(1)
            x[j] = y if y < limit else x[j]
        _apply(x, m, n, keys, wh, wl, False, s)
        for j in range(m):
            p = np.int64(x[j])
            out[b0 + j] = -1 if p == persons[b0 + j] else p


# --- public API -------------------------------------------------------------------------


def persons_for_slots(key: PlanetKey, start: int, stop: int) -> np.ndarray:
    """``P⁻¹(slot)`` for ``slot in range(start, stop)`` as an int64 array."""
    if not 0 <= start <= stop <= key.n:
        raise ValueError("slot range outside the population")
    out = np.empty(stop - start, np.int64)
    _slots_kernel(out, start, key.n, key.keys, key.hi, key.lo)
    return out


def partners(key: PlanetKey, persons: np.ndarray) -> np.ndarray:
    """Partners of ``persons`` (int64 array, each in ``[0, n)``); ``-1`` means unmatched."""
    persons = np.ascontiguousarray(persons, dtype=np.int64)
    if persons.size and (persons.min() < 0 or persons.max() >= key.n):
        raise ValueError("person outside the population")
    out = np.empty_like(persons)
    _partner_kernel(persons, out, key.n, key.keys, key.hi, key.lo)
    return out


def partner(seed: bytes, n: int, person: int, rounds: int = ROUNDS) -> int | None:
    """One person's partner in O(1) time and memory (``None``: unmatched)."""
    if not 0 <= person < n:
        raise ValueError("person outside the population")
    return partner_ref(PlanetKey.derive(seed, n, rounds), person)


def iter_pairs(
    key: PlanetKey, start_pair: int, stop_pair: int, chunk: int = 1 << 20
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Pairs ``k`` in ``[start_pair, stop_pair)`` as ``(first k, slot-2k people, slot-2k+1
    people)``, ``chunk`` pairs at a time, without ever holding the population."""
    if not 0 <= start_pair <= stop_pair <= key.n // 2:
        raise ValueError("pair range outside the population")
    for k0 in range(start_pair, stop_pair, chunk):
        k1 = min(stop_pair, k0 + chunk)
        people = persons_for_slots(key, 2 * k0, 2 * k1)
        yield k0, people[0::2], people[1::2]


class PlanetFate:
    """The planet engine behind the core's :class:`~soulmark.core.fate.FateAlgorithm`."""

    def __init__(self, rounds: int = ROUNDS) -> None:
        self.rounds = rounds
        self.version = f"planet-feistel-r{rounds}/blake2b-v1"

    def order(self, seed: bytes, n: int) -> np.ndarray:
        """``order[slot] = P⁻¹(slot)``: the roster index placed in each slot."""
        if n == 0:
            return np.empty(0, np.int64)
        key = PlanetKey.derive(seed, n, self.rounds)
        return persons_for_slots(key, 0, n)

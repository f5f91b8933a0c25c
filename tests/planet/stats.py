"""Helpers for the planet uniformity tests: many keys at once, and a chi-square z-score."""

from __future__ import annotations

import hashlib

import numba as nb
import numpy as np

from soulmark.planet.engine import _apply, scratch


def round_keys(n: int, rounds: int, count: int, first_seed: int = 0) -> np.ndarray:
    """Round keys of ``count`` seeds exactly as :class:`PlanetKey` derives them (block 0 of
    BLAKE2b holds 16 u32 words, enough for up to 16 rounds), without its per-seed overhead."""
    assert rounds <= 16
    data = n.to_bytes(8, "little") + bytes(8)
    blocks = b"".join(
        hashlib.blake2b(
            data,
            digest_size=64,
            key=(first_seed + s).to_bytes(32, "little"),
            person=b"planet/feistel",
        ).digest()
        for s in range(count)
    )
    return np.frombuffer(blocks, "<u4").reshape(count, 16)[:, :rounds].astype(np.uint32)


@nb.njit(cache=True)
def _partners_many(keys, n, wh, wl, persons, out):  # type: ignore[no-untyped-def]
    m = persons.shape[0]
    s = scratch(max(m, 64))
    x = np.empty(m, np.uint64)
    for t in range(keys.shape[0]):
        for j in range(m):
            x[j] = persons[j]
        _apply(x, m, n, keys[t], wh, wl, True, s)
        for j in range(m):
            out[t, m + j] = x[j]
            x[j] = x[j] ^ np.uint64(1)
        _apply(x, m, n, keys[t], wh, wl, False, s)
        for j in range(m):
            out[t, j] = x[j]


def partners_many(keys: np.ndarray, n: int, persons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(partner, slot)`` of each person (columns) under each key set (rows); even ``n``."""
    bits = max(2, (n - 1).bit_length())
    out = np.empty((keys.shape[0], 2 * len(persons)), np.int64)
    _partners_many(keys, n, bits - bits // 2, bits // 2, persons.astype(np.int64), out)
    return out[:, : len(persons)], out[:, len(persons) :]


def chi_z(observed: np.ndarray, expected: np.ndarray, dof: int) -> float:
    """Wilson–Hilferty z of a chi-square statistic (no scipy): ~N(0, 1) under the null."""
    x = float((((observed - expected) ** 2) / expected).sum())
    return ((x / dof) ** (1 / 3) - (1 - 2 / (9 * dof))) / np.sqrt(2 / (9 * dof))

"""B4 (with R1, R2, R9, B3): the planet engine is a bijection whose pairing is an involution,
its numba kernels equal the plain-Python reference bit for bit, and the core can use it."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.fate import pair_up
from soulmark.planet import fate_engines
from soulmark.planet.engine import (
    ALGORITHM,
    ROUNDS,
    PlanetFate,
    PlanetKey,
    iter_pairs,
    partner,
    partner_ref,
    partners,
    permute_ref,
    persons_for_slots,
    unpermute_ref,
)


def _seed(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def test_b4_r2_r9_bijection_and_involution_for_every_n_up_to_3000() -> None:
    for n in range(1, 3001):
        key = PlanetKey.derive(_seed(f"n={n}"), n)
        order = persons_for_slots(key, 0, n)
        assert np.array_equal(np.sort(order), np.arange(n)), n
        mate = partners(key, np.arange(n))
        matched = mate >= 0
        assert np.array_equal(mate[mate[matched]], np.flatnonzero(matched)), n  # mutual
        assert not np.any(mate[matched] == np.flatnonzero(matched)), n
        # Pairs are the slot pairs of the order; with odd n only the last slot is bare.
        assert np.array_equal(mate[order[0 : n - 1 : 2]], order[1:n:2]), n
        assert np.flatnonzero(~matched).tolist() == ([int(order[-1])] if n % 2 else []), n


@pytest.mark.parametrize("n", [2, 3, 30, 1001, (1 << 20) + 3, 8_000_000_000, 1 << 62])
def test_b4_numba_kernels_equal_the_reference_bit_for_bit(n: int) -> None:
    key = PlanetKey.derive(_seed(f"ref {n}"), n)
    rng = np.random.default_rng(n % 1000)
    slots = np.unique(np.concatenate([np.arange(min(n, 64)), rng.integers(0, n, 300)]))
    for s in slots.tolist():
        assert int(persons_for_slots(key, s, s + 1)[0]) == unpermute_ref(key, s)
    people = slots.astype(np.int64)
    got = partners(key, people).tolist()
    want = [partner_ref(key, p) for p in people.tolist()]
    assert got == [-1 if w is None else w for w in want]
    assert all(unpermute_ref(key, permute_ref(key, p)) == p for p in people.tolist()[:50])


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.integers(2, 1 << 40), st.data())
def test_b4_b3_partner_is_a_pure_o1_function_of_seed_n_and_person(
    seed: bytes, n: int, data: st.DataObject
) -> None:
    person = data.draw(st.integers(0, n - 1))
    mate = partner(seed, n, person)
    assert mate == partner(seed, n, person)
    if mate is None:
        assert n % 2 == 1
    else:
        assert mate != person and partner(seed, n, mate) == person
        key = PlanetKey.derive(seed, n)
        assert int(partners(key, np.array([person]))[0]) == mate


def test_b4_keys_depend_on_seed_and_population() -> None:
    a, b = PlanetKey.derive(_seed("a"), 1 << 21), PlanetKey.derive(_seed("b"), 1 << 21)
    c = PlanetKey.derive(_seed("a"), (1 << 21) - 2)
    assert len({tuple(k.keys.tolist()) for k in (a, b, c)}) == 3
    assert a.rounds == ROUNDS and f"-r{ROUNDS}/" in ALGORITHM
    with pytest.raises(ValueError):
        PlanetKey.derive(_seed("a"), 10, rounds=7)


def test_b4_chunked_enumeration_matches_the_whole_order() -> None:
    n = 100_001
    key = PlanetKey.derive(_seed("chunks"), n)
    order = persons_for_slots(key, 0, n)
    seen = 0
    for k0, first, second in iter_pairs(key, 0, n // 2, chunk=7_777):
        assert np.array_equal(first, order[2 * k0 : 2 * (k0 + len(first)) : 2])
        assert np.array_equal(second, order[2 * k0 + 1 : 2 * (k0 + len(first)) : 2])
        seen += len(first)
    assert seen == n // 2


def test_b4_registered_with_core_fate_and_pairs_a_roster() -> None:
    algorithm = fate_engines().get(ALGORITHM)
    assert algorithm.version == PlanetFate().version == ALGORITHM
    roster = [f"id{i:05d}" for i in range(2049)]
    order = algorithm.order(_seed("core"), len(roster))
    pairing = pair_up(roster, order)
    assert len(pairing.pairs) == 1024 and pairing.unmatched == roster[int(order[-1])]
    names = {x for pair in pairing.pairs for x in pair} | {pairing.unmatched}
    assert names == set(roster)
    assert np.array_equal(order, PlanetFate().order(_seed("core"), len(roster)))

"""Fate (R2, R3, R9): a uniformly random perfect matching of the roster, the odd one out bare."""

from __future__ import annotations

import hashlib
from collections import Counter
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.fate import ExactShuffle, Pairing, derive_seed, pair_up, roster_digest

# Chi-square critical values at p = 0.001 (df = cells - 1).  The seeds are fixed, so each test is
# deterministic: it fails only if fate is biased, never by bad luck on a given run.
CHI2_CRIT_001 = {2: 13.816, 4: 18.467, 14: 36.123}


def seed_of(i: int, label: bytes = b"chi2") -> bytes:
    return hashlib.sha256(label + i.to_bytes(8, "little")).digest()


def matching(pairing: Pairing) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(p) for p in pairing.pairs)


def all_matchings(ids: list[str]) -> set[frozenset[frozenset[str]]]:
    if not ids:
        return {frozenset()}
    first, rest = ids[0], ids[1:]
    out = set()
    for other in rest:
        remaining = [x for x in rest if x != other]
        for m in all_matchings(remaining):
            out.add(m | {frozenset((first, other))})
    return out


def chi_square(counts: Counter, cells: int, total: int) -> float:
    expected = total / cells
    observed = list(counts.values()) + [0] * (cells - len(counts))
    return sum((o - expected) ** 2 / expected for o in observed)


roster_st = st.integers(min_value=0, max_value=2000).map(lambda n: [f"{i:06x}" for i in range(n)])


@settings(max_examples=60, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), roster=roster_st)
def test_r2_r9_partner_of_partner_is_self_and_one_bare_when_odd(
    seed: bytes, roster: list[str]
) -> None:
    n = len(roster)
    order = ExactShuffle().order(seed, n)
    assert sorted(order) == list(range(n))
    pairing = pair_up(roster, order)
    partner = pairing.partner_map()
    for x, y in partner.items():
        assert x != y, "no one is their own partner"
        assert partner[y] == x, "pairing is mutual (R2)"
    assert len(pairing.pairs) == n // 2
    if n % 2:
        assert pairing.unmatched is not None
        assert pairing.unmatched not in partner
        assert set(partner) | {pairing.unmatched} == set(roster)
    else:
        assert pairing.unmatched is None
        assert set(partner) == set(roster)
    seen = [x for p in pairing.pairs for x in p]
    assert len(seen) == len(set(seen)), "everyone is in at most one pair (R1)"


def _chi_square_of_matchings(n: int, seeds: int) -> tuple[float, int, Counter]:
    roster = [f"p{i}" for i in range(n)]
    possible = all_matchings(roster)
    counts: Counter = Counter()
    shuffle = ExactShuffle()
    for i in range(seeds):
        m = matching(pair_up(roster, shuffle.order(seed_of(i, b"m%d" % n), n)))
        assert m in possible
        counts[m] += 1
    return chi_square(counts, len(possible), seeds), len(possible), counts


def test_r3_fate_is_uniform_over_the_3_matchings_of_4() -> None:
    stat, cells, counts = _chi_square_of_matchings(4, 9000)
    assert cells == 3 and len(counts) == 3
    assert stat < CHI2_CRIT_001[2], (stat, counts)


def test_r3_fate_is_uniform_over_the_15_matchings_of_6() -> None:
    stat, cells, counts = _chi_square_of_matchings(6, 15000)
    assert cells == 15 and len(counts) == 15
    assert stat < CHI2_CRIT_001[14], (stat, counts)


def test_r3_r9_unmatched_person_is_uniform_on_a_roster_of_5() -> None:
    roster = [f"p{i}" for i in range(5)]
    counts: Counter = Counter()
    for i in range(8000):
        pairing = pair_up(roster, ExactShuffle().order(seed_of(i, b"odd5"), 5))
        counts[pairing.unmatched] += 1
    assert set(counts) == set(roster)
    assert chi_square(counts, 5, 8000) < CHI2_CRIT_001[4], counts


def test_r3_any_two_can_be_paired_through_the_published_seed() -> None:
    # The whole path (secret -> seed bound to the roster -> shuffle): every pair occurs.
    roster = sorted(f"{i:016x}" for i in (3, 14, 15, 92, 65, 35))
    digest = roster_digest(roster)
    seen: set[frozenset[str]] = set()
    for i in range(400):
        seed = derive_seed(seed_of(i, b"secret"), digest)
        seen |= set(matching(pair_up(roster, ExactShuffle().order(seed, len(roster)))))
    assert seen == {frozenset(p) for p in combinations(roster, 2)}


def test_r3_seed_binds_roster_so_nobody_can_steer() -> None:
    # Adding or swapping one id changes the seed: the organizer cannot pick a roster for a
    # known secret without it showing in the transcript's digest.
    secret = seed_of(1, b"secret")
    a = sorted(f"{i:016x}" for i in range(10))
    b = sorted([*a[:-1], f"{99:016x}"])
    assert derive_seed(secret, roster_digest(a)) != derive_seed(secret, roster_digest(b))
    assert derive_seed(secret, roster_digest(a)) == derive_seed(secret, roster_digest(list(a)))

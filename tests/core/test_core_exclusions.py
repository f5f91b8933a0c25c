"""Fate with private exclusions (R3, B1): uniform over the allowed matchings, and auditable."""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from itertools import combinations
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from soulmark.core.audit import audit, load_transcript
from soulmark.core.exclusions import (
    EXCLUDING,
    DrawExhausted,
    ExclusionsRefused,
    canonical_pairs,
    draw,
    feasible,
    first_clear_attempt,
    index_keys,
    refusal,
)
from soulmark.core.fate import EXACT_SHUFFLE, ExactShuffle, pair_up
from soulmark.core.marks import MarkParams
from soulmark.core.transcript import seal_transcript

WORLD = {
    "slug": "never-with",
    "name": "Never with",
    "window_start": "2030-01-01T00:00:00.000000Z",
    "window_end": "2031-01-01T00:00:00.000000Z",
    "params": MarkParams().to_json(),
}
CHI2_CRIT_001 = {8: 26.124, 9: 27.877}
SECRET = hashlib.sha256(b"excl-secret").digest()


def seed_of(i: int, label: bytes) -> bytes:
    return hashlib.sha256(label + i.to_bytes(8, "little")).digest()


def ids(n: int) -> list[str]:
    return [f"p{i:03d}" for i in range(n)]


def outcomes(roster: list[str]) -> set[tuple[frozenset[frozenset[str]], str | None]]:
    """Every matching of ``roster`` (with its unmatched person when odd), enumerated."""
    if len(roster) % 2:
        return {(m, lone) for lone in roster for m, _ in outcomes([x for x in roster if x != lone])}
    if not roster:
        return {(frozenset(), None)}
    first, rest = roster[0], roster[1:]
    out = set()
    for other in rest:
        for m, _ in outcomes([x for x in rest if x != other]):
            out.add((m | {frozenset((first, other))}, None))
    return out


def seal(roster: list[str], pairs: Any, salt: bytes = b"") -> dict[str, Any]:
    doc, _ = seal_transcript(
        world=WORLD,
        round_no=1,
        secret=hashlib.sha256(SECRET + salt).digest(),
        roster=roster,
        exclusions=pairs,
    )
    return json.loads(json.dumps(doc))


def drawn_pairs(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(min(a, b), max(a, b)) for a, b, *_ in doc["lines"] if b is not None}


@pytest.mark.parametrize(
    ("n", "excluded"),
    [
        (6, [("p000", "p001"), ("p002", "p003")]),
        (5, [("p000", "p001"), ("p001", "p002")]),
    ],
)
def test_r3_draw_is_uniform_over_the_allowed_matchings(n: int, excluded: list) -> None:
    roster = ids(n)
    pairs = canonical_pairs(excluded, roster)
    allowed = {
        (m, lone) for m, lone in outcomes(roster) if not any(frozenset(p) in m for p in pairs)
    }
    assert len(allowed) == {6: 10, 5: 9}[n]  # 15 - 3 - 3 + 1, and 15 - 3 - 3
    counts: Counter = Counter()
    per_cell = 300
    total = per_cell * len(allowed)
    for i in range(total):
        order, _ = draw(seed_of(i, b"excl%d" % n), roster, pairs)
        pairing = pair_up(roster, order)
        outcome = (frozenset(frozenset(p) for p in pairing.pairs), pairing.unmatched)
        assert outcome in allowed, "no excluded pair is ever drawn"
        counts[outcome] += 1
    chi2 = sum((counts[c] - per_cell) ** 2 / per_cell for c in allowed)
    assert chi2 < CHI2_CRIT_001[len(allowed) - 1], (chi2, counts)


def test_r3_attempt_zero_is_todays_shuffle() -> None:
    seed = seed_of(1, b"zero")
    for n in (2, 3, 10, 101):
        order, attempt = first_clear_attempt(seed, n, set())
        assert attempt == 0
        assert order == ExactShuffle().order(seed, n)


def test_r3_a_round_without_exclusions_keeps_todays_transcript_byte_for_byte() -> None:
    roster = ids(9)
    plain, _ = seal_transcript(world=WORLD, round_no=1, secret=SECRET, roster=roster)
    none, _ = seal_transcript(
        world=WORLD, round_no=1, secret=SECRET, roster=roster, exclusions=[("p000", "zz")]
    )
    assert json.dumps(plain) == json.dumps(none)
    assert plain["algorithm"] == EXACT_SHUFFLE
    assert "exclusions" not in plain and "attempt" not in plain


def test_r3_exclusions_record_sorted_canonical_pairs_and_the_winning_attempt() -> None:
    roster = ids(8)
    doc = seal(roster, [("p005", "p001"), ("p003", "p002"), ("p001", "p005"), ("p004", "x")])
    assert doc["algorithm"] == EXCLUDING
    assert doc["exclusions"] == [["p001", "p005"], ["p002", "p003"]]
    assert isinstance(doc["attempt"], int) and doc["attempt"] >= 0
    assert not drawn_pairs(doc) & {("p001", "p005"), ("p002", "p003")}
    assert audit(doc) == []


def first_round_with_attempt_above_zero() -> dict[str, Any]:
    roster = ids(6)
    for salt in range(200):
        doc = seal(roster, [("p000", "p001"), ("p002", "p003")], b"%d" % salt)
        if doc["attempt"] > 0:
            return doc
    raise AssertionError("some seed needs a second attempt")


@pytest.mark.parametrize("delta", [-1, 1])
def test_b1_a_changed_attempt_number_is_named(delta: int) -> None:
    doc = first_round_with_attempt_above_zero()
    doc["attempt"] += delta
    assert [m.field for m in audit(load_transcript(json.dumps(doc)))] == ["attempt"]


def test_b1_a_changed_pair_list_is_named() -> None:
    doc = first_round_with_attempt_above_zero()
    dropped = copy.deepcopy(doc)
    dropped["exclusions"] = dropped["exclusions"][:1]
    assert "seed" in [m.field for m in audit(dropped)]
    added = copy.deepcopy(doc)
    added["exclusions"] = sorted(added["exclusions"] + [list(sorted(drawn_pairs(doc))[0])])
    assert "exclusions" in [m.field for m in audit(added)]
    unsorted = copy.deepcopy(doc)
    unsorted["exclusions"] = [[b, a] for a, b in unsorted["exclusions"]]
    assert "exclusions" in [m.field for m in audit(unsorted)]
    stripped = copy.deepcopy(doc)
    del stripped["exclusions"], stripped["attempt"]
    stripped["algorithm"] = EXACT_SHUFFLE
    assert "seed" in [m.field for m in audit(stripped)]


def test_r3_exclusions_that_leave_no_matching_are_refused_naming_no_one() -> None:
    roster = ids(6)
    # p000 may only be paired with p001, and so may p002: no perfect matching exists.
    pairs = canonical_pairs(
        [("p000", x) for x in roster[2:]] + [("p002", x) for x in roster if x != "p001"],
        roster,
    )
    assert not feasible(6, index_keys(pairs, roster))
    reason = refusal(roster, pairs)
    assert reason is not None and "no pairing" in reason
    assert not any(pid in reason for pid in roster)
    with pytest.raises(ExclusionsRefused):
        seal(roster, pairs)


def test_r3_exclusions_leaving_someone_under_half_the_roster_are_refused() -> None:
    roster = ids(10)
    pairs = canonical_pairs([("p000", x) for x in roster[1:6]], roster)  # 4 left, under 5
    assert feasible(10, index_keys(pairs, roster))
    reason = refusal(roster, pairs)
    assert reason is not None and "half" in reason and "p0" not in reason


def test_r3_the_bound_refuses_rather_than_drawing_otherwise() -> None:
    roster = ids(40)
    # Two households of 20: only the 20! cross matchings of 39!! are allowed (about 1 in
    # 130,000 attempts), so a bound of 4 attempts is all but sure to run out.
    halves = [roster[:20], roster[20:]]
    pairs = canonical_pairs([p for h in halves for p in combinations(h, 2)], roster)
    with pytest.raises(DrawExhausted):
        first_clear_attempt(seed_of(0, b"bound"), 40, index_keys(pairs, roster), limit=4)


@st.composite
def rosters_with_exclusions(draw_: st.DrawFn) -> tuple[list[str], list[tuple[str, str]]]:
    n = draw_(st.integers(min_value=2, max_value=200))
    roster = [hashlib.sha256(b"%d" % i).hexdigest()[:12] for i in range(n)]
    index = st.integers(min_value=0, max_value=n - 1)
    raw = draw_(st.lists(st.tuples(index, index), max_size=n))
    return roster, [(roster[i], roster[j]) for i, j in raw]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(case=rosters_with_exclusions(), salt=st.binary(max_size=4))
def test_r3_b1_any_feasible_exclusion_set_draws_a_valid_matching_that_audits(
    case: tuple[list[str], list[tuple[str, str]]], salt: bytes
) -> None:
    roster, raw = case
    pairs = canonical_pairs(raw, roster)
    assume(refusal(sorted(roster), pairs) is None)
    doc = seal(roster, raw, salt)
    assert audit(doc) == []
    partner = {line[0]: line[1] for line in doc["lines"]}
    for a, b in partner.items():
        assert b is None or partner[b] == a, "mutual (R2)"
    assert sum(b is None for b in partner.values()) == len(roster) % 2
    assert not drawn_pairs(doc) & set(pairs), "no excluded pair is drawn"
    if pairs:
        assert doc["exclusions"] == [list(p) for p in pairs]


def test_b1_the_documented_vector_holds() -> None:
    """docs/fate-exclusions.md appendix A.7 (version 1): another implementation checks itself."""
    from soulmark.core.exclusions import _attempt, exclusions_digest
    from soulmark.core.fate import derive_seed, roster_digest

    roster = ids(6)
    pairs = canonical_pairs([("p001", "p000"), ("p002", "p003")], roster)
    digest, excluded = roster_digest(roster), exclusions_digest(pairs)
    assert digest == "2b433dc71104d36dc63861cda1677796bc6b5b7dd3e0d66bf46c883a5fdb59cc"
    assert excluded.hex() == "94cfeb474077e746112a03140e472d533bb53689d6d9b60365200fa06492cb16"
    seed = derive_seed(bytes([7]) * 32, digest, b"", excluded)
    assert seed.hex() == "22aa8dec5535a781c06d7d768ad635e0cdaa2c41befd7131ff2734bade823f7a"
    keys = index_keys(pairs, roster)
    assert [_attempt(seed, 6, k, keys) is None for k in range(6)] == [True] * 5 + [False]
    assert first_clear_attempt(seed, 6, keys) == ([4, 2, 3, 1, 5, 0], 5)

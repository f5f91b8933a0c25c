"""Exclusions that reveal nothing, version 2 (issue 22; R3, B1, B2): uniform, auditable, and
nothing in the transcript — or computable from it — says which pairs were excluded."""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from soulmark.core.audit import audit, load_transcript
from soulmark.core.exclusions import ExclusionsRefused, canonical_pairs, index_keys
from soulmark.core.fate import ExactShuffle, derive_seed, fisher_yates, pair_up, roster_digest
from soulmark.core.private_exclusions import (
    PRIVATE,
    SEED_LABEL,
    Private,
    attempt_key,
    check_entry,
    commitments_digest,
    group_commitment,
    hidden_draw,
    never_commitment,
)
from soulmark.core.transcript import seal_transcript
from tests.core.test_core_exclusions import CHI2_CRIT_001, WORLD, drawn_pairs, ids, outcomes

VECTORS = Path(__file__).parent.parent / "vectors"
SECRET = bytes([7]) * 32


def key(i: int, label: bytes = b"hidden") -> bytes:
    return hashlib.sha256(label + i.to_bytes(8, "little")).digest()


def commitments_for(pairs: list[tuple[str, str]]) -> list[bytes]:
    return [group_commitment(key(i, b"salt"), a, b) for i, (a, b) in enumerate(pairs)]


def seal2(
    roster: list[str], pairs: list[tuple[str, str]], hidden: bytes, commitments: Any = None
) -> dict[str, Any]:
    private = Private(pairs, commitments_for(pairs) if commitments is None else commitments, hidden)
    doc, _ = seal_transcript(world=WORLD, round_no=1, secret=SECRET, roster=roster, private=private)
    return json.loads(json.dumps(doc))


@pytest.mark.parametrize(
    ("n", "excluded"),
    [(6, [("p000", "p001"), ("p002", "p003")]), (5, [("p000", "p001"), ("p001", "p002")])],
)
def test_r3_hidden_draw_is_uniform_over_the_allowed_matchings(n: int, excluded: list) -> None:
    roster = ids(n)
    pairs = canonical_pairs(excluded, roster)
    allowed = {
        (m, lone) for m, lone in outcomes(roster) if not any(frozenset(p) in m for p in pairs)
    }
    counts: Counter = Counter()
    per_cell = 300
    seed = key(n, b"seed")
    for i in range(per_cell * len(allowed)):
        order, _, _ = hidden_draw(key(i), seed, n, index_keys(pairs, roster))
        pairing = pair_up(roster, order)
        outcome = (frozenset(frozenset(p) for p in pairing.pairs), pairing.unmatched)
        assert outcome in allowed, "no excluded pair is ever drawn"
        counts[outcome] += 1
    chi2 = sum((counts[c] - per_cell) ** 2 / per_cell for c in allowed)
    assert chi2 < CHI2_CRIT_001[len(allowed) - 1], (chi2, counts)


def test_b2_the_transcript_does_not_say_which_pairs_were_excluded() -> None:
    """Two rounds alike but for which pairs are excluded publish the same bytes whenever
    their draws agree: the transcript is a function of the commitments, never of the pairs."""
    roster = ids(8)
    first, second = [("p000", "p001")], [("p002", "p007")]
    commitments = commitments_for(first)
    seed = derive_seed(
        SECRET, roster_digest(roster), b"", commitments_digest(commitments), SEED_LABEL
    )
    both = index_keys(first + second, roster)
    hidden = next(key(i) for i in range(100) if hidden_draw(key(i), seed, 8, both)[2] == 0)
    one = seal2(roster, first, hidden, commitments)
    other = seal2(roster, second, hidden, commitments)
    assert json.dumps(one) == json.dumps(other)
    assert audit(one) == []


def test_b2_no_rejected_attempt_can_be_re_run_from_the_transcript() -> None:
    """Version 1 let anyone re-run every rejected attempt from the public seed, and each held
    an excluded pair.  Version 2's attempts are keyed by a key that is never published: the
    attempts a stranger can compute from the seed are not the ones that were rejected."""
    roster = ids(6)
    pairs = [("p000", "p001")]
    keys = index_keys(pairs, roster)
    found = None
    for i in range(200):
        doc = seal2(roster, pairs, key(i))
        order, _, k = hidden_draw(key(i), bytes.fromhex(doc["seed"]), 6, keys)
        if k > 0:
            found = (doc, i, k)
            break
    assert found is not None
    doc, i, k = found
    seed = bytes.fromhex(doc["seed"])
    rejected = [ExactShuffle().order(attempt_key(key(i), seed, j), 6) for j in range(k)]
    public = []
    for j in range(64):
        a = list(range(6))
        for _ in fisher_yates(a, seed, j):
            pass
        public.append(a)
    assert not any(r in public for r in rejected)
    assert set(doc) & {"exclusions", "attempt"} == set()


def test_b1_v2_tampered_fields_are_named() -> None:
    roster = ids(10)
    doc = seal2(roster, [("p000", "p001"), ("p002", "p003"), ("p004", "p009")], key(1))
    assert audit(doc) == [] and doc["algorithm"] == PRIVATE

    def fields(changed: dict[str, Any]) -> set[str]:
        return {m.field.split("[")[0] for m in audit(load_transcript(json.dumps(changed)))}

    dropped = copy.deepcopy(doc)
    dropped["exclusion_commitments"] = dropped["exclusion_commitments"][1:]
    assert "seed" in fields(dropped)
    unsorted = copy.deepcopy(doc)
    unsorted["exclusion_commitments"].reverse()
    assert "exclusion_commitments" in fields(unsorted)
    upper = copy.deepcopy(doc)
    upper["exclusion_commitments"][0] = upper["exclusion_commitments"][0].upper()
    assert "exclusion_commitments" in fields(upper)
    stripped = copy.deepcopy(doc)
    del stripped["exclusion_commitments"], stripped["draw_key"]
    stripped["algorithm"] = "fisher-yates/blake2b-v1"
    assert "seed" in fields(stripped)
    other_key = copy.deepcopy(doc)
    other_key["draw_key"] = key(2).hex()
    assert "lines" in fields(other_key)
    bad_key = copy.deepcopy(doc)
    bad_key["draw_key"] = "zz"
    assert "draw_key" in fields(bad_key)
    mixed = copy.deepcopy(doc)
    mixed["attempt"] = 0
    assert "attempt" in fields(mixed), "a version-1 field in a version-2 transcript"
    missing = copy.deepcopy(doc)
    del missing["draw_key"]
    assert "draw_key" in fields(missing)


def test_r3_v2_refuses_exclusions_that_leave_someone_under_half() -> None:
    roster = ids(6)
    with pytest.raises(ExclusionsRefused, match="half"):
        seal2(roster, [("p000", "p001"), ("p000", "p002"), ("p000", "p003")], key(0))


def test_b1_an_author_checks_their_own_entry_with_their_receipt() -> None:
    roster = ids(8)
    salt = key(9, b"receipt")
    mine = never_commitment(salt, "p003", "victim@school.test")
    private = Private([("p003", "p006")], [mine, *commitments_for([("p000", "p001")])], key(3))
    doc, _ = seal_transcript(world=WORLD, round_no=1, secret=SECRET, roster=roster, private=private)
    doc = json.loads(json.dumps(doc))
    assert audit(doc) == []
    assert check_entry(doc, author="p003", address="victim@school.test", salt=salt.hex()) is None
    assert check_entry(doc, author="p003", address=" Victim@SCHOOL.test", salt=salt.hex()) is None
    assert check_entry(doc, author="p003", address="other@school.test", salt=salt.hex())
    assert check_entry(doc, author="p004", address="victim@school.test", salt=salt.hex())
    assert check_entry(doc, author="p003", address="victim@school.test", salt="00" * 32)
    assert not drawn_pairs(doc) & {("p003", "p006")}


def test_b1_the_documented_v2_vector_holds() -> None:
    """docs/fate-exclusions.md section 9, so that another implementation can check itself."""
    roster = ids(6)
    never = never_commitment(bytes([0x11]) * 32, "p000", "p001@school.test")
    group = group_commitment(bytes([0x22]) * 32, "p002", "p003")
    assert never.hex() == "c73245a615719a7ce708944c736d0ce58747f0f48d5d26fe6e489ba7faa78589"
    assert group.hex() == "9646fe45266899aad537879e8d6f25326c98bfd7c780d6196e8874b0e2a738f6"
    digest = commitments_digest([never, group])
    assert digest.hex() == "349e09b6a260be4729109456eed3c255fdcba8e81f1c03040a0d6d2578c42ac8"
    seed = derive_seed(SECRET, roster_digest(roster), b"", digest, SEED_LABEL)
    assert seed.hex() == "54dfcc99a381174395a15105eb7b4acbef54b71a705d49dca4c6659a14ff497a"
    hidden = bytes([0x34]) * 32
    assert [attempt_key(hidden, seed, k).hex()[:16] for k in range(3)] == [
        "203dfbd549eedc38",
        "ef0ee0393b39afae",
        "2547d60d2453a8ea",
    ]
    keys = index_keys([("p000", "p001"), ("p002", "p003")], roster)
    order, winning, k = hidden_draw(hidden, seed, 6, keys)
    assert (order, k) == ([4, 1, 0, 2, 3, 5], 2)
    doc = load_transcript((VECTORS / "exclusions_v2_transcript.json").read_text())
    assert doc["draw_key"] == winning.hex() and doc["seed"] == seed.hex()
    assert ExactShuffle().order(bytes.fromhex(doc["draw_key"]), 6) == order
    assert audit(doc) == []


def test_b1_an_old_version_1_transcript_still_audits() -> None:
    """Transcripts sealed before version 2 keep verifying, and a tamper is still named."""
    doc = load_transcript((VECTORS / "exclusions_v1_transcript.json").read_text())
    assert doc["algorithm"] == "fisher-yates-excluding/blake2b-v1" and doc["attempt"] == 5
    assert audit(doc) == []
    doc["exclusions"] = doc["exclusions"][:1]
    assert "seed" in {m.field for m in audit(doc)}

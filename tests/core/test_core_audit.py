"""Transcripts and their audit (B1): a re-run from the transcript alone, every tamper detected."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.audit import FIELDS, audit, load_transcript
from soulmark.core.beacon import BeaconSpec
from soulmark.core.errors import TranscriptError
from soulmark.core.fate import ExactShuffle, pair_up
from soulmark.core.marks import MarkParams
from soulmark.core.transcript import commitment, seal_transcript

WORLD = {
    "slug": "class-1a",
    "name": "Class 1-A",
    "window_start": "2030-01-01T00:00:00.000000Z",
    "window_end": "2031-01-01T00:00:00.000000Z",
    "params": MarkParams().to_json(),
}


VECTOR = json.loads((Path(__file__).parents[1] / "vectors" / "drand_quicknet.json").read_text())[
    "rounds"
][0]
QUICKNET_123 = BeaconSpec("quicknet", VECTOR["round"])


def make(n: int, salt: bytes = b"", *, round_no: int = 1, beacon: bool = False):
    """A sealed transcript of ``n`` ids; with ``beacon``, drand quicknet round 123 mixed in."""
    secret = hashlib.sha256(b"secret" + salt).digest()
    roster = [hashlib.sha256(b"%d" % i + salt).hexdigest()[:16] for i in range(n)]
    doc, plan = seal_transcript(
        world=WORLD,
        round_no=round_no,
        secret=secret,
        roster=roster,
        beacon=QUICKNET_123 if beacon else None,
        signature=VECTOR["signature"] if beacon else None,
    )
    return json.loads(json.dumps(doc)), plan, secret


def problems(doc: Any) -> list[str]:
    """The fields audit blames, or ['<refused>'] when it refuses the document outright."""
    try:
        loaded = load_transcript(json.dumps(doc))
    except TranscriptError:
        return ["<refused>"]
    return [m.field for m in audit(loaded)]


@pytest.mark.parametrize("n", [1, 2, 3, 10, 31])
def test_b1_fresh_transcript_audits_clean(n: int) -> None:
    doc, plan, secret = make(n, b"%d" % n)
    assert audit(load_transcript(json.dumps(doc))) == []
    assert doc["commitment"] == commitment(secret, WORLD, 1)
    assert doc["pairs"] == n // 2
    assert len(doc["lines"]) == n
    # each person's line names their partner, and the lines agree with one another (R2)
    partner = {line[0]: line[1] for line in doc["lines"]}
    for pid, other in partner.items():
        if other is None:
            assert doc["unmatched"] == pid
        else:
            assert partner[other] == pid
            assert plan[pid][0] == other


def test_b1_transcript_is_reproducible_from_its_seed_and_roster() -> None:
    doc, _, secret = make(9, b"repro")
    again, _, _ = make(9, b"repro")
    assert doc == again
    order = ExactShuffle().order(bytes.fromhex(doc["seed"]), len(doc["roster"]))
    pairing = pair_up(doc["roster"], order)
    assert pairing.unmatched == doc["unmatched"]
    lines = {line[0]: line[1] for line in doc["lines"]}
    for a, b in pairing.pairs:
        assert lines[a] == b and lines[b] == a


def test_b1_roster_order_does_not_matter() -> None:
    secret = hashlib.sha256(b"s").digest()
    ids = [f"{i:016x}" for i in (9, 2, 7, 4, 1)]
    a, _ = seal_transcript(world=WORLD, round_no=1, secret=secret, roster=ids, beacon=None)
    b, _ = seal_transcript(world=WORLD, round_no=1, secret=secret, roster=sorted(ids), beacon=None)
    assert a == b


@pytest.mark.parametrize(
    "text", ["", "not json", "[1, 2]", '"x"', '{"format": "other", "version": 1}', "\xff"]
)
def test_b1_unauditable_documents_are_refused(text: str) -> None:
    with pytest.raises(TranscriptError):
        load_transcript(text)


@pytest.mark.parametrize("version", [0, 2, "1", 1.0, None, True])
def test_b1_wrong_version_is_refused(version: Any) -> None:
    doc, _, _ = make(4)
    doc["version"] = version
    with pytest.raises(TranscriptError):
        load_transcript(json.dumps(doc))


def test_b1_non_hex_secret_is_blamed_on_the_secret() -> None:
    doc, _, _ = make(4)
    doc["secret"] = "not hex at all"
    assert "secret" in problems(doc)
    doc, _, _ = make(4, beacon=True)
    doc["beacon"] = "zz"
    assert "beacon" in problems(doc)


def test_b1_deleting_a_field_is_detected() -> None:
    doc, _, _ = make(5)
    for field in FIELDS:
        tampered = copy.deepcopy(doc)
        del tampered[field]
        assert problems(tampered), f"deleting {field} went unnoticed"


def test_b1_adding_a_field_is_detected() -> None:
    doc, _, _ = make(5)
    doc["pairs_by_name"] = {"Tenya Iida": "Bakugou Katsuki"}
    assert problems(doc) == ["pairs_by_name"]


def test_b1_a_moved_mark_names_its_line() -> None:
    doc, _, _ = make(6)
    line = next(i for i, row in enumerate(doc["lines"]) if row[1] is not None)
    doc["lines"][line][4] = "2030-06-01T00:00:00.000000Z"
    assert problems(doc) == [f"lines[{line}]"]


def test_b1_the_organizer_cannot_swap_partners_without_detection() -> None:
    doc, _, _ = make(6)
    a, b = doc["lines"][0], doc["lines"][1]
    a[1], b[1] = b[1], a[1]
    assert problems(doc)


# -- every single-field tamper ---------------------------------------------------------------

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def mutate(value: Any, draw) -> Any:
    """A value that differs from ``value``: a nearby one when we can, anything otherwise."""
    kind = draw(st.integers(min_value=0, max_value=4))
    if kind == 0 or value is None:
        return draw(json_value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + draw(st.sampled_from([-1, 1, 2**32])) if kind < 3 else float(value)
    if isinstance(value, str):
        if not value:
            return draw(st.text(min_size=1, max_size=4))
        i = draw(st.integers(min_value=0, max_value=len(value) - 1))
        choice = draw(st.sampled_from(["upper", "space", "char", "drop", "prefix"]))
        if choice == "upper" and value.upper() != value:
            return value.upper()
        if choice == "space":
            return value[:i] + " " + value[i:]
        if choice == "drop":
            return value[:i] + value[i + 1 :]
        if choice == "prefix":
            return "0" + value
        ch = draw(st.sampled_from("0123456789abcdefZ"))
        new = value[:i] + ch + value[i + 1 :]
        return new if new != value else value + ch
    if isinstance(value, list):
        if not value or kind == 4:
            return [*value, draw(json_value)] if kind == 4 or not value else value[:-1]
        out = list(value)
        i = draw(st.integers(min_value=0, max_value=len(out) - 1))
        out[i] = mutate(out[i], draw)
        return out
    if isinstance(value, dict):
        out = dict(value)
        if not out or kind == 4:
            out[draw(st.text(min_size=1, max_size=6))] = draw(json_value)
            return out
        key = draw(st.sampled_from(sorted(out)))
        out[key] = mutate(out[key], draw)
        return out
    if isinstance(value, float):
        return value + 1
    return draw(json_value)


@settings(max_examples=400, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=12),
    salt=st.binary(max_size=4),
    beacon=st.booleans(),
    field=st.sampled_from(FIELDS),
    data=st.data(),
)
def test_b1_every_single_field_tamper_is_detected(
    n: int, salt: bytes, beacon: bool, field: str, data: st.DataObject
) -> None:
    doc, _, _ = make(n, salt, beacon=beacon)
    tampered = copy.deepcopy(doc)
    tampered[field] = mutate(doc[field], data.draw)
    if json.loads(json.dumps(tampered)) == doc:
        return  # e.g. 1.0 == 1 in a value that json keeps as is; not a change at all
    if canonical_equal(tampered[field], doc[field]):
        return
    assert problems(tampered), f"{field}: {doc[field]!r} -> {tampered[field]!r} went unnoticed"


def canonical_equal(a: Any, b: Any) -> bool:
    """Same JSON text (Python says 1 == 1.0 == True; a JSON reader may not)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_b1_audit_never_crashes_on_a_reshaped_world() -> None:
    for world in (
        "Class 1-A",
        [],
        {},
        {**WORLD, "window_start": 12},
        {**WORLD, "params": None},
        {**WORLD, "params": {}},
        {**WORLD, "window_end": WORLD["window_start"]},
        {**WORLD, "params": {**WORLD["params"], "ink_min": 10**18}},
    ):
        doc, _, _ = make(4)
        doc["world"] = world
        assert "commitment" in problems(doc)


@pytest.mark.parametrize(
    "respell",
    [str.upper, lambda s: " " + s, lambda s: s + "\n", lambda s: s[:48] + " " + s[48:]],
)
def test_b1_another_spelling_of_the_beacon_signature_is_detected(respell) -> None:
    doc, _, _ = make(6, beacon=True)
    assert problems(doc) == []
    doc["beacon"]["signature"] = respell(doc["beacon"]["signature"])
    assert "beacon.signature" in problems(doc)

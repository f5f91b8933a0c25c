"""Draws nobody can grind: a committed drand round mixed into the seed, checked by audit."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from soulmark import services
from soulmark.core.audit import audit
from soulmark.core.beacon import QUICKNET, BeaconSpec, parse_spec, verify_signature
from soulmark.core.errors import Conflict, InvalidInput
from soulmark.core.marks import MarkParams
from soulmark.core.times import DAY, HOUR, SECOND, iso, parse_iso
from soulmark.core.transcript import seal_transcript

VECTOR = json.loads((Path(__file__).parents[1] / "vectors" / "drand_quicknet.json").read_text())
V = VECTOR["rounds"][0]
SPEC = BeaconSpec("quicknet", V["round"])
WORLD = {
    "slug": "w",
    "name": "W",
    "window_start": "2023-09-01T00:00:00.000000Z",
    "window_end": "2023-12-01T00:00:00.000000Z",
    "params": MarkParams().to_json(),
}
ROSTER = [f"{i:016x}" for i in range(7)]


def _flip(hexstr: str, at: int = 10) -> str:
    raw = bytearray(bytes.fromhex(hexstr))
    raw[at] ^= 1
    return raw.hex()


def _sealed() -> dict:
    doc, _ = seal_transcript(
        world=WORLD,
        round_no=1,
        secret=bytes(32),
        roster=ROSTER,
        beacon=SPEC,
        signature=V["signature"],
    )
    return doc


def test_b1_recorded_quicknet_vector_verifies_and_gives_its_randomness():
    assert verify_signature(SPEC, V["signature"]).hex() == V["randomness"]


@pytest.mark.parametrize(
    ("spec", "signature"),
    [
        (BeaconSpec("quicknet", V["round"] + 1), V["signature"]),
        (SPEC, _flip(V["signature"])),
        (SPEC, V["signature"][:-2]),
        (SPEC, "zz" * 48),
    ],
)
def test_b1_a_signature_only_verifies_for_its_own_round(spec, signature):
    with pytest.raises(InvalidInput):
        verify_signature(spec, signature)


def test_beacon_spec_parses_rounds_and_moments():
    assert parse_spec("quicknet:123") == SPEC
    genesis = QUICKNET.genesis * SECOND
    at = parse_spec("quicknet@" + iso(genesis + 4 * SECOND), parse_moment=parse_iso)
    assert at.round == 3 and at.published_at >= genesis + 4 * SECOND
    for bad in ("mainnet:5", "quicknet:0", "quicknet:x", "nothing"):
        with pytest.raises(InvalidInput):
            parse_spec(bad, parse_moment=parse_iso)


def test_b1_the_beacon_changes_the_draw_and_audits_clean():
    with_beacon = _sealed()
    without, _ = seal_transcript(world=WORLD, round_no=1, secret=bytes(32), roster=ROSTER)
    assert audit(with_beacon) == [] and audit(without) == []
    assert with_beacon["seed"] != without["seed"]
    assert with_beacon["beacon"]["randomness"] == V["randomness"]
    assert "only as trustworthy as its organizer" in without["trust"]
    assert "public beacon" in with_beacon["trust"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("signature", _flip(V["signature"]), "beacon.signature"),
        ("randomness", _flip(V["randomness"]), "beacon.randomness"),
        ("round", V["round"] + 1, "commitment"),
        ("chain", "mainnet", "beacon"),
    ],
)
def test_every_beacon_value_tampered_is_detected(field, value, expected):
    doc = _sealed()
    doc["beacon"][field] = value
    assert expected in {m.field for m in audit(doc)}


def test_dropping_the_beacon_or_its_trust_note_is_detected():
    doc = _sealed()
    dropped = copy.deepcopy(doc)
    dropped["beacon"] = None
    assert {"commitment", "trust"} <= {m.field for m in audit(dropped)}
    doc["trust"] = "trust me"
    assert [m.field for m in audit(doc)] == ["trust"]


def test_b1_service_seal_waits_for_the_beacon_and_closes_joins_when_it_is_due(store):
    published = SPEC.published_at
    made = services.create_world(
        store,
        name="Beacon world",
        window_start=published + DAY,
        window_end=published + 60 * DAY,
        at=published - DAY,
        beacon=SPEC,
    )
    for i in range(3):
        services.join(
            store, world=made.world, name=f"P{i}", email=f"p{i}@x.test", at=published - HOUR
        )
    late = services.join(store, world=made.world, name="Late", email="l@x.test", at=published)
    assert late.round == 2 and "closed" in late.note
    with pytest.raises(Conflict, match="published at"):
        services.seal(store, world=made.world, at=published - 1)
    with pytest.raises(Conflict, match="give its signature"):
        services.seal(store, world=made.world, at=published)
    with pytest.raises(InvalidInput):
        services.seal(store, world=made.world, at=published, beacon_signature=_flip(V["signature"]))
    sealed = services.seal(store, world=made.world, at=published, beacon_signature=V["signature"])
    assert sealed.people == 3
    doc = json.loads(services.transcript_text(store, world=made.world, round=1))
    assert audit(doc) == [] and doc["beacon"]["round"] == V["round"]
    assert doc["commitment"] == made.commitment


def test_a_beacon_already_published_cannot_be_named(store):
    with pytest.raises(InvalidInput, match="already published"):
        services.create_world(
            store,
            name="Too late",
            window_start=SPEC.published_at + DAY,
            window_end=SPEC.published_at + 9 * DAY,
            at=SPEC.published_at + 1,
            beacon=SPEC,
        )

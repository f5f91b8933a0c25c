"""services.audit.audit_report: one report for every transcript (B1)."""

from __future__ import annotations

import json

import pytest

from soulmark.core.errors import NotFound, TranscriptError
from soulmark.core.times import DAY, parse_iso
from soulmark.services import audit_report, create_world, join, seal, transcript_text
from soulmark.store import Store

T0 = parse_iso("2031-04-01T00:00:00Z")


def _sealed(store: Store) -> str:
    made = create_world(
        store, name="Audit", window_start=T0, window_end=T0 + 300 * DAY, at=T0 - 2 * DAY
    )
    for i in range(5):
        join(store, world=made.world, name=f"P{i}", email=f"p{i}@x.test", at=T0 - DAY)
    seal(store, world=made.world, at=T0 - DAY + 1)
    return transcript_text(store, world=made.world)


def test_b1_a_sealed_round_audits_ok_with_its_line_and_its_commitment(store):
    text = _sealed(store)
    doc = json.loads(text)
    person = doc["roster"][0]
    report = audit_report(text, commitment=doc["commitment"], person=person)
    assert report.ok and report.kind == "round" and report.people == 5 and report.pairs == 2
    assert report.line is not None and report.line[0] == person
    assert report.to_json()["mismatches"] == []


def test_b1_another_commitment_or_an_unknown_person_is_reported(store):
    text = _sealed(store)
    wrong = audit_report(text, commitment="00" * 32)
    assert not wrong.ok and [m.field for m in wrong.mismatches] == ["commitment"]
    with pytest.raises(NotFound):
        audit_report(text, person="nobody")


def test_b1_text_that_is_no_transcript_is_refused_in_one_line():
    for bad in (b"not json", b"[]", b'{"format": "other"}'):
        with pytest.raises(TranscriptError) as info:
            audit_report(bad)
        assert "\n" not in str(info.value)

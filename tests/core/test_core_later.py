"""Later rounds (R4, R5): a round sealed inside its window draws its marks in what is left."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soulmark.core.audit import audit, load_transcript
from soulmark.core.later import TooLate, marks_from, min_span, seal_lead
from soulmark.core.marks import MarkParams, Window
from soulmark.core.times import DAY, HOUR, MINUTE, SECOND, iso, parse_end, parse_iso
from soulmark.core.transcript import seal_transcript

START = parse_iso("2030-01-01T00:00:00Z")


def world(length: int, params: MarkParams | None = None) -> dict[str, Any]:
    return {
        "slug": "later",
        "name": "Later",
        "window_start": iso(START),
        "window_end": iso(START + length),
        "params": (params or MarkParams()).to_json(),
    }


def sealed(length: int, sealed_at: int, n: int = 9) -> dict[str, Any]:
    roster = [hashlib.sha256(b"%d" % i).hexdigest()[:16] for i in range(n)]
    doc, _ = seal_transcript(
        world=world(length),
        round_no=2,
        secret=hashlib.sha256(b"s").digest(),
        roster=roster,
        sealed_at=sealed_at,
    )
    return json.loads(json.dumps(doc))


def moments(doc: dict[str, Any]) -> list[int]:
    return [parse_iso(t) for line in doc["lines"] if line[1] for t in line[2:]]


@settings(max_examples=150, deadline=None)
@given(
    length=st.integers(min_value=MINUTE, max_value=3 * 365 * DAY),
    offset=st.floats(min_value=-0.5, max_value=1.2),
    n=st.integers(min_value=2, max_value=40),
)
def test_r4_later_round_marks_lie_between_its_seal_and_the_window_end(
    length: int, offset: float, n: int
) -> None:
    at = START + int(length * offset)
    window = Window(START, START + length)
    try:
        doc = sealed(length, at, n)
    except TooLate:
        assert window.end - max(START, at + seal_lead(window)) < min_span(window)
        return
    later = max(START, at)
    for moment in moments(doc):
        assert later <= moment <= window.end
        if at > START - seal_lead(window):
            assert moment >= at + seal_lead(window), "a short lead between seal and first itch"
    assert audit(load_transcript(json.dumps(doc))) == []


def test_r4_a_round_sealed_before_the_window_keeps_the_transcript_as_it_was() -> None:
    doc = sealed(DAY * 300, START - HOUR)
    assert "marks_from" not in doc, "old (v1) transcripts and new early ones look the same"
    assert min(moments(doc)) >= START


def test_r5_a_round_sealed_mid_window_still_itches_before_it_inks() -> None:
    doc = sealed(300 * DAY, START + 200 * DAY)
    assert doc["marks_from"]["start"] == iso(START + 200 * DAY + 5 * MINUTE)
    for line in doc["lines"]:
        if line[1]:
            itch, ink, legible = (parse_iso(t) for t in line[2:])
            assert START + 200 * DAY < itch < ink < legible <= START + 300 * DAY


def test_r4_sealing_refuses_in_one_line_when_too_little_window_is_left() -> None:
    window = Window(START, START + 300 * DAY)
    with pytest.raises(TooLate) as err:
        marks_from(window, window.end - HOUR)
    assert "\n" not in str(err.value) and "new window" in str(err.value)
    assert marks_from(window, window.end - 2 * DAY).start == window.end - 2 * DAY + 5 * MINUTE


@pytest.mark.parametrize(
    ("change", "blamed"),
    [
        (lambda d: d["marks_from"].update(start=iso(START + 201 * DAY)), "marks_from.start"),
        (lambda d: d["marks_from"].update(sealed_at=iso(START + 201 * DAY)), "lines[0]"),
        (lambda d: d["marks_from"].update(lead=-1), "marks_from"),
        (lambda d: d.pop("marks_from"), "lines[0]"),
    ],
)
def test_b1_audit_recomputes_where_a_later_round_begins(change: Any, blamed: str) -> None:
    doc = sealed(300 * DAY, START + 200 * DAY)
    assert audit(load_transcript(json.dumps(doc))) == []
    bad = copy.deepcopy(doc)
    change(bad)
    assert blamed in [m.field for m in audit(load_transcript(json.dumps(bad)))]


def test_r4_a_date_only_window_end_means_the_end_of_that_day() -> None:
    end = parse_end("2026-12-31")
    assert iso(end) == "2026-12-31T23:59:59.999999Z"
    assert parse_end("2026-12-31T12:00:00Z") == parse_iso("2026-12-31T12:00:00Z")
    assert parse_end(" 2026-12-31 ") == end
    assert end + 1 == parse_iso("2027-01-01") and SECOND > 1

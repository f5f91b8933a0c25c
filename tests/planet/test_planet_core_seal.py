"""B4: sealed rosters of 2**20 and more are drawn by the planet engine, and audit agrees."""

from __future__ import annotations

import hashlib

from soulmark.core import transcript as core_transcript
from soulmark.core.audit import audit
from soulmark.core.fate import PLANET, algorithm_for
from soulmark.core.marks import MarkParams

WORLD = {
    "slug": "big",
    "name": "Big",
    "window_start": "2030-01-01T00:00:00.000000Z",
    "window_end": "2031-01-01T00:00:00.000000Z",
    "params": MarkParams().to_json(),
}


def test_b4_core_names_the_planet_engine_by_its_own_version():
    import soulmark.planet

    assert PLANET == soulmark.planet.ALGORITHM
    assert core_transcript.expected_algorithm(core_transcript.PLANET_THRESHOLD) == PLANET
    assert core_transcript.expected_algorithm(core_transcript.PLANET_THRESHOLD - 1) != PLANET
    assert sorted(algorithm_for(PLANET).order(bytes(32), 101)) == list(range(101))


def test_b4_a_large_roster_seals_with_the_planet_engine_and_audits(monkeypatch):
    # The threshold is lowered so a roster of 301 stands in for one of 2**20.
    monkeypatch.setattr(core_transcript, "PLANET_THRESHOLD", 300)
    roster = [hashlib.sha256(b"%d" % i).hexdigest()[:16] for i in range(301)]
    doc, plan = core_transcript.seal_transcript(
        world=WORLD, round_no=1, secret=bytes(range(32)), roster=roster
    )
    assert doc["algorithm"] == PLANET and audit(doc) == []
    partners = {pid: partner for pid, (partner, _) in plan.items()}
    assert sum(p is None for p in partners.values()) == 1
    assert all(partners[p] == pid for pid, p in partners.items() if p is not None)
    doc["lines"][7][1], doc["lines"][8][1] = doc["lines"][8][1], doc["lines"][7][1]
    assert {m.field for m in audit(doc)} >= {"lines[7]", "lines[8]"}

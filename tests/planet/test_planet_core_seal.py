"""B4: sealed rosters of 2**20 and more are drawn by the planet engine, and audit agrees."""

from __future__ import annotations

import hashlib

from soulmark.core import transcript as core_transcript
from soulmark.core.audit import audit
from soulmark.core.fate import CORE_ENGINES, EXACT_SHUFFLE, Engines
from soulmark.core.marks import MarkParams
from soulmark.planet import ALGORITHM as PLANET
from soulmark.planet import fate_engines
from soulmark.planet.version import MIN_ROSTER

WORLD = {
    "slug": "big",
    "name": "Big",
    "window_start": "2030-01-01T00:00:00.000000Z",
    "window_end": "2031-01-01T00:00:00.000000Z",
    "params": MarkParams().to_json(),
}


def test_b4_the_planet_engines_draw_rosters_of_2_20_and_more():
    engines = fate_engines()
    assert MIN_ROSTER == 1 << 20
    assert core_transcript.expected_algorithm(MIN_ROSTER, engines) == PLANET
    assert core_transcript.expected_algorithm(MIN_ROSTER - 1, engines) == EXACT_SHUFFLE
    assert sorted(engines.get(PLANET).order(bytes(32), 101)) == list(range(101))


def test_i21_the_engines_are_handed_over_not_registered_by_an_import():
    """Importing the planet changes no global: the core's own engines stay the exact shuffle."""
    import soulmark.planet  # noqa: F401  (the import that used to register the engine)

    assert core_transcript.expected_algorithm(1 << 30) == EXACT_SHUFFLE
    assert dict(CORE_ENGINES.by_size) == {0: EXACT_SHUFFLE}


def test_b4_the_core_imports_no_planet_and_knows_no_engine_but_its_own():
    import subprocess
    import sys

    code = (
        "import sys; import soulmark.core.transcript as t, soulmark.core.audit; "
        "assert not any(m.startswith('soulmark.planet') for m in sys.modules), 'planet'; "
        "print(t.expected_algorithm(1 << 30))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == EXACT_SHUFFLE


def test_b4_a_large_roster_seals_with_the_planet_engine_and_audits():
    # The threshold is lowered so a roster of 301 stands in for one of 2**20.
    engines = Engines(fate_engines().by_version, {0: EXACT_SHUFFLE, 300: PLANET})
    roster = [hashlib.sha256(b"%d" % i).hexdigest()[:16] for i in range(301)]
    doc, plan = core_transcript.seal_transcript(
        world=WORLD, round_no=1, secret=bytes(range(32)), roster=roster, engines=engines
    )
    assert doc["algorithm"] == PLANET and audit(doc, engines) == []
    partners = {pid: partner for pid, (partner, _) in plan.items()}
    assert sum(p is None for p in partners.values()) == 1
    assert all(partners[p] == pid for pid, p in partners.items() if p is not None)
    doc["lines"][7][1], doc["lines"][8][1] = doc["lines"][8][1], doc["lines"][7][1]
    assert {m.field for m in audit(doc, engines)} >= {"lines[7]", "lines[8]"}

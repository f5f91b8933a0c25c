"""The one demo builder (``soulmark demo`` and ``soulmark serve --demo``)."""

from __future__ import annotations

import json
import unicodedata

from soulmark import services
from soulmark.core.marks import Window, scaled
from soulmark.core.times import SECOND, parse_iso
from soulmark.services.demo import DEMO_NAMES, DEMO_PARAMS, build_demo

T0 = 1_900_000_000 * SECOND


def scripts(names) -> set[str]:
    return {unicodedata.name(ch).split()[0] for n in names for ch in n if ch.isalpha()}


def test_demo_world_is_sealed_with_watchable_marks(store):
    made = build_demo(store, now_us=T0)
    demo = made.to_json()
    assert demo["people"] == 30 and demo["pairs"] == 15
    assert {"LATIN", "CJK", "ARABIC", "CYRILLIC", "DEVANAGARI"} <= scripts(DEMO_NAMES)
    start, end = parse_iso(demo["window_start"]), parse_iso(demo["window_end"])
    assert start > T0 and end - start == 240 * SECOND
    assert scaled(DEMO_PARAMS, Window(start, end)) == DEMO_PARAMS
    doc = json.loads(made.transcript)
    assert made.transcript == services.transcript_text(store, world=demo["world"])
    itches = {}
    for pid, _partner, itch, ink, legible in doc["lines"]:
        itch, ink, legible = map(parse_iso, (itch, ink, legible))
        assert start <= itch < ink < legible <= end
        assert (
            20 * SECOND <= ink - itch <= 70 * SECOND and 30 * SECOND <= legible - ink <= 60 * SECOND
        )
        itches[pid] = itch
    order = [w["person"] for w in demo["wrists"]]
    assert order == sorted(itches, key=itches.get) and len(demo["wrists"]) == 30
    assert all(w["token"].startswith("w_") for w in demo["wrists"])
    assert demo["organizer_token"].startswith("o_")
    assert not any(n in json.dumps(demo, ensure_ascii=False) for n in DEMO_NAMES)


def test_demo_first_pair_is_the_pair_legible_first_and_each_knows_its_partner(store):
    made = build_demo(store, now_us=T0, people=7)
    a, b = made.first_pair()
    assert (
        a.partner == b.person
        and b.partner == a.person
        and a.legible_at == min(w.legible_at for w in made.wrists if w.legible_at is not None)
    )
    assert a.name in DEMO_NAMES and a.name != b.name
    assert sum(w.partner is None for w in made.wrists) == 1


def test_i9_demo_links_name_soulmates_two_by_two(store):
    made = build_demo(store, now_us=T0, people=9)
    pairs = made.soulmates(3)
    assert len({w.person for pair in pairs for w in pair}) == 6
    assert all(a.partner == b.person and b.partner == a.person for a, b in pairs)
    links = made.links("http://x/", pairs=3)["pairs"]
    assert links == [[f"http://x/wrist/#{w.token}" for w in pair] for pair in pairs]
    assert made.first_pair() == pairs[0]

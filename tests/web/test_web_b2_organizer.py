"""B2 for the organizer's new views (issue 20): two worlds that differ only in who is paired
with whom give the organizer the same roster, poster, big screen and dashboard sections,
and the same reports, co-organizer links, action log and class sheet, for the main link
and a co-organizer's alike."""

from __future__ import annotations

import json
import re

from soulmark import services
from soulmark.core.times import SECOND

from .conftest import T0, WINDOW

NAMES = ["Tenya Iida", "Bakugou Katsuki", "Ochaco Uraraka", "Izuku Midoriya", "Shoto Todoroki"]


def _pairs(web, world) -> set[frozenset[str]]:
    doc = json.loads(services.transcript_text(web.store, world=world.slug))
    names = {pid: p.name for pid, p in world.people.items()}
    return {frozenset((names[a], names[b])) for a, b, *_ in doc["lines"] if b is not None}


def _normal(text: str, world) -> str:
    """A page without what differs between any two worlds: slug, tokens, ids, secrets."""
    text = text.replace(world.slug, "SLUG")
    text = re.sub(r"\b[ors]_[A-Za-z0-9_-]{8,}", "TOKEN", text)
    text = re.sub(r"me-[0-9a-f]+", "me-HANDLE", text)
    text = re.sub(r"\b[0-9a-f]{64}\b", "HASH", text)
    text = re.sub(r'name="csrf" value="[^"]+"', "CSRF", text)
    text = re.sub(r'name="once" value="[^"]+"', "ONCE", text)
    text = re.sub(r"\b[nl]_[0-9a-f]{12,16}\b", "ID", text)  # report and link ids: random
    text = re.sub(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", "CODE", text)  # slip codes
    return re.sub(r"<svg.*?</svg>", "SVG", text, flags=re.S)  # QR codes encode the slug


def _views(web, world, base: int) -> dict[str, str]:
    web.clock.now = base + 1  # both worlds are seen at the same moments
    services.join(
        web.store,
        world=world.slug,
        name="Late One",
        email=f"late-{world.slug}@s.test",
        at=web.clock.now,
    )
    roster = web.api("GET", "/api/organizer/people", world.organizer).json()
    roster["people"] = [{k: v for k, v in p.items() if k != "person"} for p in roster["people"]]
    roster["world"] = "SLUG"
    out = {"roster": json.dumps(roster, sort_keys=True)}
    for tail in ("poster", "screen"):
        out[tail] = _normal(web.client.get(f"/organizer/{world.organizer}/{tail}").text, world)
    out.update(_after_the_night(web, world))
    return out


TARGET = "Ochaco Uraraka"
"""The name reported in both worlds: by whoever it is paired with, a different person in each."""


def _after_the_night(web, world) -> dict[str, str]:
    """A co-organizer acts, a bearer reports ``TARGET``, the co-organizer removes them."""
    web.clock.now = T0 + 20 * SECOND + WINDOW  # every name legible, the same moment for both
    made = web.api("POST", "/api/organizer/links", world.organizer, json={"name": "Mr Tanaka"})
    co = made.json()["organizer_token"]
    web.api("POST", "/api/organizer/slips", co, json={"count": 2})
    reporter = next(
        p
        for p in world.people.values()
        if world.people.get(p.partner or "") and world.people[p.partner].name == TARGET
    )
    web.api("POST", "/api/wrist/look", reporter.token)
    web.api("POST", "/api/wrist/report", reporter.token)
    report = web.api("GET", "/api/organizer/reports", co).json()["reports"][0]
    web.api("POST", f"/api/organizer/reports/{report['report']}/remove", co)
    out = {}
    for key, token in (("main", world.organizer), ("co", co)):
        for tail in ("reports", "links", "log", "slips"):
            answer = web.api("GET", f"/api/organizer/{tail}", token).text
            out[f"{key}-{tail}"] = _normal(answer, world)
        out[f"{key}-sheet"] = _normal(web.client.get(f"/organizer/{token}/slips").text, world)
    page = web.client.get(f"/organizer/{world.organizer}").text
    for section in ("reports", "organizers", "counts"):
        found = re.search(rf'<section id="{section}">.*?</section>', page, flags=re.S)
        out[f"section-{section}"] = _normal(found.group(0), world)
    return out


def test_b2_every_organizer_view_reports_links_log_and_sheet_are_the_same_whoever_is_paired(web):
    def drawn() -> object:  # a world where TARGET has a partner, who can report them
        for _ in range(20):
            world = web.world(NAMES)
            if any(TARGET in pair for pair in _pairs(web, world)):
                return world
        raise AssertionError("fate left TARGET out twenty times")

    first = drawn()
    second = drawn()
    for _ in range(10):  # until fate pairs the same people differently
        if _pairs(web, first) != _pairs(web, second):
            break
        second = drawn()
    assert _pairs(web, first) != _pairs(web, second)
    base = web.clock.now
    a, b = _views(web, first, base), _views(web, second, base)
    assert a["roster"] == b["roster"]
    assert a["poster"] == b["poster"]
    assert a["screen"] == b["screen"]
    assert TARGET in a["main-reports"] and "Mr Tanaka" in a["main-log"]
    for key in sorted(set(a) - {"roster", "poster", "screen"}):
        assert a[key] == b[key], key

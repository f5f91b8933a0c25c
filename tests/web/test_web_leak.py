"""The leak test (R6, B2, B5): a world of long, distinctive names driven through its whole
window with a fake clock.  Every byte of every HTML and JSON response (this app polls JSON;
it has no event stream) is searched for every name, in NFC and NFD, raw, HTML-escaped and
JSON-escaped, and for a word unique to each name.  A name may appear only on its partner's
own wrist (or on a share link the partner chose to show it on) after the partner looked, so
never before that partner's legible moment; and no response ever holds two names."""

from __future__ import annotations

import html
import json
import unicodedata
from collections import defaultdict

import pytest

from soulmark.core.times import SECOND

STEP = 15 * SECOND

# Each name differs between NFC and NFD and holds a word found in no other name.
UNIQUE_WORDS = [
    "Zephyrinovska",
    "Quillonbaraxe",
    "Vorthalindrae",
    "Mirelloquinte",
    "Xanthoperilo",
    "Brumbleworthy",
    "Ozymandriaxe",
    "Kestrelvanyue",
    "Thistlegrovax",
    "Pomeranzhilde",
    "Jubilanticore",
]
LEAK_NAMES = [
    f"Ångström-Ñúñez {UNIQUE_WORDS[0]} Émilie",
    f"Łukasiewicz {UNIQUE_WORDS[1]} Zoë Ó Briain",
    f"{UNIQUE_WORDS[2]} Škoda-Čapek Dvořák",
    f"Nguyễn Thị {UNIQUE_WORDS[3]} Minh Khai",
    f"{UNIQUE_WORDS[4]} 爆豪勝己 Ōzora",
    f"Олександра {UNIQUE_WORDS[5]} Йосипівна",
    f"{UNIQUE_WORDS[6]} プリヤ・ガ Raghunathan",
    f"Björk {UNIQUE_WORDS[7]} Guðmundsdóttir",
    f"Ἀθηνᾶ {UNIQUE_WORDS[8]} Παπαδοπούλου",
    f"{UNIQUE_WORDS[9]} 김민준 Søren Kierkegård",
    f"Siobhán Ní {UNIQUE_WORDS[10]} Bhriain",
]


def needles(name: str, word: str) -> set[str]:
    out = set()
    for form in ("NFC", "NFD"):
        for text in (name, word):
            n = unicodedata.normalize(form, text)
            out |= {n, html.escape(n), json.dumps(n)[1:-1], json.dumps(n, ensure_ascii=False)[1:-1]}
    return out


class Scanner:
    def __init__(self, world, clock):
        self.world, self.clock = world, clock
        self.needles = {
            p.pid: needles(p.name, UNIQUE_WORDS[LEAK_NAMES.index(p.name)])
            for p in world.people.values()
        }
        self.looked: dict[str, int] = {}
        self.shown: set[str] = set()
        self.responses = 0
        self.hits: dict[str, int] = defaultdict(int)
        self.bad: list[str] = []

    def allowed(self, named: str, owner: str | None, kind: str) -> bool:
        """May ``named``'s name appear in a response made with ``owner``'s token of ``kind``?"""
        partner = self.world.people[named].partner
        if owner is None or owner != partner or owner not in self.looked:
            return False
        assert self.clock.now >= self.world.people[owner].legible_at
        return kind == "wrist" or (kind == "share" and owner in self.shown)

    def check(self, response, owner: str | None = None, kind: str = "public") -> None:
        body = response.content.decode("utf-8")
        self.responses += 1
        found = [pid for pid, ns in self.needles.items() if any(n in body for n in ns)]
        if len(found) > 1:
            self.bad.append(f"two names in one response: {response.url}")
        for pid in found:
            self.hits[kind] += 1
            if not self.allowed(pid, owner, kind):
                self.bad.append(
                    f"{pid}'s name in {kind} response {response.url} at {self.clock.now}"
                )


def visit(web, scanner, world, shares):
    for p in world.people.values():
        scanner.check(web.client.get(f"/wrist/{p.token}"), p.pid, "wrist")
        scanner.check(web.api("GET", "/api/wrist", p.token), p.pid, "wrist")
        scanner.check(web.client.get(f"/share/{shares[p.pid][1]}"), p.pid, "share")
        scanner.check(web.api("GET", "/api/share", shares[p.pid][1]), p.pid, "share")
    org = world.organizer
    for r in (
        web.client.get(f"/w/{world.slug}"),
        web.api("GET", f"/api/worlds/{world.slug}"),
        web.client.get(f"/w/{world.slug}/transcript"),
        web.client.get(f"/organizer/{org}"),
        web.api("GET", "/api/organizer", org),
        web.client.get(f"/organizer/{org}/timeline.csv"),
        web.api("GET", "/api/organizer/transcript", org),
    ):
        scanner.check(r, None, "organizer")


def act(web, scanner, world, shares, index):
    """Lookers look two seconds after their moment; every other looker shows the name."""
    for i, p in enumerate(sorted(world.people.values(), key=lambda p: p.pid)):
        if p.partner is None or p.pid in scanner.looked or i % 3 == 2:
            continue
        if scanner.clock.now < p.legible_at + 2 * SECOND:
            continue
        scanner.looked[p.pid] = scanner.clock.now
        scanner.check(web.form(f"/wrist/{p.token}/look"), p.pid, "wrist")
        scanner.check(web.api("POST", "/api/wrist/reach-out", p.token), p.pid, "wrist")
        if i % 2 == 0:
            scanner.shown.add(p.pid)
            sid = shares[p.pid][0]
            body = {"show": True}
            scanner.check(
                web.api("PUT", f"/api/wrist/shares/{sid}/show", p.token, json=body), p.pid, "wrist"
            )


@pytest.mark.slow
def test_no_name_leaks_before_its_moment_anywhere(web, clock):
    world = web.world(LEAK_NAMES)
    shares = {}
    for p in world.people.values():
        made = web.api("POST", "/api/wrist/shares", p.token).json()
        shares[p.pid] = (made["id"], made["token"])
    scanner = Scanner(world, clock)
    moments = sorted(
        {clock.now + k * STEP for k in range(300 * SECOND // STEP)}
        | {
            m + d
            for p in world.people.values()
            if p.partner
            for m in (p.legible_at,)
            for d in (-1, 0)
        }
    )
    for index, at in enumerate(moments):
        clock.now = at
        act(web, scanner, world, shares, index)
        visit(web, scanner, world, shares)
    assert scanner.bad == []
    assert scanner.responses > 1500
    # The names did reach those allowed to see them: the search itself works.
    assert scanner.hits["wrist"] > 0 and scanner.hits["share"] > 0
    assert len(scanner.looked) >= 4 and scanner.shown

"""Never-with on the web (R3, B2): the wrist page form, the API, and nothing that tells anyone
else who excluded whom — not a page, not JSON, not a mail, not a log line."""

from __future__ import annotations

import logging

from sqlalchemy import select

from soulmark.core.times import SECOND
from soulmark.store.models import ExclusionRow
from soulmark.store.notice_models import NoticeRow
from tests.web.conftest import fill_marks

NAMES = [f"Person {chr(65 + i)}" for i in range(10)]
TYPED = "P1@school.test"
"""How p0 writes p1's address: this spelling exists only in p0's list."""


def test_r3_wrist_page_form_adds_lists_and_removes_before_the_seal(web) -> None:
    world = web.world(NAMES, seal=False)
    me = world.by_name("Person A")
    page = web.client.get(f"/wrist/{me.token}")
    assert 'id="never-with-form"' in page.text
    r = web.form(f"/wrist/{me.token}/exclusions", {"email": TYPED}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("#never-with")
    page = web.client.get(f"/wrist/{me.token}")
    assert TYPED in page.text and "never-with-remove" in page.text
    web.form(f"/wrist/{me.token}/exclusions/remove", {"email": TYPED})
    assert TYPED not in web.client.get(f"/wrist/{me.token}").text
    web.seal(world)
    assert 'id="never-with"' not in web.client.get(f"/wrist/{me.token}").text


def test_r3_api_sets_lists_and_removes_with_json_errors(web) -> None:
    world = web.world(NAMES, seal=False)
    token = world.by_name("Person A").token
    r = web.api("POST", "/api/wrist/exclusions", token, json={"email": TYPED})
    assert r.status_code == 200
    assert r.json() == {"addresses": [TYPED], "limit": 3, "frozen": False, "unhonoured": 0}
    stranger = web.api("POST", "/api/wrist/exclusions", token, json={"email": "z@else.test"})
    assert stranger.status_code == 200 and set(stranger.json()) == set(r.json())
    assert web.api("GET", "/api/wrist/exclusions", token).json()["addresses"] == [
        TYPED,
        "z@else.test",
    ]
    bad = web.api("POST", "/api/wrist/exclusions", token, json={"email": "nope"})
    assert bad.status_code == 422 and set(bad.json()) == {"error", "code"}
    assert web.api("GET", "/api/wrist/exclusions").status_code == 401
    removed = web.api("POST", "/api/wrist/exclusions/remove", token, json={"email": TYPED})
    assert removed.json()["addresses"] == ["z@else.test"]
    web.seal(world)
    frozen = web.api("POST", "/api/wrist/exclusions", token, json={"email": "y@else.test"})
    assert frozen.status_code == 409 and "frozen" in frozen.json()["error"]
    assert web.api("GET", "/api/wrist/exclusions", token).json() == {
        "addresses": [],
        "limit": 3,
        "frozen": True,
        "unhonoured": 0,
    }


def _responses(web, world, token_of_self: str | None) -> list[tuple[str, str]]:
    """(who sees it, body) for every page and JSON a person or the organizer can read."""
    out = []
    for p in world.people.values():
        for r in (
            web.client.get(f"/wrist/{p.token}"),
            web.api("GET", "/api/wrist", p.token),
            web.api("GET", "/api/wrist/exclusions", p.token),
            web.api("GET", "/api/wrist/export", p.token),
        ):
            out.append((p.pid, r.text))
    org = world.organizer
    for r in (
        web.client.get(f"/w/{world.slug}"),
        web.api("GET", f"/api/worlds/{world.slug}"),
        web.client.get(f"/organizer/{org}"),
        web.api("GET", "/api/organizer", org),
        web.client.get(f"/organizer/{org}/timeline.csv"),
    ):
        out.append(("organizer", r.text))
    if token_of_self is not None:
        out.append(("public", web.client.get(f"/w/{world.slug}/transcript").text))
    return out


def test_r3_b2_nobody_else_is_shown_who_excluded_whom(web, clock, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    world = web.world(NAMES, seal=False)
    author, named = world.by_name("Person A"), world.by_name("Person B")
    web.api("POST", "/api/wrist/exclusions", author.token, json={"email": TYPED})
    web.form(f"/wrist/{author.token}/exclusions", {"email": "ghost@else.test"})
    seen_before = _responses(web, world, None)
    web.seal(world)
    seen_after = []
    for _ in range(3):  # before the marks, during them, and after everyone's moment
        seen_after += _responses(web, world, author.token)
        clock.now += 120 * SECOND
    for who, body in seen_before:
        if who != author.pid:
            assert TYPED not in body and "ghost@else.test" not in body, who
    for who, body in seen_after:
        assert TYPED not in body and "ghost@else.test" not in body, who
        if who == named.pid:
            assert author.name not in body and author.email not in body
    with web.store.transaction() as s:
        mail = [f"{n.to_addr} {n.subject} {n.body}" for n in s.scalars(select(NoticeRow))]
        assert s.scalars(select(ExclusionRow)).all(), "the list itself is kept, privately"
    assert not any(TYPED in m or "ghost@else.test" in m for m in mail)
    # The test client's own request log (httpx) is not the server's.
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert TYPED not in logged and "ghost@else.test" not in logged
    assert author.email not in logged and author.token not in logged


def test_r3_only_the_wrist_token_opens_a_list(web) -> None:
    world = web.world(NAMES, seal=False)
    me = world.by_name("Person A")
    web.api("POST", "/api/wrist/exclusions", me.token, json={"email": TYPED})
    share = web.api("POST", "/api/wrist/shares", me.token).json()["token"]
    for token in (world.organizer, share):
        for method, path, body in (
            ("GET", "/api/wrist/exclusions", None),
            ("POST", "/api/wrist/exclusions", {"email": "a@b.test"}),
            ("POST", "/api/wrist/exclusions/remove", {"email": TYPED}),
        ):
            r = web.api(method, path, token, json=body)
            assert r.status_code == 404 and TYPED not in r.text, (path, r.text)
    assert web.api("GET", "/api/wrist/exclusions", me.token).json()["addresses"] == [TYPED]


def test_r3_the_never_with_form_speaks_japanese(web) -> None:
    world = web.world(NAMES, seal=False)
    me = world.by_name("Person A")
    page = web.client.get(f"/wrist/{me.token}", headers={"Accept-Language": "ja"})
    assert "結ばれたくない相手" in page.text and "3 人まで" in page.text
    assert "Never pair me with them" not in page.text


SYBILS = [f"Sybil {i}" for i in range(7)]


def test_r3_sybil_wrists_naming_one_person_cannot_stop_the_seal_nor_say_who(web) -> None:
    """An attacker holds seven wrists of a round of twelve and names one person in each
    list (within each allowance).  The organizer's seal still draws; the dropped authors are
    told, each in the same words that name nobody; the named person is told nothing."""
    world = web.world(["Victim", *SYBILS, "Bystander", "C", "D", "E"], seal=False)
    victim, bystander = world.by_name("Victim"), world.by_name("Bystander")
    for name in SYBILS:
        sybil = world.by_name(name)
        r = web.api("POST", "/api/wrist/exclusions", sybil.token, json={"email": victim.email})
        assert r.status_code == 200
        web.clock.now += SECOND  # one after the other: the earliest five are honoured
    web.clock.now += SECOND
    r = web.api("POST", "/api/organizer/seal", world.organizer, json={"round": 1})
    assert r.status_code == 200, r.text  # today: 409, R3 refused for good
    fill_marks(web.store, world)
    assert victim.partner not in {world.by_name(n).pid for n in SYBILS[:5]}
    told = {
        n: web.api("GET", "/api/wrist/exclusions", world.by_name(n).token).json() for n in SYBILS
    }
    assert [told[n]["unhonoured"] for n in SYBILS] == [0, 0, 0, 0, 0, 1, 1]
    pages = {n: web.client.get(f"/wrist/{world.by_name(n).token}").text for n in SYBILS}
    notices = [_notice(pages[n]) for n in SYBILS]
    assert notices[:5] == [None] * 5 and notices[5] == notices[6] is not None
    assert victim.email not in notices[5] and "Victim" not in notices[5]
    # The named person's page and JSON say what a bystander's say.
    for token in (victim.token, bystander.token):
        assert web.api("GET", "/api/wrist/exclusions", token).json() == told[SYBILS[0]]
        assert _notice(web.client.get(f"/wrist/{token}").text) is None
    ja = web.client.get(
        f"/wrist/{world.by_name(SYBILS[6]).token}", headers={"Accept-Language": "ja"}
    )
    assert "守れませんでした" in (_notice(ja.text) or "")


def _notice(page: str) -> str | None:
    start = page.find('id="never-with-unhonoured"')
    return None if start < 0 else page[start : page.index("</section>", start)]

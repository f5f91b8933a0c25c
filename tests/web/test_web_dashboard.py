"""The dashboard in sections (issue 20 item 3): counts that say what each person did, a
warning before a draw that leaves one out, no second draw unless asked for, and a chart in
the world's zone and the reader's language.  Counts only, never a pair (B2)."""

from __future__ import annotations

import re

from soulmark import services
from soulmark.core.times import SECOND
from tests.web.conftest import T0, WINDOW

SECTIONS = ("join-link", "counts", "rounds", "chart", "notices", "data")


def _board(web, world, **params):
    return web.client.get(f"/organizer/{world.organizer}", params=params)


def _count(page: str, state: str) -> int:
    found = re.search(rf'id="count-{state}" data-count="(\d+)"', page)
    assert found, state
    return int(found.group(1))


def _chart(page: str) -> str:
    start = page.index('<svg id="timeline"')
    return page[start : page.index("</svg>", start)]


def test_invited_who_never_joined_are_counted_apart_from_joined_unconfirmed(web):
    world = web.world([], domain="school.test", seal=False)
    csv = "email\na@school.test\nb@school.test\nc@school.test\n"
    web.api("POST", "/api/organizer/invitations", world.organizer, json={"csv": csv})
    web.form(f"/w/{world.slug}/join", {"name": "Tenya", "email": "t@school.test"})
    page = _board(web, world).text
    assert _count(page, "invited") == 3
    assert _count(page, "unconfirmed") == 1
    assert "Invited, not joined yet" in page
    api = web.api("GET", "/api/organizer", world.organizer).json()["counts"]
    assert (api["invited"], api["unconfirmed"]) == (3, 1)


def test_the_live_counts_split_invited_from_unconfirmed_too(web):
    world = web.world([], domain="school.test", seal=False)
    web.api(
        "POST",
        "/api/organizer/invitations",
        world.organizer,
        json={"csv": "email\na@school.test\n"},
    )
    snap = services.organizer.counts_snapshot(web.store, token=world.organizer)
    assert snap.counts(web.clock.now)["invited"] == 1
    assert snap.counts(web.clock.now)["unconfirmed"] == 0


def test_an_odd_headcount_is_warned_of_before_the_draw_with_what_the_one_left_will_read(web):
    odd = web.world(["A", "B", "C"], seal=False)
    page = _board(web, odd).text
    assert 'id="draw-odd"' in page and "one person cannot be paired" in page
    assert "fate had no match for you" in page  # the words the one left out will read
    assert web.api("GET", "/api/organizer", odd.organizer).json()["draw"]["will_wait"] == 1
    even = web.world(["A2", "B2", "C2", "D2"], seal=False)
    assert 'id="draw-odd"' not in _board(web, even).text


def test_the_odd_warning_speaks_japanese(web):
    odd = web.world(["A", "B", "C"], seal=False)
    page = web.client.get(f"/organizer/{odd.organizer}", headers={"Accept-Language": "ja"}).text
    odd_box = page[page.index('id="draw-odd"') :]
    assert "ペアになれません" in odd_box[: odd_box.index("</div>")]


def test_after_a_draw_no_second_draw_is_offered_unless_asked_for(web):
    world = web.world(["A", "B", "C", "D"])
    page = _board(web, world).text
    assert 'id="seal"' not in page and "Draw fate now" not in page
    assert 'id="draw-again"' in page and 'id="drawn-once"' in page
    asked = _board(web, world, again=1).text
    assert 'id="seal"' in asked and 'name="round" value="2"' in asked


def test_the_chart_speaks_the_worlds_zone_and_the_readers_language(web):
    made = services.create_world(
        web.store,
        name="Tokyo Night",
        window_start=T0 + 10 * SECOND,
        window_end=T0 + 10 * SECOND + WINDOW,
        at=web.clock.now,
        time_zone="Asia/Tokyo",
    )
    en = web.client.get(f"/organizer/{made.organizer_token}").text
    chart = _chart(en)
    # T0 is 2030-03-17T17:46:40Z: 02:46 on the 18th in Tokyo.
    assert "(Asia/Tokyo)" in chart and "Mar 18" in chart and "02:4" in chart
    assert "T17:" not in chart and "UTC" not in chart
    ja = web.client.get(
        f"/organizer/{made.organizer_token}", headers={"Accept-Language": "ja"}
    ).text
    chart_ja = _chart(ja)
    assert "3月18日" in chart_ja and "(Asia/Tokyo)" not in chart_ja and "（Asia/Tokyo）" in chart_ja


def test_the_dashboard_is_in_sections_with_headings_and_a_table_of_contents(web):
    world = web.world(["A", "B"], seal=False)
    page = _board(web, world).text
    for section in SECTIONS:
        assert f'<section id="{section}">' in page and f'href="#{section}"' in page
    body = page[page.index('<section id="rounds">') :]
    assert body.index('<details id="schedule-box"') > body.index('id="seal-form"')


def test_a_join_under_an_address_already_in_is_never_counted_as_invited(web):
    world = web.world(["Tenya"], seal=False)
    again = {"name": "Someone Else", "email": world.by_name("Tenya").email}
    assert web.api("POST", f"/api/worlds/{world.slug}/join", json=again).status_code == 201
    counts = web.api("GET", "/api/organizer", world.organizer).json()["counts"]
    assert counts["invited"] == 0

"""The night (issue 20 item 4): a printable poster with a large QR code of the join link, an
SVG download, and a big-screen view of counts and a countdown that never shows a name (B2)."""

from __future__ import annotations

from soulmark.core.times import iso
from soulmark.services.schedule import plan_seal
from tests.web.conftest import SECOND, T0


def test_the_poster_holds_the_worlds_name_a_large_qr_and_three_lines(web):
    world = web.world(["Tenya Iida", "Bakugou Katsuki"], seal=False)
    page = web.client.get(f"/organizer/{world.organizer}/poster")
    assert page.status_code == 200
    assert 'id="poster-name"' in page.text and "Test Academy" in page.text
    qr = page.text[page.text.index('id="poster-qr"') :]
    assert "<svg" in qr[:300]
    assert page.text.count("<li>", page.text.index('id="poster-steps"')) >= 3
    assert f"http://soulmark.test/w/{world.slug}" in page.text
    assert "Tenya" not in page.text


def test_the_poster_qr_downloads_as_svg(web):
    world = web.world(["A", "B"], seal=False)
    svg = web.client.get(f"/organizer/{world.organizer}/poster.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "attachment" in svg.headers["content-disposition"] and "<svg" in svg.text


def test_the_big_screen_shows_counts_and_no_name(web):
    world = web.world(["Tenya Iida", "Bakugou Katsuki", "Ochaco Uraraka", "Izuku Midoriya"])
    page = web.client.get(f"/organizer/{world.organizer}/screen")
    assert page.status_code == 200 and 'id="big-counts"' in page.text
    assert 'data-counts-api="/api/organizer"' in page.text
    for person in world.people.values():
        assert person.name not in page.text and person.pid not in page.text


def test_the_big_screen_counts_down_to_a_planned_draw(web):
    world = web.world(["A", "B"], seal=False)
    plan_seal(web.store, world=world.slug, seal_at=iso(T0 + 60 * SECOND), at=web.clock.now)
    page = web.client.get(f"/organizer/{world.organizer}/screen").text
    assert 'id="screen-countdown"' in page and "data-countdown" in page


def test_a_wrong_organizer_token_opens_no_poster_or_screen(web):
    for tail in ("poster", "poster.svg", "screen"):
        assert web.client.get(f"/organizer/o_{'x' * 40}/{tail}").status_code == 404


def test_the_dashboard_links_to_the_poster_and_the_screen(web):
    world = web.world(["A", "B"], seal=False)
    page = web.client.get(f"/organizer/{world.organizer}").text
    assert 'id="poster-link"' in page and 'id="screen-link"' in page

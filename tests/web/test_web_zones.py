"""Issue 9, care: times in the viewer's zone; the world's zone until the browser has said
which is theirs (the ``sm_tz`` cookie that soulmark.js sets)."""

from __future__ import annotations

import re

from soulmark import services
from soulmark.core.times import parse_iso, parse_local
from soulmark.services.organizer import organizer_window

from .conftest import T0

WINDOW = ("2031-01-01", "2031-12-31")


def _tokyo_world(web) -> str:
    made = services.create_world(
        web.store,
        name="Tokyo Academy",
        window_start=parse_local(WINDOW[0], "Asia/Tokyo"),
        window_end=parse_local(WINDOW[1], "Asia/Tokyo", end=True),
        at=T0,
        time_zone="Asia/Tokyo",
    )
    return made.world


def _window_text(html: str) -> str:
    found = re.search(r'<time id="window-end" datetime="[^"]*">([^<]*)</time>', html)
    assert found, html
    return found.group(1)


def test_i9_a_world_page_speaks_the_world_zone_until_the_viewer_zone_is_known(web) -> None:
    slug = _tokyo_world(web)
    first = _window_text(web.client.get(f"/w/{slug}?lang=en").text)
    # Friendly, without seconds or a zone's name (issue 18 item 6).
    assert first == "December 31, 2031 at 23:59"
    web.client.cookies.set("sm_tz", "America%2FNew_York")  # as soulmark.js writes it
    theirs = _window_text(web.client.get(f"/w/{slug}").text)
    assert theirs == "December 31, 2031 at 09:59"  # 14 hours behind Tokyo
    assert 'data-tz="America/New_York"' in web.client.get(f"/w/{slug}").text


def test_i9_a_page_about_no_world_stays_in_utc_until_the_zone_is_known(web) -> None:
    assert 'data-tz="UTC"' in web.client.get("/").text


def test_i9_a_wrist_and_its_share_page_speak_the_world_zone_first(web) -> None:
    slug = _tokyo_world(web)
    me = services.join(web.store, world=slug, name="Iida", email="i@ua.test", at=T0)
    assert 'data-tz="Asia/Tokyo"' in web.client.get(f"/wrist/{me.token}").text
    share = web.api("POST", "/api/wrist/shares", me.token).json()
    assert 'data-tz="Asia/Tokyo"' in web.client.get(f"/share/{share['token']}").text
    web.client.cookies.set("sm_tz", "Europe/Paris")
    assert 'data-tz="Europe/Paris"' in web.client.get(f"/wrist/{me.token}").text


def test_i9_a_new_window_is_read_in_the_world_zone_a_bare_end_is_that_day_end(web) -> None:
    made = services.create_world(
        web.store,
        name="Tokyo Later",
        window_start=parse_local("2031-01-01", "Asia/Tokyo"),
        window_end=parse_local("2031-01-02", "Asia/Tokyo", end=True),
        at=T0,
        time_zone="Asia/Tokyo",
    )
    info = organizer_window(
        web.store,
        token=made.organizer_token,
        window_start="2031-02-01",
        window_end="2031-12-31",
        at=T0,
    )
    assert parse_iso(info.window_start) == parse_iso("2031-02-01T00:00:00+09:00")
    assert parse_iso(info.window_end) == parse_iso("2032-01-01T00:00:00+09:00") - 1

"""Reloads are safe in a real browser (issue 19 item 4), and a share link works without
cookies (item 6): reloading after "Make a share link" makes no second link, reloading after
"Replace my private link" still shows the wrist, and a browser that keeps no cookie (as a
chat app's link preview) sees the friend's page, never a 404."""

from __future__ import annotations

from typing import Any

import pytest

from soulmark.services.shares import list_shares

from .conftest import PHONE, Live, wait_state

pytestmark = [pytest.mark.browser]

BEARER = ("Tenya Iida", "tenya@ua.test")
PARTNER = ("Ochaco Uraraka", "ochaco@ua.test")


def _pair(live: Live) -> tuple[Any, Any]:
    made = live.create_world()
    me = live.join(made.world, *BEARER)
    them = live.join(made.world, *PARTNER)
    live.seal(made.world)
    return me, them


def test_item4_reload_after_make_a_share_link_makes_no_second_link(
    live: Live, open_page: Any
) -> None:
    me, _ = _pair(live)
    page = open_page(PHONE)
    page.goto(live.url(f"/wrist/{me.token}"))
    wait_state(page, "bare")
    page.fill("#share-label", "for Mum")
    page.click("#create-share")
    page.wait_for_selector("#new-share")
    link = page.locator("#new-share").input_value()
    assert "/share/#s_" in link and "s_" not in page.url
    assert page.locator("#shares .share-label").inner_text() == "for Mum"
    answer = page.reload()
    assert answer is not None and answer.status == 200
    wait_state(page, "bare")
    assert page.locator("#new-share").count() == 0, "shown once, then gone"
    assert page.locator("#shares li[data-share]").count() == 1
    assert len(list_shares(live.store, token=me.token)) == 1


def test_item4_double_press_of_make_a_share_link_makes_one_link(live: Live, open_page: Any) -> None:
    me, _ = _pair(live)
    page = open_page(PHONE)
    page.goto(live.url(f"/wrist/{me.token}"))
    wait_state(page, "bare")
    # Two submissions of the same rendered form, as a double tap on a slow phone sends them.
    page.evaluate(
        """() => { const f = document.getElementById('share-create');
        const body = new URLSearchParams(new FormData(f));
        return Promise.all([fetch(f.action, {method: 'POST', body}),
                            fetch(f.action, {method: 'POST', body})]); }"""
    )
    page.reload()
    wait_state(page, "bare")
    assert page.locator("#shares li[data-share]").count() == 1
    assert len(list_shares(live.store, token=me.token)) == 1


def test_item4_reload_after_replace_my_private_link_still_shows_it(
    live: Live, open_page: Any
) -> None:
    me, _ = _pair(live)
    page = open_page(PHONE)
    page.goto(live.url(f"/wrist/{me.token}"))
    wait_state(page, "bare")
    page.click("#replace-link")
    page.wait_for_selector("#new-link")
    fresh = page.locator("#new-link").inner_text()
    assert "/wrist/#w_" in fresh and "w_" not in page.url
    answer = page.reload()
    assert answer is not None and answer.status == 200
    assert "does not work" not in page.content()
    assert page.locator("#new-link").count() == 0
    page.click("#open-new-link")
    wait_state(page, "bare")
    assert page.locator("#wrist").count() == 1
    # The old link opens nothing; the new one opens the wrist in a browser of its own.
    other = open_page(PHONE)
    other.goto(fresh)
    wait_state(other, "bare")


def _without_cookies(page: Any) -> None:
    """Strip every Cookie header the page sends: a browser that keeps none (a redirect's
    follow-up is not routed, so the old link shape's robot is tested over HTTP instead:
    tests/web/test_web_reloads.py)."""

    def strip(route: Any) -> None:
        headers = {k: v for k, v in route.request.headers.items() if k.lower() != "cookie"}
        route.fallback(headers=headers)

    page.route("**/*", strip)


def test_item6_a_share_link_opened_without_cookies_shows_the_friends_page(
    live: Live, open_page: Any
) -> None:
    me, them = _pair(live)
    bearer = open_page(PHONE)
    bearer.goto(live.url(f"/wrist/{me.token}"))
    wait_state(bearer, "bare")
    bearer.fill("#share-label", "for Mum")
    bearer.click("#create-share")
    link = bearer.locator("#new-share").input_value()

    friend = open_page(PHONE)
    _without_cookies(friend)
    friend.goto(link)
    wait_state(friend, "bare", root="#shared")
    assert friend.locator("#share-label").inner_text() == "Shared with you: \u201cfor Mum\u201d"
    assert PARTNER[0] not in friend.content()
    # It stays live without any session: the page polls with the link it was given.
    live.clock.to(live.moments(me.world)[me.person].itch_start or 0)
    wait_state(friend, "itching", root="#shared")

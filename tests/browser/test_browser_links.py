"""Issue 22, items 12 and 15, in a real browser: a link's token after "#" reaches the wrist
by the page's script and, without a script, by its form; a junk link sets no cookie."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import PHONE, Live, wait_state

pytestmark = [pytest.mark.browser]

JUNK = "w_" + "j" * 32


def _session_cookies(page: Any) -> list[dict[str, Any]]:
    return [c for c in page.context.cookies() if c["name"].startswith("sm_wrist")]


def test_issue22_the_script_hands_the_fragment_over_and_the_address_forgets_it(
    live: Live, open_page: Any
) -> None:
    made = live.create_world()
    me = live.join(made.world, "Tenya Link", "tenya.link@ua.test")
    page = open_page(PHONE)
    page.goto(live.url(f"/wrist/#{me.token}"))
    page.wait_for_url("**/wrist/me-*")
    wait_state(page, "bare")
    assert me.token not in page.url
    assert [c["value"] for c in _session_cookies(page)] == [me.token]
    assert all(me.token not in url for url in page.traffic.requests)
    # Back goes to the link's page without its fragment: nothing there to hand over again.
    page.go_back()
    assert me.token not in page.url


def test_issue22_without_a_script_the_pasted_link_reaches_the_wrist(
    live: Live, chromium_browser: Any
) -> None:
    made = live.create_world()
    me = live.join(made.world, "Ochaco Link", "ochaco.link@ua.test")
    context = chromium_browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        link = live.url(f"/wrist/#{me.token}")
        page.goto(link)
        assert page.locator("#open-form").is_visible() and "/wrist/me-" not in page.url
        page.fill("#open-link", link)
        page.click("#open-button")
        page.wait_for_url("**/wrist/me-*")
        assert page.locator("#wrist").count() == 1 and me.token not in page.url
        assert [c["value"] for c in _session_cookies(page)] == [me.token]
    finally:
        context.close()


def test_issue22_a_junk_link_sets_no_cookie(live: Live, open_page: Any) -> None:
    live.create_world()
    page = open_page(PHONE)
    for link in (f"/wrist/{JUNK}", f"/wrist/#{JUNK}"):
        page.goto(live.url(link))
        page.wait_for_selector("text=This wrist link does not work")
        assert _session_cookies(page) == [], link

"""Ways back to a wrist in a real browser (issue 9): a lost link recovered by mail."""

from __future__ import annotations

from typing import Any

import pytest

from soulmark import services
from tests.mailbox import signins

from .conftest import PHONE, WAIT_MS, Live, fits_phone, shot, wait_state

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_lost_link_recovered_by_mail_then_sign_in_then_the_wrist(
    live: Live, open_page: Any
) -> None:
    made = live.create_world(name="Recovery Academy")
    lost = live.join(made.world, "Tenya Iida", "iida@ua.test")
    live.join(made.world, "Bakugou Katsuki", "bakugou@ua.test")
    live.seal(made.world)

    page = open_page(PHONE)
    page.goto(live.url(f"/w/{made.world}"))
    page.fill("#recover-email", "iida@ua.test")
    shot(page, "60-recover-ask")
    page.click("#recover-button")
    page.wait_for_selector("#recover-sent")
    assert fits_phone(page)
    shot(page, "61-recover-sent")

    (mail,) = signins(live.store)
    assert mail["to"] == "iida@ua.test" and mail["link"].startswith(live.base)
    page.goto(mail["link"])  # as a mail scanner would too: this uses nothing
    page.wait_for_selector("#signin-button")
    assert fits_phone(page)
    shot(page, "62-signin-button")
    page.click("#signin-button")
    page.wait_for_selector("#wrist")
    assert "/wrist/me-" in page.url and "w_" not in page.url
    assert page.text_content("#person-id") == lost.person
    assert fits_phone(page)
    shot(page, "63-signed-in-wrist")
    # The link that was lost no longer opens the wrist.
    other = open_page(PHONE)
    answer = other.goto(live.url(f"/wrist/{lost.token}"))
    assert answer is not None and answer.status == 404


WEBMAIL = "http://webmail.test/inbox"


def test_a_wrist_link_opened_from_a_page_on_another_site_opens_the_wrist(
    live: Live, chromium_browser: Any
) -> None:
    """Webmail is another site: the link's cookie must survive that navigation."""
    made = live.create_world(name="Webmail Academy")
    mine = live.join(made.world, "Tenya Iida", "iida@ua.test")
    live.join(made.world, "Bakugou Katsuki", "bakugou@ua.test")
    live.seal(made.world)
    context = chromium_browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(WAIT_MS)
    inbox = f'<a id="mail-link" href="{live.url(f"/wrist/{mine.token}")}">your wrist</a>'
    # The other site is served by the browser itself: nothing leaves this machine.
    context.route(WEBMAIL, lambda route: route.fulfill(body=inbox, content_type="text/html"))
    try:
        page = context.new_page()
        page.goto(WEBMAIL)
        page.click("#mail-link")
        page.wait_for_selector("#wrist")
        assert page.text_content("#person-id") == mine.person
        assert "/wrist/me-" in page.url
    finally:
        context.close()


def test_two_worlds_in_one_browser_each_page_acts_on_its_own_wrist(
    live: Live, open_page: Any
) -> None:
    first, second = live.create_world(name="First"), live.create_world(name="Second")
    a = live.join(first.world, "Tenya Iida", "iida@ua.test")
    live.join(first.world, "Bakugou Katsuki", "bakugou@ua.test")
    b = live.join(second.world, "Ochaco Uraraka", "ochaco@ua.test")
    live.join(second.world, "Izuku Midoriya", "izuku@ua.test")
    live.seal(first.world)
    live.seal(second.world)
    page_a = open_page(PHONE)
    page_a.goto(live.url(f"/wrist/{a.token}"))
    page_b = page_a.context.new_page()  # the same browser, another tab
    page_b.goto(live.url(f"/wrist/{b.token}"))
    page_a.reload()  # opening the second world did not take the first one's place
    assert page_a.text_content("#person-id") == a.person
    assert page_b.text_content("#person-id") == b.person
    legible = max(m.legible_at or 0 for m in live.moments(first.world).values())
    live.clock.to(max(legible, live.clock.now))
    wait_state(page_a, "covered")
    page_a.click("#look")
    wait_state(page_a, "revealed")
    assert page_a.text_content("#partner-name") == "Bakugou Katsuki"
    assert services.wrist(live.store, token=b.token, at=live.clock.now).state != "revealed"
    assert services.wrist(live.store, token=a.token, at=live.clock.now).state == "revealed"

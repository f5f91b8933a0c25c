"""Ways back to a wrist in a real browser (issue 9): a lost link recovered by mail."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mailbox import signins

from .conftest import PHONE, Live, fits_phone, shot

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
    assert page.url == live.url("/wrist/me")
    assert page.text_content("#person-id") == lost.person
    assert fits_phone(page)
    shot(page, "63-signed-in-wrist")
    # The link that was lost no longer opens the wrist.
    other = open_page(PHONE)
    answer = other.goto(live.url(f"/wrist/{lost.token}"))
    assert answer is not None and answer.status == 404

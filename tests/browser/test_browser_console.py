"""The organizer path in a real browser (issue 9): open a world at /new, its QR code and
join link, the dashboard, a confirmed seal.  Screenshots at phone width."""

from __future__ import annotations

from typing import Any

import pytest

from soulmark.core.times import SECOND

from .conftest import PHONE, Live, fits_phone, shot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_organizer_opens_a_world_in_the_browser_shares_it_and_seals(
    live: Live, open_page: Any
) -> None:
    page = open_page(PHONE)
    page.goto(live.url("/new"))
    page.fill("#world-name", "Phone Club")
    page.fill("#new-start", "2030-04-01")
    page.fill("#new-end", "2030-06-30")
    page.select_option("#new-zone", "Europe/Paris")
    page.fill("#new-organizer-email", "host@club.test")
    assert fits_phone(page)
    shot(page, "70-organizer-new")
    page.click("#new-open")
    page.wait_for_selector("#created")
    assert page.locator("#join-qr svg").count() == 1
    join_url = page.input_value("#join-url")
    assert join_url.startswith(live.base + "/w/phone-club-")
    assert fits_phone(page)
    shot(page, "71-organizer-created-qr")

    slug = join_url.rsplit("/", 1)[1]
    for i, name in enumerate(("Tenya Iida", "Bakugou Katsuki")):
        live.join(slug, name, f"p{i}@club.test")
    page.click("#open-dashboard")
    page.wait_for_selector("#organizer")
    assert page.input_value("#join-url") == join_url
    assert fits_phone(page)
    shot(page, "72-organizer-dashboard")
    live.clock.to(live.clock.now + SECOND)
    page.check("#seal-confirm")
    page.click("#seal")
    page.wait_for_selector("#sealed-note")
    assert "Tenya" not in page.content()

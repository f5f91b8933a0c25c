"""The organizer's actions in a real browser (issue 20 item 4): the roster's names, removing
a fake one before the draw, a message to everyone, the poster and the big screen.  Phone
width, en and ja, axe at 0, and no page shows a pair (B2)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from soulmark.store.models import WorldRow
from soulmark.store.notice_models import NoticeRow

from .conftest import Live, fits_phone, shot
from .test_browser_a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAMES = ("Tenya Iida", "Bakugou Katsuki", "Ochaco Uraraka", "Totally Fake Person")


def _confirmed_world(live: Live, name: str) -> Any:
    made = live.create_world(name=name)
    with live.store.transaction() as s:  # as if the organizer had confirmed their address
        world = s.scalars(select(WorldRow).where(WorldRow.slug == made.world)).one()
        world.sender_confirmed = True
    for i, person in enumerate(NAMES):
        live.join(made.world, person, f"a{i}@club.test")
    return made


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_organizer_removes_a_fake_name_messages_everyone_and_opens_the_poster(
    live: Live, open_page: Any, lang: str
) -> None:
    made = _confirmed_world(live, f"Action Club {lang}")
    page = open_page()
    page.goto(live.url(f"/?lang={lang}"))
    page.goto(live.url(f"/organizer/{made.organizer_token}"))
    page.wait_for_selector("#organizer")
    page.click("#roster summary")
    fake = page.locator("#roster-list li", has_text="Totally Fake Person")
    fake.locator("details.remove summary").click()
    fake.locator("input[name=reason]").fill("Please use your real name")
    assert axe_violations(page) == []
    fake.locator(".remove-button").click()
    page.wait_for_selector("#removed-note")
    assert "Totally Fake Person" not in page.content()
    assert page.locator("#roster-list li").count() == 3

    page.click("#message-box summary")
    page.fill("#message-text", "Doors open at seven.")
    page.click("#message-send")
    page.wait_for_selector("#messaged-note")
    with live.store.read() as s:
        kinds = list(
            s.scalars(select(NoticeRow.kind).where(NoticeRow.kind.in_(["message", "removed"])))
        )
    assert kinds.count("message") == 3 and kinds.count("removed") == 1
    assert fits_phone(page)
    assert axe_violations(page) == []
    shot(page, f"95-organizer-actions-{lang}")

    page.click("#poster-link")
    page.wait_for_selector("#poster-qr svg")
    assert axe_violations(page) == []
    shot(page, f"96-organizer-poster-{lang}")
    page.goto(live.url(f"/organizer/{made.organizer_token}/screen"))
    page.wait_for_selector("#big-counts")
    assert axe_violations(page) == []
    content = page.content()
    assert not any(n in content for n in NAMES)

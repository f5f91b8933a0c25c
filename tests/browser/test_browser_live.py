"""Live pages by server-sent events (issue 8): an open wrist page and the organizer's
dashboard follow the clock and the partner's actions through their event streams, with no
polling while the stream is open; a revoked share link's page forgets the name."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from soulmark import services

from .conftest import PHONE, ApiWatch, Live, mark_document, same_document, wait_state

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAMES = (("Ximena Quetzalli Arroyo", "x@ua.test"), ("爆豪勝己", "k@ua.test"))


def test_b3_an_open_wrist_page_follows_its_stream_without_polling(
    live: Live, open_page: Any
) -> None:
    made = live.create_world()
    me = live.join(made.world, *NAMES[0])
    them = live.join(made.world, *NAMES[1])
    live.seal(made.world)
    mine = live.moments(made.world)[me.person]
    page = open_page(PHONE)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if urlsplit(r.url).path == "/api/wrist" else 0)
    watch = ApiWatch(page, "/api/wrist")
    page.goto(live.url(f"/wrist/{me.token}"))
    page.wait_for_selector('#wrist[data-stream="open"]', state="attached")
    mark_document(page)
    for at, state in (
        (mine.itch_start, "itching"),
        (mine.ink_start, "inking"),
        (mine.legible_at, "covered"),
    ):
        live.clock.to(at)
        wait_state(page, state)
    assert watch.assert_clean(NAMES[1][0], them.person) >= 4  # on connect, then each change
    assert polls == [] and same_document(page)

    # The partner reaches out after both looked: the open page shows the contact, unasked.
    theirs = live.moments(made.world)[them.person]
    live.clock.to(max(live.clock.now, theirs.legible_at))
    services.look(live.store, token=me.token, at=live.clock.now)
    services.look(live.store, token=them.token, at=live.clock.now)
    # The look reaches this page's own stream, and the page fetches itself anew to show the
    # name; a reload from here would race that navigation (net::ERR_ABORTED).
    page.wait_for_selector("#mark-name", state="attached")
    wait_state(page, "revealed")
    page.click("#reach-use-address")  # the join address, offered not filled in
    page.click("#reach-out")
    page.wait_for_selector("#reach-wait", state="visible")
    mark_document(page)
    services.reach_out(live.store, token=them.token, at=live.clock.now)
    page.wait_for_selector("#contact", state="visible")
    assert NAMES[1][1] in page.locator("#contact").inner_text()
    assert polls == [] and same_document(page)


def test_b2_the_dashboard_counts_follow_the_stream(live: Live, open_page: Any) -> None:
    made = live.create_world()
    for name, email in NAMES:
        live.join(made.world, name, email)
    live.seal(made.world)
    first = min(m.itch_start for m in live.moments(made.world).values() if m.itch_start)
    page = open_page(PHONE)
    page.goto(live.url(f"/organizer/{made.organizer_token}"))
    page.wait_for_selector('#organizer[data-stream="open"]', state="attached")
    assert page.locator("#count-itching").inner_text() == "0"
    live.clock.to(first)
    page.wait_for_selector('#count-itching:not([data-count="0"])', state="attached")

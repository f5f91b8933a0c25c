"""A friend's share link in a real browser (B5): made by the bearer on the wrist page, opened
by a friend in a third browser, it follows the wrist live (itching, inking, covered, looked)
but never holds the name, until the bearer, after looking, chooses to show it there; hiding
it again and revoking the link both work at once on the friend's open page."""

from __future__ import annotations

from typing import Any

import pytest

from soulmark import services
from soulmark.services.shares import create_share, list_shares, revoke_share, show_name

from .conftest import (
    PHONE,
    ApiWatch,
    Live,
    fits_phone,
    mark_document,
    same_document,
    shot,
    wait_state,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BEARER = ("Tenya Iida", "tenya@ua.test")
PARTNER = ("Олександра Коваль", "olexandra@ua.test")
FRIEND_SAYS = {
    "bare": "Nothing on their wrist yet.",
    "itching": "Their wrist tingles.",
    "inking": "Ink is rising on their wrist. Nobody can read it yet.",
    "covered": "It stopped. A name waits under the bandage until they choose to look.",
    "revealed": "They have looked. The name is theirs to tell.",
}


def friend_message(page: Any) -> str:
    return page.locator("#message").inner_text()


def test_b5_share_link_follows_the_wrist_never_the_name_until_shown_and_revoked(
    live: Live, open_page: Any
) -> None:
    made = live.create_world()
    me = live.join(made.world, *BEARER)
    them = live.join(made.world, *PARTNER)
    live.seal(made.world)
    mine = live.moments(made.world)[me.person]
    assert mine.partner == them.person
    assert mine.itch_start and mine.ink_start and mine.legible_at
    # Nothing the friend is shown may carry the name, the partner's address or either id.
    secrets = (PARTNER[0], PARTNER[1], them.person, me.person, me.token)

    bearer = open_page(PHONE)
    bearer.goto(live.url(f"/wrist/{me.token}"))
    wait_state(bearer, "bare")
    assert bearer.locator("#shares").count() == 0
    bearer.click("#create-share")
    bearer.wait_for_selector("#new-share")
    share_url = bearer.locator("#new-share").input_value()
    assert share_url.startswith(live.url("/share/#s_"))
    share = bearer.locator("#shares li[data-share]")
    assert share.count() == 1
    assert share.get_attribute("data-revoked") == "false"
    assert share.get_attribute("data-show-name") == "false"
    assert share.locator(".show-name").count() == 0  # nothing to show before looking
    shot(bearer, "20-share-created")
    # The link is shown once, on the page the form lands on; the bearer copies it and goes back
    # to their own wrist link (see the reload test below for why a test must not stay there).
    bearer.goto(live.url(f"/wrist/{me.token}"))
    wait_state(bearer, "bare")
    assert bearer.locator("#new-share").count() == 0

    friend = open_page(PHONE)
    watch = ApiWatch(friend, "/api/share")
    friend.goto(share_url)
    wait_state(friend, "bare", root="#shared")
    assert friend_message(friend) == FRIEND_SAYS["bare"]
    mark_document(friend)
    shot(friend, "21-friend-bare")

    # The friend's page follows the wrist by polling, with no reload.
    for at, state, name in (
        (mine.itch_start, "itching", "22-friend-itching"),
        ((mine.ink_start + mine.legible_at) // 2, "inking", "23-friend-inking"),
        (mine.legible_at, "covered", "24-friend-covered"),
    ):
        live.clock.to(at)
        wait_state(friend, state, root="#shared")
        assert friend_message(friend) == FRIEND_SAYS[state]
        html = friend.content()
        for secret in secrets:
            assert secret not in html
        assert friend.locator("#progress").is_visible() == (state == "inking")
        assert friend.locator("#bandage").is_visible() == (state == "covered")
        assert fits_phone(friend)
        shot(friend, name)
    assert same_document(friend)

    # The bearer looks: the friend learns that, not the name.
    bearer.click("#look")
    wait_state(bearer, "revealed")
    assert bearer.locator("#partner-name").inner_text() == PARTNER[0]
    wait_state(friend, "revealed", root="#shared")
    assert friend_message(friend) == FRIEND_SAYS["revealed"]
    assert friend.locator("#shared-name").count() == 0
    html = friend.content()
    for secret in secrets:
        assert secret not in html
    assert same_document(friend)
    assert watch.assert_clean(*secrets) >= 1
    shot(friend, "25-friend-after-look")

    # The bearer chooses to show the name there: the friend's open page shows it.
    share = bearer.locator("#shares li[data-share]")
    assert share.locator(".show-name").inner_text() == "Show the name there"
    share.locator(".show-name").click()
    bearer.wait_for_selector('#shares li[data-show-name="true"]')
    assert share.locator(".show-name").inner_text() == "Hide the name there"
    shot(bearer, "26-bearer-shows-name")
    friend.wait_for_selector("#shared-name")
    assert friend.locator("#shared-name").inner_text() == PARTNER[0]
    assert friend.locator("#mark-name").text_content() == PARTNER[0]
    assert PARTNER[1] not in friend.content() and them.person not in friend.content()
    shot(friend, "27-friend-name-shown")

    # ... and hides it again: gone from the friend's page.
    share.locator(".show-name").click()
    bearer.wait_for_selector('#shares li[data-show-name="false"]')
    friend.wait_for_selector("#shared-name", state="detached")
    wait_state(friend, "revealed", root="#shared")
    assert PARTNER[0] not in friend.content()

    # Revoking: the friend's open page stops, and the link opens nothing any more.
    mark_document(friend)
    share.locator(".revoke-share").click()
    bearer.wait_for_selector('#shares li[data-revoked="true"]')
    assert "(turned off)" in bearer.locator("#shares li[data-share]").inner_text()
    assert bearer.locator("#shares li[data-share] .show-name").count() == 0
    shot(bearer, "28-bearer-revoked")
    friend.wait_for_function(
        "() => document.getElementById('message').textContent === 'This link no longer works.'"
    )
    assert same_document(friend)
    assert PARTNER[0] not in friend.content()
    shot(friend, "29-friend-revoked")
    answer = friend.reload()
    assert answer is not None and answer.status == 404
    assert friend.locator("#shared").count() == 0
    assert PARTNER[0] not in friend.content()
    shot(friend, "30-friend-revoked-reload")


def _covered_world(live: Live) -> tuple[Any, Any]:
    made = live.create_world()
    me = live.join(made.world, *BEARER)
    them = live.join(made.world, *PARTNER)
    live.seal(made.world)
    mine = live.moments(made.world)[me.person]
    assert mine.legible_at is not None
    live.clock.to(mine.legible_at)
    return me, them


def test_b5_looking_elsewhere_does_not_make_a_second_share_link(live: Live, open_page: Any) -> None:
    me, _ = _covered_world(live)
    bearer = open_page(PHONE)
    bearer.goto(live.url(f"/wrist/{me.token}"))
    wait_state(bearer, "covered")
    bearer.click("#create-share")
    bearer.wait_for_selector("#new-share")
    # The bearer looks from another tab (or their phone); this tab follows by polling.
    services.look(live.store, token=me.token, at=live.clock.now)
    bearer.wait_for_selector("#partner-name")
    assert len(list_shares(live.store, token=me.token)) == 1


def test_b5_revoking_a_share_that_shows_the_name_wipes_it_from_the_open_page(
    live: Live, open_page: Any
) -> None:
    me, _ = _covered_world(live)
    services.look(live.store, token=me.token, at=live.clock.now)
    share, share_token = create_share(live.store, token=me.token, at=live.clock.now)
    show_name(live.store, token=me.token, share_id=share.id, show=True, at=live.clock.now)
    friend = open_page(PHONE)
    friend.goto(live.url(f"/share/{share_token}"))
    assert friend.locator("#shared-name").inner_text() == PARTNER[0]
    revoke_share(live.store, token=me.token, share_id=share.id, at=live.clock.now)
    friend.wait_for_function(
        "() => document.getElementById('message').textContent === 'This link no longer works.'"
    )
    shot(friend, "31-friend-revoked-while-shown")
    assert PARTNER[0] not in friend.content()

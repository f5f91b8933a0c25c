"""Links that are never lost (issue 19 item 3), in a real browser: a join, a claim and a
sign-in each end on the wrist page with its private link box, and a reload shows the same
wrist; two devices kept signed in, one signs the other out, and it loses the wrist."""

from __future__ import annotations

import time
from typing import Any

import pytest

from soulmark.services import invites, signin
from soulmark.services.invite_lists import Invitee
from tests.mailbox import invitations, signins

from .conftest import PHONE, Live

pytestmark = [pytest.mark.browser]


def _reload_keeps_the_wrist(page: Any) -> str:
    """The wrist just opened shows its private link; a reload shows the same wrist."""
    page.wait_for_selector("#wrist-link")
    link = page.locator("#wrist-link").get_attribute("href")
    assert link and "/wrist/#w_" in link
    assert page.locator("#copy-private-link").is_visible()
    assert page.locator("#mail-me").is_visible()
    person = page.text_content("#person-id")
    where = page.url
    assert "welcome" not in where  # the page dropped the flag: a reload folds the link
    page.reload()
    page.wait_for_selector("#private-link")
    assert page.url == where and page.text_content("#person-id") == person
    assert page.locator("#wrist-link").count() == 0
    page.click("#show-private-link")
    page.wait_for_selector("#wrist-link")
    assert page.locator("#wrist-link").get_attribute("href") == link
    return link


def test_i19_a_reload_after_a_public_join_shows_the_same_wrist(live: Live, open_page: Any) -> None:
    made = live.create_world()
    page = open_page(PHONE)
    page.goto(live.url(f"/w/{made.world}"))
    page.fill("#name", "Reload Joiner")
    page.fill("#email", "reload.joiner@ua.test")
    page.click("#join-button")
    page.wait_for_url("**/wrist/me-*")
    _reload_keeps_the_wrist(page)
    assert "already joined" not in page.content()


def test_i19_a_reload_after_a_claim_shows_the_same_wrist(live: Live, open_page: Any) -> None:
    made = live.create_world()
    invitee = Invitee("reload.claim@ua.test", "Reload Claimer")
    invites.invite(
        live.store, world=made.world, invitees=[invitee], at=live.clock.now, base_url=live.base
    )
    (mail,) = invitations(live.store)
    page = open_page(PHONE)
    page.goto(mail["link"])
    page.click("#claim-button")
    page.wait_for_url("**/wrist/me-*")
    _reload_keeps_the_wrist(page)


def test_i19_a_reload_after_a_sign_in_shows_the_same_wrist(live: Live, open_page: Any) -> None:
    made = live.create_world()
    live.join(made.world, "Reload Signer", "reload.signer@ua.test")
    signin.request_signin(
        live.store,
        world=made.world,
        email="reload.signer@ua.test",
        at=live.clock.now,
        base_url=live.base,
    )
    (mail,) = signins(live.store)
    page = open_page(PHONE)
    page.goto(mail["link"])
    page.click("#signin-button")
    page.wait_for_url("**/wrist/me-*")
    _reload_keeps_the_wrist(page)


def _keep(page: Any) -> None:
    page.click("#keep-signed-in")
    page.wait_for_selector("#device-note")
    assert page.locator("#session-list li[data-current]").count() == 1


def test_i19_a_device_signed_out_from_another_loses_the_wrist(live: Live, open_page: Any) -> None:
    made = live.create_world()
    me = live.join(made.world, "Two Devices", "two.devices@ua.test")
    phone, laptop = open_page(PHONE), open_page(PHONE)
    for page in (phone, laptop):
        page.goto(live.url(f"/wrist/#{me.token}"))
        page.wait_for_url("**/wrist/me-*")
        _keep(page)
    cookies = [c for c in laptop.context.cookies() if c["name"].startswith("sm_wrist")]
    assert [c["value"][:2] for c in cookies] == ["d_"] and cookies[0]["httpOnly"]
    # Max-Age (by the browser's own clock): it outlives the browser session, for 180 days.
    assert cookies[0]["expires"] > time.time() + 179 * 86400
    phone.reload()
    assert phone.locator("#session-list li").count() == 2
    phone.click("#session-list li:not([data-current]) .session-signout")
    phone.wait_for_selector("#session-list")
    assert phone.locator("#session-list li").count() == 1
    answer = laptop.reload()
    assert answer is not None and answer.status == 404
    assert laptop.locator("#wrist").count() == 0
    # The phone, and the private link itself, still open the wrist.
    assert phone.reload().status == 200

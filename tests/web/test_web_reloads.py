"""Reloads are safe (issue 19 item 4) and share links carry labels and survive link
previews (item 6): every form answers with a redirect, a one-time secret is shown once
through a flash cookie (never in the address), and a double press makes nothing twice."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from soulmark.web.flash import FLASH_COOKIE
from soulmark.web.session import handle_of

NAMES = ["Tenya Iida", "Ochaco Uraraka"]


def _once(page: str, form: str) -> str:
    found = re.search(rf'id="{form}".*?name="once" value="([^"]+)"', page, re.S)
    assert found, f"the {form} form carries a one-time nonce"
    return found.group(1)


def _new_share(page: str) -> str | None:
    found = re.search(r'id="new-share"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else None


def test_item4_make_a_share_link_redirects_and_a_reload_makes_no_second_link(web):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    page = web.client.get(f"/wrist/{a.token}").text
    posted = web.form(
        f"/wrist/me-{handle_of(a.token)}/shares",
        {"once": _once(page, "share-create"), "label": "for Mum"},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/wrist/me-{handle_of(a.token)}#friends"
    assert "s_" not in posted.headers["location"], "the link never rides in an address"
    shown = web.client.get(posted.headers["location"])
    link = _new_share(shown.text)
    assert link and "/share/#s_" in link
    assert FLASH_COOKIE not in web.client.cookies, "the flash is read once and cleared"
    # A reload is a GET of the same page: it makes nothing, and the link is not shown again.
    reloaded = web.client.get(posted.headers["location"])
    assert _new_share(reloaded.text) is None
    assert len(web.api("GET", "/api/wrist/shares", a.token).json()) == 1


def test_item4_a_double_press_of_make_a_share_link_makes_one_link(web):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    page = web.client.get(f"/wrist/{a.token}").text
    once = _once(page, "share-create")
    first = web.form(f"/wrist/me-{handle_of(a.token)}/shares", {"once": once})
    second = web.form(f"/wrist/me-{handle_of(a.token)}/shares", {"once": once})
    assert first.status_code == second.status_code == 200
    assert _new_share(first.text) == _new_share(second.text) is not None
    assert len(web.api("GET", "/api/wrist/shares", a.token).json()) == 1
    # The next render offers a new nonce: pressing again later makes a second link.
    next_once = _once(second.text, "share-create")
    again = web.form(f"/wrist/me-{handle_of(a.token)}/shares", {"once": next_once})
    assert _new_share(again.text) != _new_share(first.text)
    assert len(web.api("GET", "/api/wrist/shares", a.token).json()) == 2


def test_item4_api_twin_same_once_makes_one_share(web):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    body = {"label": "for Mum", "once": "press-1"}
    one = web.api("POST", "/api/wrist/shares", a.token, json=body)
    two = web.api("POST", "/api/wrist/shares", a.token, json=body)
    assert one.status_code == two.status_code == 201
    assert one.json() == two.json() and one.json()["label"] == "for Mum"
    assert len(web.api("GET", "/api/wrist/shares", a.token).json()) == 1
    too_long = web.api("POST", "/api/wrist/shares", a.token, json={"label": "x" * 61})
    assert too_long.status_code == 422 and too_long.json()["code"] == "label-too-long"


def test_item4_replace_my_private_link_redirects_and_a_reload_still_shows_the_wrist(web):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    page = web.client.get(f"/wrist/{a.token}").text
    once = _once(page, "replace-form")
    posted = web.form(
        f"/wrist/me-{handle_of(a.token)}/replace", {"once": once}, follow_redirects=False
    )
    assert posted.status_code == 303
    target = posted.headers["location"]
    assert target.startswith("/wrist/me-") and target.endswith("/replaced") and "w_" not in target
    shown = web.client.get(target)
    fresh = re.search(r'id="new-link"[^>]*>([^<]+)<', shown.text).group(1).rsplit("#", 1)[1]
    assert web.api("GET", "/api/wrist", a.token).status_code == 404
    assert web.api("GET", "/api/wrist", fresh).status_code == 200
    reloaded = web.client.get(target)
    assert reloaded.status_code == 200 and 'id="new-link"' not in reloaded.text
    assert "does not work" not in reloaded.text
    wrist = web.client.get(f"/wrist/me-{handle_of(fresh)}")
    assert wrist.status_code == 200 and 'id="wrist"' in wrist.text
    # A second press of the same form (with the old link) answers the same new link.
    again = web.form(f"/wrist/{a.token}/replace", {"once": once}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == target
    assert web.api("GET", "/api/wrist", fresh).status_code == 200


def test_item4_api_twin_replace_with_the_same_once_replaces_once(web):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    one = web.api("POST", "/api/wrist/replace", a.token, json={"once": "r1"})
    two = web.api("POST", "/api/wrist/replace", a.token, json={"once": "r1"})
    assert one.status_code == two.status_code == 200 and one.json() == two.json()
    assert web.api("GET", "/api/wrist", one.json()["token"]).status_code == 200
    assert web.api("POST", "/api/wrist/replace", a.token).status_code == 404


def test_item6_the_label_is_listed_and_shown_on_the_friends_page(web):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    made = web.api("POST", "/api/wrist/shares", a.token, json={"label": "for Mum"}).json()
    page = web.client.get(f"/wrist/{a.token}").text
    assert re.search(r'class="share-label"[^>]*>for Mum<', page)
    assert web.api("GET", "/api/share", made["token"]).json()["label"] == "for Mum"
    with TestClient(web.app, base_url="http://soulmark.test") as other:
        shared = other.get(f"/share/{made['token']}")
        assert shared.status_code == 200 and "for Mum" in shared.text
        assert b.name not in shared.text


def test_item6_a_share_link_opened_without_cookies_never_404s(web):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    token = web.api("POST", "/api/wrist/shares", a.token, json={"label": "for Mum"}).json()["token"]
    # A chat app's preview: follows redirects, keeps no cookie.
    for path in (f"/share/{token}", "/share/"):
        with TestClient(web.app, base_url="http://soulmark.test", cookies=None) as robot:
            seen = robot.get(path, follow_redirects=False)
            for _ in range(3):
                if seen.status_code != 303:
                    break
                robot.cookies.clear()
                seen = robot.get(seen.headers["location"], follow_redirects=False)
            assert seen.status_code == 200, path
            assert b.name not in seen.text and token not in seen.text
            assert 'property="og:title"' in seen.text


def test_item6_a_cookieless_browser_opening_a_share_link_sees_the_friends_page(web):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    token = web.api("POST", "/api/wrist/shares", a.token, json={"label": "for Mum"}).json()["token"]
    with TestClient(web.app, base_url="http://soulmark.test") as bare:
        # What the /share/#<token> page's script posts, from a browser that keeps no cookie.
        seen = bare.post("/open/share", data={"link": f"#{token}"}, follow_redirects=False)
        assert seen.status_code == 200 and 'id="shared"' in seen.text and "for Mum" in seen.text
        assert "sm_share" not in seen.headers.get("set-cookie", ""), "only shown: no session"
        assert b.name not in seen.text
        # With cookies (a normal browser), the CSRF check still holds.
        bare.cookies.set("sm_csrf", "x" * 40)
        refused = bare.post("/open/share", data={"link": f"#{token}"}, follow_redirects=False)
        assert refused.status_code == 403


def test_item4_replace_the_organizer_link_redirects_and_a_reload_is_no_dead_link(web):
    world = web.world(NAMES)
    page = web.client.get(f"/organizer/{world.organizer}").text
    once = _once(page, "replace-form")
    posted = web.form(
        f"/organizer/me-{handle_of(world.organizer)}/replace",
        {"once": once},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and "o_" not in posted.headers["location"]
    target = posted.headers["location"]
    shown = web.client.get(target)
    url = re.search(r'id="organizer-url"[^>]*value="([^"]+)"', shown.text).group(1)
    fresh = url.rsplit("#", 1)[1]
    reloaded = web.client.get(target)
    assert reloaded.status_code == 200 and 'id="organizer-url"' not in reloaded.text
    assert web.client.get(f"/organizer/me-{handle_of(fresh)}").status_code == 200
    old = f"/organizer/{world.organizer}/replace"
    again = web.form(old, {"once": once}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == target
    assert web.api("GET", "/api/organizer", fresh).status_code == 200

"""Friends' share links (B5): the live state, never the name unless shown; revocable."""

from __future__ import annotations

import re

from soulmark.core.times import SECOND

NAMES = ["Ximena Quetzalli Arroyo", "Bakugou Katsuki"]


def make_share(web, token: str) -> tuple[int, str]:
    made = web.api("POST", "/api/wrist/shares", token)
    assert made.status_code == 201
    data = made.json()
    assert data["url"].endswith(data["token"]) and data["token"].startswith("s_")
    return data["id"], data["token"]


def test_friend_follows_the_states_but_never_the_name_until_shown(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    share_id, share = make_share(web, a.token)
    for at, state in [
        (a.itch_start - 1, "bare"),
        (a.itch_start, "itching"),
        (a.ink_start + 1, "inking"),
        (a.legible_at, "covered"),
    ]:
        clock.now = at
        page = web.client.get(f"/share/{share}")
        data = web.api("GET", "/api/share", share).json()
        assert page.status_code == 200 and data["state"] == state
        assert re.search(rf'data-state="{state}"', page.text)
        assert b.name not in page.text and "name" not in data
        assert a.name not in page.text and a.pid not in page.text and b.pid not in page.text

    refused = web.api("PUT", f"/api/wrist/shares/{share_id}/show", a.token, json={"show": True})
    assert refused.status_code == 409

    clock.now += SECOND
    web.api("POST", "/api/wrist/look", a.token)
    data = web.api("GET", "/api/share", share).json()
    assert data["state"] == "revealed" and "name" not in data
    assert b.name not in web.client.get(f"/share/{share}").text

    shown = web.api("PUT", f"/api/wrist/shares/{share_id}/show", a.token, json={"show": True})
    assert shown.json()["show_name"] is True
    assert web.api("GET", "/api/share", share).json()["name"] == b.name
    page = web.client.get(f"/share/{share}").text
    assert b.name in page and a.name not in page

    web.api("PUT", f"/api/wrist/shares/{share_id}/show", a.token, json={"show": False})
    assert "name" not in web.api("GET", "/api/share", share).json()


def test_revoking_stops_the_friends_view(web, clock):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    share_id, share = make_share(web, a.token)
    assert web.api("GET", "/api/share", share).status_code == 200
    revoked = web.api("DELETE", f"/api/wrist/shares/{share_id}", a.token)
    assert revoked.json()["revoked"] is True
    assert web.api("GET", "/api/share", share).status_code == 404
    assert web.client.get(f"/share/{share}").status_code == 404
    listed = web.api("GET", "/api/wrist/shares", a.token).json()
    assert listed == [{**revoked.json()}]


def test_share_links_through_the_wrist_page_forms(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    made = web.form(f"/wrist/{a.token}/shares")
    # Post/redirect/get (issue 19 item 4): the link is shown on the wrist page it lands on.
    assert made.status_code == 200 and 'id="new-share"' in made.text
    link = re.search(r'id="new-share"[^>]*value="([^"]+)"', made.text).group(1)
    share = link.rsplit("#", 1)[1]
    share_id = int(re.search(r'data-share="(\d+)"', made.text).group(1))
    clock.now = a.legible_at + 1
    web.form(f"/wrist/{a.token}/look")
    shown = web.form(f"/wrist/{a.token}/shares/{share_id}/show", {"show": "true"})
    assert shown.status_code == 200 and 'data-show-name="true"' in shown.text
    assert b.name in web.client.get(f"/share/{share}").text
    revoked = web.form(f"/wrist/{a.token}/shares/{share_id}/revoke")
    assert 'data-revoked="true"' in revoked.text
    assert web.client.get(f"/share/{share}").status_code == 404


def test_another_wrist_cannot_touch_my_share(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    share_id, share = make_share(web, a.token)
    assert web.api("DELETE", f"/api/wrist/shares/{share_id}", b.token).status_code == 404
    clock.now = max(a.legible_at, b.legible_at) + 1
    web.api("POST", "/api/wrist/look", b.token)
    hijack = web.api("PUT", f"/api/wrist/shares/{share_id}/show", b.token, json={"show": True})
    assert hijack.status_code == 404
    assert web.form(f"/wrist/{b.token}/shares/{share_id}/revoke").status_code == 404
    assert web.api("GET", "/api/share", share).status_code == 200

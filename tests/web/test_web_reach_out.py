"""Issue 9, care, on the web: the contact a person chooses to pass, taking it back, the
safety note, and the live streams that carry both (R10 still decides when it shows)."""

from __future__ import annotations

import re

from soulmark.core.times import SECOND
from soulmark.web.session import handle_of

from .live_support import stream
from .test_web_live import live  # noqa: F401  (the fixture: a real server for the streams)

NAMES = ["Ana Reach", "Bo Reach"]


def _looked(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    clock.now = max(a.legible_at, b.legible_at) + SECOND
    web.api("POST", "/api/wrist/look", a.token)
    web.api("POST", "/api/wrist/look", b.token)
    return a, b


def test_i9_the_reach_out_form_offers_the_join_address_to_edit_and_a_safety_note(web, clock):
    a, b = _looked(web, clock)
    web.client.get(f"/wrist/{a.token}")
    here = f"/wrist/me-{handle_of(a.token)}"
    page = web.client.get(here).text
    # Issue 19 item 5: the box starts empty; the join address is one choice that fills it.
    assert re.search(r'id="reach-contact"[^>]*value=""', page)
    assert re.search(rf'id="reach-use-address"[^>]*data-value="{re.escape(a.email)}"', page)
    assert 'id="safety"' in page and "public place" in page and "under 18" in page
    web.form(f"{here}/reach-out", {"contact": "@ana on the school chat"})
    page = web.client.get(here).text
    assert "@ana on the school chat" in page and 'id="withdraw-form"' in page
    assert web.api("GET", "/api/wrist", b.token).json().get("contact") is None
    web.form(f"{here}/reach-out/withdraw")
    back = web.api("GET", "/api/wrist", a.token).json()
    assert back["reached_out"] is False and "my_contact" not in back


def test_i9_a_bad_contact_is_one_line_and_nothing_is_written(web, clock):
    a, _ = _looked(web, clock)
    bad = web.api("POST", "/api/wrist/reach-out", a.token, json={"contact": "x" * 200})
    assert bad.status_code == 422 and bad.json()["code"] == "contact-too-long"
    assert "\n" not in bad.json()["error"] and "80" in bad.json()["error"]
    web.client.get(f"/wrist/{a.token}")
    page = web.form(f"/wrist/me-{handle_of(a.token)}/reach-out", {"contact": "a\nb"})
    assert page.status_code == 422 and "one line" in page.text
    assert web.api("GET", "/api/wrist", a.token).json()["reached_out"] is False


def test_i9_api_reach_out_with_a_contact_then_withdraw_by_post_or_delete(web, clock):
    a, b = _looked(web, clock)
    mine = web.api("POST", "/api/wrist/reach-out", a.token, json={"contact": "@ana"}).json()
    assert mine["my_contact"] == "@ana" and "contact" not in mine
    assert web.api("DELETE", "/api/wrist/reach-out", a.token).json()["reached_out"] is False
    web.api("POST", "/api/wrist/reach-out", a.token, json={"contact": "@ana2"})
    assert web.api("POST", "/api/wrist/reach-out/withdraw", a.token).status_code == 200
    web.api("POST", "/api/wrist/reach-out", a.token, json={"contact": "@ana3"})
    assert web.api("POST", "/api/wrist/reach-out", b.token).json()["contact"] == "@ana3"
    late = web.api("DELETE", "/api/wrist/reach-out", a.token)
    assert late.status_code == 409 and "passed on" in late.json()["error"]


def test_i9_streams_carry_the_chosen_contact_and_a_withdrawal(web, clock, live):  # noqa: F811
    a, b = _looked(web, clock)
    with (
        stream(f"{live.url}/api/wrist/events", a.token) as sa,
        stream(f"{live.url}/api/wrist/events", b.token) as sb,
    ):
        sa.next(), sb.next()
        web.api("POST", "/api/wrist/reach-out", a.token, json={"contact": "@ana first"})
        assert sa.next().data["my_contact"] == "@ana first"
        web.api("DELETE", "/api/wrist/reach-out", a.token)
        assert sa.next().data["reached_out"] is False  # the withdrawal is heard at once
        web.api("POST", "/api/wrist/reach-out", a.token, json={"contact": "@ana again"})
        assert sa.next().data["my_contact"] == "@ana again"
        web.api("POST", "/api/wrist/reach-out", b.token)
        assert sb.next().data["contact"] == "@ana again"  # the partner's stream hears it
        assert sa.next().data["contact"] == b.email

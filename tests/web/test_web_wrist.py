"""The wrist page and its JSON twin through every state (R5, R6, R8, R10, B1, B5)."""

from __future__ import annotations

import re

from soulmark.core.times import SECOND
from soulmark.core.wrist import STROKES

NAMES = ["Tenya Iida", "爆豪勝己"]


def state_of(html: str) -> str:
    return re.search(r'id="wrist"[^>]*data-state="(\w+)"', html).group(1)


def test_wrist_walks_bare_itch_ink_covered_look_reveal_reach_out(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    assert a.partner == b.pid
    moments = [
        (a.itch_start - 1, "bare"),
        (a.itch_start, "itching"),
        (a.ink_start + (a.legible_at - a.ink_start) // 2, "inking"),
        (a.legible_at, "covered"),
    ]
    for at, state in moments:
        clock.now = at
        page = web.client.get(f"/wrist/{a.token}")
        assert page.status_code == 200
        assert state_of(page.text) == state
        data = web.api("GET", "/api/wrist", a.token).json()
        assert data["state"] == state
        assert NAMES[1] not in page.text and "name" not in data and "partner" not in data
    assert 'id="look"' in page.text and 'id="breathe"' in page.text
    assert "in for 4, hold for 5, out for 6" in page.text

    clock.now = a.legible_at + 5 * SECOND
    looked = web.form(f"/wrist/{a.token}/look")
    assert looked.status_code == 200 and state_of(looked.text) == "revealed"
    assert NAMES[1] in looked.text
    assert b.pid in looked.text  # the partner's opaque id, after revealing
    assert 'id="reach-out"' in looked.text and 'id="transcript-link"' in looked.text

    web.form(f"/wrist/{a.token}/reach-out")
    mine = web.api("GET", "/api/wrist", a.token).json()
    assert mine["reached_out"] is True and "contact" not in mine

    clock.now = max(clock.now, b.legible_at)
    web.api("POST", "/api/wrist/look", b.token)
    both = web.api("POST", "/api/wrist/reach-out", b.token).json()
    assert both["contact"] == a.email and both["name"] == NAMES[0]
    assert web.api("GET", "/api/wrist", a.token).json()["contact"] == b.email
    page = web.client.get(f"/wrist/{a.token}")
    assert b.email in page.text and 'id="contact"' in page.text


def test_inking_draws_a_fixed_number_of_strokes_whatever_the_name(web, clock):
    world = web.world(["A", "Wolfeschlegelsteinhausenbergerdorff Hubert Blaine"])
    pages = []
    for p in world.people.values():
        clock.now = p.ink_start + (p.legible_at - p.ink_start) // 2
        html = web.client.get(f"/wrist/{p.token}").text
        assert html.count('class="stroke"') == STROKES
        pages.append(re.sub(r"w_[\w-]+|[0-9a-f]{16}|\d", "", html))
        data = web.api("GET", "/api/wrist", p.token).json()
        assert data["strokes_total"] == STROKES and 0 <= data["progress"] < 1


def test_looking_too_early_is_refused_and_recorded_once(web, clock):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    clock.now = a.ink_start
    refused = web.api("POST", "/api/wrist/look", a.token)
    assert refused.status_code == 409 and "error" in refused.json()
    assert web.form(f"/wrist/{a.token}/look").status_code == 409
    clock.now = a.legible_at + 1
    first = web.api("POST", "/api/wrist/look", a.token).json()["looked_at"]
    clock.now += 60 * SECOND
    assert web.api("POST", "/api/wrist/look", a.token).json()["looked_at"] == first


def test_reach_out_needs_a_look_and_silence_is_never_a_refusal(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    clock.now = max(a.legible_at, b.legible_at)
    assert web.api("POST", "/api/wrist/reach-out", a.token).status_code == 409
    web.api("POST", "/api/wrist/look", a.token)
    web.api("POST", "/api/wrist/reach-out", a.token)
    clock.now += 3600 * SECOND
    data = web.api("GET", "/api/wrist", a.token).json()
    assert "contact" not in data
    assert "declin" not in web.client.get(f"/wrist/{a.token}").text.lower()


def test_unmatched_and_unsealed_wrists_are_bare_and_kind(web, clock):
    world = web.world(["Ana", "Bo", "Cy"])
    alone = next(p for p in world.people.values() if p.partner is None)
    clock.now += 10**12
    data = web.api("GET", "/api/wrist", alone.token).json()
    assert data["state"] == "bare" and data["sealed"] is False
    assert "fate had no match for you" in data["message"] and data["left_out"] is True
    fresh = web.world(["Dee"], seal=False)
    dee = next(iter(fresh.people.values())).token
    page = web.client.get(f"/wrist/{dee}")
    assert state_of(page.text) == "bare" and "Fate has not been drawn yet." in page.text
    assert web.api("GET", "/api/wrist", dee).json()["left_out"] is False


def test_wrist_page_links_the_transcript_and_polls_its_json_twin(web, clock):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    html = web.client.get(f"/wrist/{a.token}").text
    assert 'data-api="/api/wrist"' in html and 'data-poll="1000"' in html
    assert f'href="/w/{world.slug}/transcript"' in html and a.pid in html
    transcript = web.client.get(f"/w/{world.slug}/transcript")
    assert transcript.status_code == 200 and a.pid in transcript.text
    assert web.api("GET", "/api/wrist", a.token).json()["transcript"].endswith("/transcript")

"""Later rounds on the web (R4): the world page stops inviting joins when no round fits."""

from __future__ import annotations

from soulmark import services
from soulmark.core.times import SECOND, iso
from tests.web.conftest import T0, WINDOW


def test_r4_world_page_stops_inviting_joins_when_no_further_round_can_happen(web, clock):
    world = web.world(["A", "B", "C"])
    page = web.client.get(f"/w/{world.slug}")
    assert 'id="join-form"' in page.text and 'id="closed-note"' not in page.text
    assert web.client.get(f"/api/worlds/{world.slug}").json()["joins_open"] is True
    clock.now = T0 + 10 * SECOND + WINDOW - 10 * SECOND
    page = web.client.get(f"/w/{world.slug}")
    assert 'id="join-form"' not in page.text and 'id="closed-note"' in page.text
    assert web.client.get(f"/api/worlds/{world.slug}").json()["joins_open"] is False
    services.join(web.store, world=world.slug, name="D", email="d@school.test", at=clock.now)
    sealing = web.api("POST", "/api/organizer/seal", world.organizer, json={"round": 2})
    assert sealing.status_code == 409 and "new window" in sealing.json()["error"]


def test_r4_organizer_gives_the_next_round_a_new_window(web, clock):
    world = web.world(["A", "B", "C"])
    clock.now = T0 + WINDOW
    board = web.client.get(f"/organizer/{world.organizer}")
    assert 'id="window-spent"' in board.text and 'id="window-form"' in board.text
    bad = web.api(
        "POST",
        "/api/organizer/window",
        world.organizer,
        json={"window_start": "soon", "window_end": "2030-01-01"},
    )
    assert bad.status_code == 422 and "error" in bad.json()
    done = web.form(
        f"/organizer/{world.organizer}/window",
        {"window_start": "2030-09-01", "window_end": "2031-06-30"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    info = web.client.get(f"/api/worlds/{world.slug}").json()
    assert info["joins_open"] is True and info["window_end"] == "2031-06-30T23:59:59.999999Z"
    assert info["rounds"][0]["sealed"] and info["rounds"][1]["commitment"] == info["commitment"]
    assert iso(T0) < info["window_start"]

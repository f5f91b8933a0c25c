"""The planned seal on the web (issue 9): given when a world opens, shown, changed and cleared
on the dashboard before the seal."""

from __future__ import annotations

from sqlalchemy import func, select

from soulmark.core.times import SECOND, iso
from soulmark.services.schedule import seal_due
from soulmark.store.models import WorldRow
from tests.web.conftest import T0
from tests.web.test_web_console import BODY


def test_i9_api_worlds_takes_seal_at_in_the_worlds_zone(web):
    made = web.api("POST", "/api/worlds", json={**BODY, "seal_at": "2030-03-20T18:00"})
    assert made.status_code == 201
    data = made.json()
    assert data["seal_at"] == "2030-03-20T09:00:00.000000Z"
    board = web.api("GET", "/api/organizer", data["organizer_token"]).json()
    assert board["schedule"] == {"seal_at": "2030-03-20T09:00:00.000000Z", "refused": None}
    page = web.client.get(f"/organizer/{data['organizer_token']}").text
    assert 'id="seal-at-note"' in page and 'id="clear-seal-at"' in page


def test_i9_bad_seal_at_opens_no_world(web):
    for bad in ("someday", "2020-01-01T00:00", "2031-03-31T23:00"):
        answer = web.api("POST", "/api/worlds", json={**BODY, "seal_at": bad})
        assert answer.status_code == 422 and "\n" not in answer.json()["error"]
    with web.store.read() as s:
        assert s.scalar(select(func.count()).select_from(WorldRow)) == 0


def test_i9_organizer_sets_and_clears_seal_at_before_the_seal(web):
    world = web.world(["Iida", "Bakugou"], seal=False)
    token = world.organizer
    soon = iso(T0 + 5 * SECOND)  # the test world's window opens at T0 + 10 s
    setting = web.api("POST", "/api/organizer/seal-at", token, json={"seal_at": soon})
    assert setting.json() == {"seal_at": soon, "refused": None}
    cleared = web.api("POST", "/api/organizer/seal-at", token, json={"seal_at": None})
    assert cleared.json() == {"seal_at": None, "refused": None}
    web.form(f"/organizer/{token}/seal-at", {"seal_at": "2030-03-17T17:46:48"})
    board = web.api("GET", "/api/organizer", token).json()
    assert board["schedule"]["seal_at"] == iso(T0 + 8 * SECOND)
    web.form(f"/organizer/{token}/seal-at", {"clear": "1"})
    assert web.api("GET", "/api/organizer", token).json()["schedule"]["seal_at"] is None
    assert web.api("POST", "/api/organizer/seal-at", "o_nope", json={}).status_code == 404


def test_i9_a_refused_planned_seal_is_shown_on_the_dashboard(web):
    world = web.world(["Iida"], seal=False)
    soon = T0 + 5 * SECOND
    web.api("POST", "/api/organizer/seal-at", world.organizer, json={"seal_at": iso(soon)})
    assert seal_due(web.store, at=soon) == 0
    board = web.api("GET", "/api/organizer", world.organizer).json()
    assert "one person" in board["schedule"]["refused"]
    page = web.client.get(f"/organizer/{world.organizer}?lang=ja").text
    assert 'id="seal-refused"' in page and "予約した抽選は行えませんでした" in page

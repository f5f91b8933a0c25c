"""The organizer console (issue 9): a world opened from the browser or the API, its links,
QR code, who may open worlds, and how often."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from soulmark.store.models import WorldRow
from soulmark.store.notice_models import NoticeRow
from soulmark.web import create_app
from tests.mailbox import signins  # noqa: F401  (the mailbox reads every queued kind)

BODY = {
    "name": "Class 1-A",
    "window_start": "2030-04-01",
    "window_end": "2031-03-31",
    "time_zone": "Asia/Tokyo",
}


def test_post_api_worlds_opens_a_world_with_its_links(web):
    made = web.api("POST", "/api/worlds", json={**BODY, "organizer_email": "aizawa@ua.test"})
    assert made.status_code == 201
    data = made.json()
    assert data["organizer_token"].startswith("o_") and len(data["commitment"]) == 64
    assert data["join_url"] == f"http://soulmark.test/w/{data['world']}"
    assert data["organizer_url"].endswith(f"/organizer/#{data['organizer_token']}")
    # Dates in the world's zone; a bare end date is the end of that day there.
    assert data["window_start"] == "2030-03-31T15:00:00.000000Z"
    assert data["window_end"] == "2031-03-31T14:59:59.999999Z"
    assert data["time_zone"] == "Asia/Tokyo"
    assert web.client.get(f"/w/{data['world']}").status_code == 200
    with web.store.transaction() as s:
        mail = s.scalars(select(NoticeRow).where(NoticeRow.kind == "organizer")).one()
        assert mail.to_addr == "aizawa@ua.test" and data["organizer_url"] in (mail.body or "")
        assert data["join_url"] in (mail.body or "")


def test_post_api_worlds_refuses_bad_input_in_one_line(web):
    for bad in (
        {**BODY, "time_zone": "Mars/Olympus"},
        {**BODY, "window_end": "2029-01-01"},
        {**BODY, "window_start": "soon"},
        {**BODY, "organizer_email": "nobody"},
        {**BODY, "name": "   "},
    ):
        answer = web.api("POST", "/api/worlds", json=bad)
        assert answer.status_code == 422 and "\n" not in answer.json()["error"], bad


def test_an_instance_may_let_only_invited_organizers_open_worlds(web):
    web.settings.invite_codes = ("tea-and-fate",)
    with TestClient(create_app(web.settings), base_url="http://soulmark.test") as client:
        refused = client.post("/api/worlds", json=BODY)
        assert refused.status_code == 403 and "invite code" in refused.json()["error"]
        assert 'id="new-code"' in client.get("/new").text
        done = client.post("/api/worlds", json={**BODY, "invite_code": "tea-and-fate"})
        assert done.status_code == 201


def test_opening_worlds_is_rate_limited_per_client(web):
    answers = [web.api("POST", "/api/worlds", json=BODY).status_code for _ in range(11)]
    assert answers == [201] * 10 + [429]


def test_new_page_opens_a_world_and_shows_the_join_link_and_its_qr_code(web):
    page = web.client.get("/new")
    assert page.status_code == 200 and 'id="new-form"' in page.text
    made = web.form(
        "/new", {"name": "Club", "window_start": "2030-04-01", "window_end": "2030-06-30"}
    )
    assert made.status_code == 200
    assert 'id="join-url"' in made.text and 'id="organizer-url"' in made.text
    assert "<svg" in made.text and 'id="join-qr"' in made.text


def test_i19_reloading_the_page_after_new_shows_the_same_world_and_opens_no_second(web):
    form = {"name": "Club", "window_start": "2030-04-01", "window_end": "2030-06-30"}
    answer = web.form(
        "/new", {**form, "organizer_email": "org@school.test"}, follow_redirects=False
    )
    assert answer.status_code == 303 and re.fullmatch(
        r"/organizer/me-[0-9a-f]{16}/opened", answer.headers["location"]
    )
    first = web.client.get(answer.headers["location"])
    again = web.client.get(answer.headers["location"])
    organizer = re.search(r'id="organizer-url"[^>]*value="([^"]+)"', first.text)[1]
    assert organizer == re.search(r'id="organizer-url"[^>]*value="([^"]+)"', again.text)[1]
    assert 'id="mailed-to"' in first.text and 'id="mailed-to"' not in again.text
    with web.store.read() as s:
        assert s.scalar(select(func.count()).select_from(WorldRow)) == 1
    board = web.client.get(organizer.replace("/organizer/#", "/organizer/"))
    assert board.status_code == 200 and "Club" in board.text


def test_dashboard_shows_the_join_link_with_a_copy_button_and_a_qr_code(web):
    world = web.world(["A", "B"], seal=False)
    board = web.client.get(f"/organizer/{world.organizer}").text
    assert f'value="http://soulmark.test/w/{world.slug}"' in board
    assert 'data-copy="join-url"' in board and "<svg" in board.split('id="join-qr"')[1][:400]
    assert 'id="seal-confirm"' in board and "cannot be undone" in board

"""Issue 20 item 4 after the seal: a bearer reports the name on their wrist, the organizer
sees the name and a random report id (never who reported), removes the person, whose contact
is then never passed, and the reporter's wrist says so.  Marks never change (B6)."""

from __future__ import annotations

import json

from soulmark import services
from soulmark.core.times import SECOND
from soulmark.web.session import handle_of

NAMES = ["Ana Report", "Bo Report"]


def _looked(web, clock):
    world = web.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    clock.now = max(a.legible_at, b.legible_at) + SECOND
    web.api("POST", "/api/wrist/look", a.token)
    web.api("POST", "/api/wrist/look", b.token)
    return world, a, b


def test_i20_4_a_name_is_reported_only_once_looked_at(web, clock):
    world = web.world(NAMES)
    a = world.by_name(NAMES[0])
    early = web.api("POST", "/api/wrist/report", a.token)
    assert early.status_code == 409 and early.json()["code"] == "report-early"
    assert web.api("GET", "/api/organizer/reports", world.organizer).json()["reports"] == []


def test_i20_4_the_organizer_sees_the_name_and_a_report_id_never_the_reporter(web, clock):
    world, a, b = _looked(web, clock)
    assert web.api("POST", "/api/wrist/report", a.token).json()["state"] == "reported"
    assert web.api("POST", "/api/wrist/report", a.token).json()["state"] == "reported"
    listed = web.api("GET", "/api/organizer/reports", world.organizer).json()["reports"]
    assert len(listed) == 1 and listed[0]["name"] == b.name and not listed[0]["removed"]
    text = json.dumps(listed)
    assert a.name not in text and a.pid not in text and b.pid not in text
    assert listed[0]["report"].startswith("n_")


def test_i20_4_removing_the_reported_person_withholds_their_contact_and_keeps_marks(web, clock):
    world, a, b = _looked(web, clock)
    transcript = services.transcript_text(web.store, world=world.slug)
    web.api("POST", "/api/wrist/reach-out", b.token, json={"contact": "@bo"})
    web.api("POST", "/api/wrist/report", a.token)
    report = web.api("GET", "/api/organizer/reports", world.organizer).json()["reports"][0]
    gone = web.api("POST", f"/api/organizer/reports/{report['report']}/remove", world.organizer)
    assert gone.status_code == 200 and gone.json()["already"] is False
    again = web.api("POST", f"/api/organizer/reports/{report['report']}/remove", world.organizer)
    assert again.json()["already"] is True
    mine = web.api("POST", "/api/wrist/reach-out", a.token, json={"contact": "@ana"}).json()
    assert "contact" not in mine  # the removed person's contact never completes
    assert web.api("GET", "/api/wrist", b.token).json().get("contact") is None
    assert web.api("GET", "/api/wrist/report", a.token).json()["state"] == "removed"
    assert services.transcript_text(web.store, world=world.slug) == transcript  # B6
    assert web.api("GET", "/api/wrist", a.token).json()["name"] == b.name
    log = web.api("GET", "/api/organizer/log", world.organizer).json()["actions"]
    assert [x["action"] for x in log] == ["removed-reported"]


def test_i20_4_the_wrist_form_reports_and_the_wrist_says_the_organizer_removed_it(web, clock):
    world, a, _ = _looked(web, clock)
    web.client.get(f"/wrist/{a.token}")
    here = f"/wrist/me-{handle_of(a.token)}"
    assert 'id="report-form"' in web.client.get(here).text
    done = web.form(f"{here}/report", follow_redirects=False)
    assert done.status_code == 303
    reported = web.client.get(here).text
    assert 'id="report-sent"' in reported and 'id="reach-out-form"' in reported
    web.client.get(f"/organizer/{world.organizer}")
    board = f"/organizer/me-{handle_of(world.organizer)}"
    page = web.client.get(board).text
    report = web.api("GET", "/api/organizer/reports", world.organizer).json()["reports"][0]
    assert f'data-report="{report["report"]}"' in page
    removed = web.form(f"{board}/reports/{report['report']}/remove", follow_redirects=False)
    assert removed.status_code == 303
    assert 'id="reported-note"' in web.client.get(removed.headers["location"]).text
    after = web.client.get(here).text
    # No reach-out is offered towards a name the organizer removed: it could never complete.
    assert 'id="report-removed"' in after and 'id="reach-out-form"' not in after

"""Issue 5, data lifecycle on the web: export, leave, and the organizer's retention date."""

from __future__ import annotations

from soulmark.core.times import DAY, iso
from soulmark.services.lifecycle import erase_expired
from soulmark.web.session import handle_of

NAMES = ["Ana Lifecycle", "Bo Lifecycle", "Cy Lifecycle", "Di Lifecycle"]


def test_export_downloads_my_data_and_no_one_elses(web, clock):
    world = web.world(NAMES)
    me = world.by_name("Ana Lifecycle")
    data = web.api("GET", "/api/wrist/export", me.token).json()
    assert data["you"]["name"] == "Ana Lifecycle" and data["you"]["person"] == me.pid
    assert all(n not in str(data) for n in NAMES if n != "Ana Lifecycle")
    web.client.get(f"/wrist/{me.token}")
    download = web.client.get("/wrist/me/export")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert download.json()["you"]["email"] == me.email


def test_leaving_through_the_page_ends_the_session_and_keeps_the_mark(web, clock):
    world = web.world(NAMES)
    me = world.by_name("Bo Lifecycle")
    partner = world.people[me.partner]
    clock.now = max(me.legible_at, partner.legible_at)
    web.api("POST", "/api/wrist/look", partner.token)
    web.api("POST", "/api/wrist/reach-out", partner.token)
    web.client.get(f"/wrist/{me.token}")
    left = web.form(f"/wrist/me-{handle_of(me.token)}/leave")
    assert left.status_code == 200 and 'data-removed="false"' in left.text
    session = {"X-Soulmark-Session": handle_of(me.token)}
    assert web.client.get("/api/wrist", headers=session).status_code == 401
    assert not any(name.startswith("sm_wrist") for name in web.client.cookies)
    assert web.api("GET", "/api/wrist", me.token).status_code == 404
    seen = web.api("POST", "/api/wrist/reach-out", partner.token).json()
    assert seen["name"] == "Bo Lifecycle" and "contact" not in seen


def test_leaving_before_seal_removes_me_from_the_roster(web):
    world = web.world(NAMES, seal=False)
    me = world.by_name("Cy Lifecycle")
    assert web.api("POST", "/api/wrist/leave", me.token).json()["removed"] is True
    web.seal(world)
    assert me.pid not in web.client.get(f"/w/{world.slug}/transcript").text


def test_retention_is_set_by_the_organizer_and_erasure_keeps_the_transcript(web, clock):
    world = web.world(NAMES)
    past = web.api(
        "POST", "/api/organizer/retention", world.organizer, json={"until": iso(clock.now - DAY)}
    )
    assert past.status_code == 422 and "future" in past.json()["error"]
    until = clock.now + 30 * DAY
    ok = web.api("POST", "/api/organizer/retention", world.organizer, json={"until": iso(until)})
    assert ok.status_code == 200
    transcript = web.client.get(f"/w/{world.slug}/transcript").text
    assert erase_expired(web.store, at=until + 1) == [world.slug]
    for person in world.people.values():
        assert web.api("GET", "/api/wrist", person.token).status_code == 404
    assert web.client.get(f"/w/{world.slug}/transcript").text == transcript
    assert (
        web.api(
            "POST", "/api/organizer/retention", "o_wrong", json={"until": iso(until)}
        ).status_code
        == 404
    )

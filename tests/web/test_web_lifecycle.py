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
    left = web.form(f"/wrist/me-{handle_of(me.token)}/leave", {"confirm": "yes"})
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
    left = web.api("POST", "/api/wrist/leave", me.token, json={"confirm": True})
    assert left.json()["removed"] is True
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


def test_i19_the_retention_form_answers_with_a_redirect_to_the_date_it_set(web, clock):
    world = web.world(NAMES)
    board = web.client.get(f"/organizer/{world.organizer}").url.path  # its session
    unset = web.client.get(f"{board}/retention")
    assert unset.status_code == 200 and unset.url.path == board
    answer = web.form(f"{board}/retention", {"until": "2031-06-01"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("/retention")
    shown = web.client.get(answer.headers["location"])
    assert shown.status_code == 200 and 'id="retain-until"' in shown.text
    assert "2031" in shown.text and web.client.get(answer.headers["location"]).text == shown.text


def _open(web, person):
    web.client.get(f"/wrist/{person.token}")
    return f"/wrist/me-{handle_of(person.token)}"


def test_i9_leave_asks_first_and_a_bare_post_changes_nothing(web):
    world = web.world(NAMES, seal=False)
    me = world.by_name("Di Lifecycle")
    here = _open(web, me)
    wrist = web.client.get(here).text
    assert f'action="{here}/leave" id="leave-form"' in wrist and 'method="get"' in wrist
    ask = web.client.get(f"{here}/leave")
    assert ask.status_code == 200 and 'data-outcome="removed"' in ask.text
    assert "you are not in the draw" in ask.text and f'href="{here}"' in ask.text
    # A form without the confirmation (an old page) is sent to the question, not obeyed.
    unasked = web.form(f"{here}/leave", follow_redirects=False)
    assert unasked.status_code == 303 and unasked.headers["location"] == f"{here}/leave"
    assert web.api("GET", "/api/wrist", me.token).status_code == 200


def test_i9_leave_api_needs_an_explicit_confirm(web):
    world = web.world(NAMES, seal=False)
    me = world.by_name("Ana Lifecycle")
    for body in (None, {}, {"confirm": False}):
        refused = web.api("POST", "/api/wrist/leave", me.token, json=body)
        assert refused.status_code == 422 and list(refused.json()) == ["error", "code"]
        assert refused.json()["code"] in ("leave-unconfirmed", "invalid-request")
        assert "confirm" in refused.json()["error"] and "\n" not in refused.json()["error"]
    assert web.api("GET", "/api/wrist", me.token).status_code == 200
    assert web.api("GET", "/api/wrist/leave", me.token).json() == {"outcome": "removed"}


def test_i9_leave_text_after_the_seal_says_the_name_stays(web, clock):
    world = web.world(NAMES)
    me = world.by_name("Ana Lifecycle")
    here = _open(web, me)
    assert "name stays on your soulmate" in web.client.get(f"{here}/leave").text
    assert "you are not in the draw" not in web.client.get(here).text
    assert web.api("GET", "/api/wrist/leave", me.token).json() == {"outcome": "drawn"}
    left = web.api("POST", "/api/wrist/leave", me.token, json={"confirm": True}).json()
    assert left["outcome"] == "drawn" and left["removed"] is False

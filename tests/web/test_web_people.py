"""The organizer's roster and removing a name before the draw (issue 20 item 4), and B2:
the roster's ids are never the transcript's, and nobody a draw took is listed."""

from __future__ import annotations

import json

from sqlalchemy import select

from soulmark import services
from soulmark.store.notice_models import NoticeRow


def _roster(web, world):
    answer = web.api("GET", "/api/organizer/people", world.organizer)
    assert answer.status_code == 200
    return answer.json()


def _removed_mails(web) -> list[NoticeRow]:
    with web.store.read() as s:
        rows = list(s.scalars(select(NoticeRow).where(NoticeRow.kind == "removed")))
        s.expunge_all()
        return rows


def test_the_roster_lists_names_by_name_with_ids_that_are_not_the_transcripts(web):
    world = web.world(["Tenya", "Bakugou", "Ochaco"], seal=False)
    roster = _roster(web, world)
    assert [p["name"] for p in roster["people"]] == ["Bakugou", "Ochaco", "Tenya"]
    assert {p["status"] for p in roster["people"]} == {"joined"}
    assert not {p["person"] for p in roster["people"]} & set(world.people)
    assert all(p["person"].startswith("r_") for p in roster["people"])


def test_after_a_draw_the_roster_lists_only_who_joined_since_and_never_the_one_left_out(web):
    world = web.world(["A", "B", "C"])  # odd: one waits for the next draw (R9)
    web.clock.now += 1
    services.join(
        web.store, world=world.slug, name="Late", email="late@school.test", at=web.clock.now
    )
    roster = _roster(web, world)
    assert [p["name"] for p in roster["people"]] == ["Late"]
    doc = json.loads(services.transcript_text(web.store, world=world.slug))
    opaque = {line[0] for line in doc["lines"]}
    assert not {p["person"] for p in roster["people"]} & opaque


def test_removing_a_name_before_the_draw_takes_it_out_and_mails_the_reason(web):
    world = web.world(["Tenya", "Rude Name", "Ochaco"], seal=False)
    rude = next(p for p in _roster(web, world)["people"] if p["name"] == "Rude Name")
    answer = web.api(
        "DELETE",
        f"/api/organizer/people/{rude['person']}",
        world.organizer,
        json={"reason": "Please join with your real name"},
    )
    assert answer.status_code == 200 and answer.json()["told"] is True
    assert [p["name"] for p in _roster(web, world)["people"]] == ["Ochaco", "Tenya"]
    (mail,) = _removed_mails(web)
    assert mail.to_addr == world.by_name("Rude Name").email
    assert "Please join with your real name" in (mail.body or "")
    web.clock.now += 1
    sealed = web.api("POST", "/api/organizer/seal", world.organizer, json={"round": 1}).json()
    assert sealed["people"] == 2
    gone = web.api("GET", "/api/wrist", world.by_name("Rude Name").token)
    assert gone.status_code in (401, 404)


def test_removing_an_invitee_who_never_joined_mails_them_nothing(web):
    world = web.world([], seal=False)
    web.api(
        "POST",
        "/api/organizer/invitations",
        world.organizer,
        json={"csv": "email,name\nx@school.test,X\n"},
    )
    (invitee,) = _roster(web, world)["people"]
    assert invitee["status"] == "invited"
    done = web.api("DELETE", f"/api/organizer/people/{invitee['person']}", world.organizer).json()
    assert done["told"] is False and _removed_mails(web) == []


def test_an_unknown_roster_id_is_a_404_in_json_and_a_transcript_id_opens_nothing(web):
    world = web.world(["A", "B"], seal=False)
    pid = next(iter(world.people))
    for person in ("r_nobody", pid):
        answer = web.api("DELETE", f"/api/organizer/people/{person}", world.organizer)
        assert answer.status_code == 404 and answer.json()["code"] == "person-unknown"
    assert len(_roster(web, world)["people"]) == 2


def test_a_reason_on_two_lines_is_refused_and_nobody_is_removed(web):
    world = web.world(["A", "B"], seal=False)
    person = _roster(web, world)["people"][0]["person"]
    answer = web.api(
        "DELETE", f"/api/organizer/people/{person}", world.organizer, json={"reason": "a\nBcc: x"}
    )
    assert answer.status_code == 422 and answer.json()["code"] == "reason-invalid"
    assert len(_roster(web, world)["people"]) == 2


def test_the_dashboard_lists_the_names_and_its_form_removes_one(web):
    world = web.world(["Tenya", "Fake Person"], seal=False)
    page = web.client.get(f"/organizer/{world.organizer}").text
    assert 'id="roster-list"' in page and "Fake Person" in page
    fake = next(p for p in _roster(web, world)["people"] if p["name"] == "Fake Person")
    done = web.form(
        f"/organizer/{world.organizer}/people/{fake['person']}/remove",
        {"reason": ""},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = web.client.get(done.headers["location"]).text
    assert 'id="removed-note"' in after and "Fake Person" not in after


def test_the_roster_is_the_same_for_two_worlds_that_differ_only_in_their_pairs(web):
    """B2: the organizer's roster cannot say who is paired with whom."""
    views = []
    for _ in range(2):
        world = web.world(["A", "B", "C", "D"])
        web.clock.now += 1
        services.join(
            web.store,
            world=world.slug,
            name="Late",
            email=f"late{len(views)}@s.test",
            at=web.clock.now,
        )
        views.append([(p["name"], p["status"]) for p in _roster(web, world)["people"]])
    assert views[0] == views[1] == [("Late", "joined")]


def _invite_one(web, world, csv="email,name\nx@school.test,X\n"):
    web.api("POST", "/api/organizer/invitations", world.organizer, json={"csv": csv})
    return next(p for p in _roster(web, world)["people"] if p["status"] == "invited")


def test_resending_one_invitation_mails_a_fresh_link_and_the_old_one_stops(web):
    from tests.mailbox import invitations

    world = web.world([], seal=False)
    invitee = _invite_one(web, world)
    old = invitations(web.store)[0]["link"].rsplit("#", 1)[1]
    answer = web.api("POST", f"/api/organizer/people/{invitee['person']}/resend", world.organizer)
    assert answer.status_code == 200 and answer.json()["sent"] == 1
    links = [m["link"].rsplit("#", 1)[1] for m in invitations(web.store)]
    assert len(links) == 2 and links[1] != old
    assert web.api("POST", "/api/invite", json={"code": old}).status_code == 404
    assert web.api("POST", "/api/invite", json={"code": links[1]}).status_code == 200


def test_revoking_an_invitation_is_removing_the_invitee_and_their_link_dies(web):
    from tests.mailbox import invitations

    world = web.world([], seal=False)
    invitee = _invite_one(web, world)
    code = invitations(web.store)[0]["link"].rsplit("#", 1)[1]
    web.api("DELETE", f"/api/organizer/people/{invitee['person']}", world.organizer)
    assert web.api("POST", "/api/invite", json={"code": code}).status_code == 404


def test_one_who_joined_is_not_sent_an_invitation_again(web):
    world = web.world(["Tenya"], seal=False)
    tenya = _roster(web, world)["people"][0]
    answer = web.api("POST", f"/api/organizer/people/{tenya['person']}/resend", world.organizer)
    assert answer.status_code == 409 and answer.json()["code"] == "person-joined"


def test_the_dashboard_offers_resend_for_an_invitee_and_its_button_resends(web):
    from tests.mailbox import invitations

    world = web.world([], seal=False)
    invitee = _invite_one(web, world)
    page = web.client.get(f"/organizer/{world.organizer}").text
    assert f"/people/{invitee['person']}/resend" in page
    done = web.form(
        f"/organizer/{world.organizer}/people/{invitee['person']}/resend", follow_redirects=False
    )
    assert done.status_code == 303 and "invited=1" in done.headers["location"]
    assert len(invitations(web.store)) == 2

"""The world itself (issue 20 item 4): a new name (a new commitment for the open round), a
new organizer link in place of a leaked one, and a message to everyone, rate-limited and
the same for all (B2)."""

from __future__ import annotations

from sqlalchemy import select

from soulmark.core.times import DAY
from soulmark.services.broadcast import PER_DAY
from soulmark.store.notice_models import NoticeRow


def _messages(web) -> list[NoticeRow]:
    with web.store.read() as s:
        rows = list(s.scalars(select(NoticeRow).where(NoticeRow.kind == "message")))
        s.expunge_all()
        return rows


def test_renaming_the_world_changes_its_name_and_recommits_the_open_round(web):
    world = web.world(["A", "B"], seal=False)
    before = web.api("GET", f"/api/worlds/{world.slug}").json()
    answer = web.api("POST", "/api/organizer/name", world.organizer, json={"name": "Class 2-B"})
    assert answer.status_code == 200 and answer.json()["name"] == "Class 2-B"
    after = web.api("GET", f"/api/worlds/{world.slug}").json()
    assert after["name"] == "Class 2-B" and after["commitment"] != before["commitment"]
    assert [h["kind"] for h in after["history"]].count("commitment") == 2


def test_a_bad_name_is_refused_and_nothing_changes(web):
    world = web.world(["A", "B"], seal=False)
    answer = web.api("POST", "/api/organizer/name", world.organizer, json={"name": "  "})
    assert answer.status_code == 422
    assert web.api("GET", f"/api/worlds/{world.slug}").json()["name"] == "Test Academy"


def test_the_dashboard_form_renames_the_world(web):
    world = web.world(["A", "B"], seal=False)
    done = web.form(f"/organizer/{world.organizer}/name", {"name": "Night Club"})
    assert done.status_code == 200 and 'id="renamed-note"' in done.text
    assert "<h1>Night Club</h1>" in done.text


def test_a_replaced_organizer_link_stops_working_and_the_new_one_opens(web):
    world = web.world(["A", "B"], seal=False)
    answer = web.api("POST", "/api/organizer/replace", world.organizer)
    assert answer.status_code == 200
    fresh = answer.json()["organizer_token"]
    assert fresh.startswith("o_") and answer.json()["organizer_url"].endswith(f"#{fresh}")
    assert web.api("GET", "/api/organizer", world.organizer).status_code == 404
    assert web.api("GET", "/api/organizer", fresh).status_code == 200


def test_the_replace_form_shows_the_new_link_once(web):
    world = web.world(["A", "B"], seal=False)
    page = web.form(f"/organizer/{world.organizer}/replace")
    assert page.status_code == 200 and 'id="organizer-replaced"' in page.text
    assert "/organizer/#o_" in page.text
    assert web.client.get(f"/organizer/{world.organizer}").status_code == 404


def test_a_message_to_everyone_reaches_each_participant_with_the_same_words(web):
    world = web.world(["Tenya", "Bakugou", "Ochaco"])
    text = "Doors open at 19:00.\nBring a friend!"
    answer = web.api("POST", "/api/organizer/message", world.organizer, json={"text": text})
    assert answer.status_code == 200 and answer.json()["sent"] == 3
    mails = _messages(web)
    assert {m.to_addr for m in mails} == {p.email for p in world.people.values()}
    assert len({m.body for m in mails}) == 1 and len({m.subject for m in mails}) == 1
    assert text in (mails[0].body or "")
    for person in world.people.values():
        assert person.name not in (mails[0].body or "")


def test_a_message_to_the_unconfirmed_skips_those_who_confirmed(web):
    world = web.world(["Tenya"], domain="school.test", seal=False)
    link = web.mail[0]["link"]
    assert (
        web.api("POST", "/api/confirm", json={"token": link.rsplit("#", 1)[1]}).status_code == 200
    )
    web.form(f"/w/{world.slug}/join", {"name": "Waiting One", "email": "w@school.test"})
    body = {"text": "Please open the link we mailed you.", "audience": "unconfirmed"}
    answer = web.api("POST", "/api/organizer/message", world.organizer, json=body)
    assert answer.json()["sent"] == 1
    assert [m.to_addr for m in _messages(web)] == ["w@school.test"]


def test_messages_are_rate_limited_per_world_a_day(web):
    world = web.world(["A", "B"])
    for _ in range(PER_DAY):
        web.clock.now += 1
        ok = web.api("POST", "/api/organizer/message", world.organizer, json={"text": "Hi"})
        assert ok.status_code == 200
    web.clock.now += 1
    refused = web.api("POST", "/api/organizer/message", world.organizer, json={"text": "Hi"})
    assert refused.status_code == 409 and refused.json()["code"] == "message-quota"
    web.clock.now += DAY
    again = web.api("POST", "/api/organizer/message", world.organizer, json={"text": "Hi"})
    assert again.status_code == 200


def test_a_world_whose_organizer_has_no_confirmed_address_sends_no_message(web):
    made = web.api(
        "POST",
        "/api/worlds",
        json={"name": "Web World", "window_start": "2030-04-01", "window_end": "2030-06-30"},
    ).json()
    refused = web.api(
        "POST", "/api/organizer/message", made["organizer_token"], json={"text": "Hello"}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "sender-unconfirmed"


def test_an_empty_or_controlled_message_is_refused_with_nothing_queued(web):
    world = web.world(["A", "B"])
    for text in ("   ", "a\u202eb", "x" * 2001):
        answer = web.api("POST", "/api/organizer/message", world.organizer, json={"text": text})
        assert answer.status_code == 422 and answer.json()["code"] == "message-invalid"
    assert _messages(web) == []


def test_the_dashboard_form_sends_a_message(web):
    world = web.world(["A", "B"])
    done = web.form(f"/organizer/{world.organizer}/message", {"text": "See you tonight"})
    assert done.status_code == 200 and 'id="messaged-note"' in done.text
    assert len(_messages(web)) == 2


def test_closed_joins_refuse_every_join_alike_until_opened_again(web):
    world = web.world(["Tenya"], seal=False)
    closed = web.api("POST", "/api/organizer/joins", world.organizer, json={"closed": True})
    assert closed.status_code == 200 and closed.json()["joins_closed"] is True
    body = {"name": "Newcomer", "email": "new@school.test"}
    for email in ("new@school.test", world.by_name("Tenya").email):  # nobody learns who is in
        refused = web.api("POST", f"/api/worlds/{world.slug}/join", json={**body, "email": email})
        assert refused.status_code == 409 and refused.json()["code"] == "joins-closed"
    page = web.client.get(f"/w/{world.slug}").text
    assert 'id="joins-closed-note"' in page and 'id="join-form"' not in page
    web.api("POST", "/api/organizer/joins", world.organizer, json={"closed": False})
    assert web.api("POST", f"/api/worlds/{world.slug}/join", json=body).status_code == 201


def test_an_invitation_sent_before_joins_closed_can_still_be_claimed(web):
    from tests.mailbox import invitations

    world = web.world([], seal=False)
    csv = "email,name\nx@school.test,X\n"
    web.api("POST", "/api/organizer/invitations", world.organizer, json={"csv": csv})
    web.api("POST", "/api/organizer/joins", world.organizer, json={"closed": True})
    code = invitations(web.store)[0]["link"].rsplit("#", 1)[1]
    assert web.api("POST", "/api/invite", json={"code": code}).status_code == 200

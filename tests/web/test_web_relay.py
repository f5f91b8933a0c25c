"""Not a spam relay (issue 17): a world opened from the web mails nobody but its organizer
until the organizer confirms an address of their own, and invitations have quotas."""

from __future__ import annotations

from sqlalchemy import func, select

from soulmark.notices.compose import invitation, render
from soulmark.services.senders import Quotas
from soulmark.store.models import PersonRow
from soulmark.store.notice_models import NoticeRow
from tests.mailbox import invitations, sender_links

BODY = {
    "name": "FREE iPhone - click",
    "window_start": "2030-04-01",
    "window_end": "2031-03-31",
    "time_zone": "Asia/Tokyo",
}


def _list(n: int, start: int = 0) -> str:
    return "email\n" + "".join(f"victim{i}@mail.test\n" for i in range(start, start + n))


def _open(web, **extra):
    made = web.api("POST", "/api/worlds", json={**BODY, **extra})
    assert made.status_code == 201, made.text
    return made.json()


def _invite(web, token: str, csv: str):
    return web.api("POST", "/api/organizer/invitations", token, json={"csv": csv})


def _count(web, model, *where) -> int:
    with web.store.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _code(link: str) -> str:
    assert "/sender/#c_" in link, "the code travels after the fragment"
    return link.rsplit("#", 1)[1]


def test_i17_an_anonymous_world_sends_no_invitation_before_confirming_and_at_most_the_quota(web):
    web.settings.invite_quotas = Quotas(world_day=300, instance_hour=5_000)
    made = _open(web, organizer_email="spammer@own.test")
    refused = _invite(web, made["organizer_token"], _list(1_000))
    assert refused.status_code == 409 and refused.json()["code"] == "sender-unconfirmed"
    assert invitations(web.store) == [] and _count(web, PersonRow) == 0, "nothing half-written"
    [mailed] = sender_links(web.store)
    assert mailed["to"] == "spammer@own.test"
    code = _code(mailed["link"])
    # The link's page posts its fragment; what it shows only asks (mail scanners follow links).
    page = web.form("/open/sender", {"link": mailed["link"]})
    assert page.status_code == 200 and 'id="sender-form"' in page.text
    assert _invite(web, made["organizer_token"], _list(1)).status_code == 409
    assert web.api("POST", "/api/sender", json={"code": code}).json()["confirmed"] is True
    over = _invite(web, made["organizer_token"], _list(1_000))
    assert over.status_code == 409 and over.json()["code"] == "invite-quota-world"
    assert invitations(web.store) == []
    assert _invite(web, made["organizer_token"], _list(300)).json()["sent"] == 300
    more = _invite(web, made["organizer_token"], _list(1, start=300))
    assert more.json()["code"] == "invite-quota-world"
    assert len(invitations(web.store)) == 300


def test_i19_confirming_the_address_answers_with_a_redirect_that_a_reload_shows_again(web):
    made = _open(web, organizer_email="org@own.test")
    [mailed] = sender_links(web.store)
    answer = web.form("/sender", {"code": _code(mailed["link"])}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sender/done"
    for _ in range(2):
        shown = web.client.get("/sender/done")
        assert shown.status_code == 200 and 'id="sender-done"' in shown.text
        assert made["name"] in shown.text
    assert web.api("GET", "/api/organizer", made["organizer_token"]).json()["mail_held"] is False


def test_i17_a_world_opened_without_an_address_asks_for_the_link_on_its_dashboard(web):
    made = _open(web)
    token = made["organizer_token"]
    board = web.client.get(f"/organizer/{token}").text
    assert 'id="sender-ask"' in board
    assert web.api("GET", "/api/organizer", token).json()["mail_held"] is True
    asked = web.api("POST", "/api/organizer/sender", token, json={"email": "Aizawa@UA.test"})
    assert asked.status_code == 200
    first = _code(sender_links(web.store)[-1]["link"])
    web.api("POST", "/api/organizer/sender", token, json={"email": "aizawa@ua.test"})
    second = _code(sender_links(web.store)[-1]["link"])
    gone = web.api("POST", "/api/sender", json={"code": first})
    assert gone.status_code == 404, "asking again makes the earlier link stop working"
    assert web.api("POST", "/api/sender", json={"code": second}).status_code == 200
    assert web.api("GET", "/api/organizer", token).json()["mail_held"] is False
    assert _invite(web, token, _list(2)).json()["sent"] == 2
    again = web.api("POST", "/api/organizer/sender", token, json={"email": "a@ua.test"})
    assert again.json()["code"] == "sender-confirmed"


def test_i17_the_site_quota_holds_across_worlds(web):
    web.settings.invite_quotas = Quotas(world_day=1_000, instance_hour=5)
    worlds = [web.world([], seal=False) for _ in range(2)]  # opened by the operator: trusted
    assert _invite(web, worlds[0].organizer, _list(4)).json()["sent"] == 4
    refused = _invite(web, worlds[1].organizer, _list(2, start=10))
    assert refused.status_code == 409 and refused.json()["code"] == "invite-quota-site"
    assert _count(web, NoticeRow, NoticeRow.kind == "invite") == 4


def test_i17_the_refusal_is_said_in_japanese_by_its_code(web):
    made = _open(web)
    headers = {"Authorization": f"Bearer {made['organizer_token']}", "Accept-Language": "ja"}
    answer = web.client.post("/api/organizer/invitations", json={"csv": _list(1)}, headers=headers)
    assert answer.json()["code"] == "sender-unconfirmed"
    assert answer.json()["error"].isascii() is False


def test_i17_a_world_name_in_a_subject_is_quoted_and_never_the_whole_subject():
    name = "FREE iPhone - click " + "x" * 100
    subject, _ = invitation(world_name=name, link="http://s.test/invite/k_x", days=7)
    assert subject.startswith("You are invited to \u201cFREE iPhone - click")
    assert subject.endswith("\u2026\u201d") and len(subject) < 100
    tingles, _ = render("tingles", world_name="Class 1-A", slug="c", base_url="http://s.test")
    assert tingles == "Your wrist tingles - \u201cClass 1-A\u201d"
    ja, _ = render("stopped", world_name="1年A組", slug="c", base_url="http://s.test", lang="ja")
    assert "\u300c1年A組\u300d" in ja

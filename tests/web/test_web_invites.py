"""Invitations by CSV (issue 9): one-time claim links mailed, claimed by a POST, counted on
the organizer's dashboard, and no key to a wrist ever handed to the organizer."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.notices.queue import outbox_messages
from soulmark.services.invites import INVITE_TTL
from soulmark.store.models import PersonRow
from soulmark.store.notice_models import NoticeRow
from tests.mailbox import invitations, signins

KEY = re.compile(r"\b[wk]_[A-Za-z0-9_-]{16,}")
"""A wrist token or a one-time code."""
CSV = "email,name,group\nTenya@School.test,Tenya Iida,1-A\nochaco@school.test,,\n"


def code_of(link: str) -> str:
    return link.rsplit("#", 1)[1]


def _people(web) -> int:
    with web.store.read() as s:
        return s.scalar(select(func.count()).select_from(PersonRow)) or 0


def _invite(web, world, **body):
    return web.api("POST", "/api/organizer/invitations", world.organizer, json=body)


def test_i9_invite_mails_one_time_links_and_gives_the_organizer_no_key(web):
    world = web.world([], seal=False)
    answer = _invite(web, world, csv=CSV)
    assert answer.status_code == 200
    assert answer.json() == {
        "world": world.slug,
        "sent": 2,
        "skipped": 0,
        "suppressed": 0,
        "duplicates": 0,
    }
    mails = invitations(web.store)
    assert [m["to"] for m in mails] == ["Tenya@school.test", "ochaco@school.test"]
    assert all(m["link"].startswith("http://soulmark.test/invite/#k_") for m in mails)
    board = web.api("GET", "/api/organizer", world.organizer).json()
    assert board["invitations"] == {"sent": 2, "claimed": 0, "refused": 0, "suppressed": 0}
    assert board["counts"]["invited"] == 2 and board["counts"]["unconfirmed"] == 0
    for body in (answer.text, str(board), web.client.get(f"/organizer/{world.organizer}").text):
        assert not KEY.search(body)


def test_i9_claim_link_is_not_used_by_a_get_and_works_once(web):
    world = web.world(["Bakugou"], seal=False)
    _invite(web, world, invitations=[{"email": "tenya@school.test", "name": "Tenya Iida"}])
    code = code_of(invitations(web.store)[0]["link"])
    for _ in range(2):  # a mail scanner prefetching the link uses nothing up
        page = web.client.get(f"/invite/{code}?lang=ja")
        assert page.status_code == 200 and 'id="claim-button"' in page.text
        assert 'value="Tenya Iida"' in page.text
    opened = web.form(f"/invite/{code}", {"name": "Iida Tenya"})
    assert opened.status_code == 200 and 'id="wrist"' in opened.text
    assert 'data-token="me' in opened.text, "the claim became this browser's session"
    again = web.form(f"/invite/{code}", {"name": "Someone Else"})
    assert again.status_code == 404
    with web.store.read() as s:
        person = s.scalars(
            select(PersonRow).where(PersonRow.email_key == "tenya@school.test")
        ).one()
    assert (person.confirmed, person.name, person.lang) == (True, "Iida Tenya", "ja")
    board = web.api("GET", "/api/organizer", world.organizer).json()
    assert board["invitations"] == {"sent": 1, "claimed": 1, "refused": 0, "suppressed": 0}
    sealed = web.api("POST", "/api/organizer/seal", world.organizer, json={"round": 1}).json()
    assert sealed["people"] == 2, "the claimed invitee is drawn with the others"


def test_i9_claim_api_returns_the_token_only_to_the_invitee(web):
    world = web.world([], seal=False)
    _invite(web, world, invitations=[{"email": "tenya@school.test"}])
    code = code_of(invitations(web.store)[0]["link"])
    nameless = web.api("POST", "/api/invite", json={"code": code})
    assert nameless.status_code == 422, "an invitation without a name asks for one"
    token = web.api("POST", "/api/invite", json={"code": code, "name": "Tenya"}).json()["token"]
    assert web.api("GET", "/api/wrist", token).json()["world"] == world.slug


def test_i9_reinviting_an_address_makes_no_second_person(web):
    world = web.world(["Bakugou"], seal=False)
    _invite(web, world, csv="email\nochaco@school.test\n")
    again = _invite(web, world, csv="email\nOchaco@School.test\np0@school.test\n").json()
    # Ochaco holds a live invitation (a list sent twice is sent once); p0 had joined.
    assert again == {"world": world.slug, "sent": 0, "skipped": 2, "suppressed": 0, "duplicates": 0}
    assert _people(web) == 2
    assert len(invitations(web.store)) == 1
    board = web.api("GET", "/api/organizer", world.organizer).json()
    assert board["invitations"] == {"sent": 1, "claimed": 0, "refused": 0, "suppressed": 0}


def test_i9_invitation_expires_after_seven_days(web, clock):
    world = web.world([], seal=False)
    _invite(web, world, csv="email,name\ntenya@school.test,Tenya\n")
    code = code_of(invitations(web.store)[0]["link"])
    clock.now += INVITE_TTL
    assert web.client.get(f"/invite/{code}").status_code == 404
    assert web.api("POST", "/api/invite", json={"code": code}).status_code == 404


def test_i9_bad_csv_is_refused_whole_with_one_line(web):
    world = web.world(["Bakugou"], seal=False)
    cases = {
        "email,name\nok@school.test,Ok\nnot an address,Bad\n": "line 3",
        "name\nTenya\n": "email column",
        "email\n": "no one to invite",
    }
    for text, words in cases.items():
        answer = _invite(web, world, csv=text)
        assert answer.status_code == 422 and words in answer.json()["error"]
        assert "\n" not in answer.json()["error"]
    page = web.form(
        f"/organizer/{world.organizer}/invitations",
        files={"csv": ("bad.csv", b"email\n\xff\xfe\n", "text/csv")},
    )
    assert page.status_code == 422
    assert _people(web) == 1
    with web.store.read() as s:
        assert s.scalar(select(func.count()).select_from(NoticeRow)) == 0


def test_i9_domain_world_refuses_an_outside_address_and_writes_nothing(web):
    world = web.world([], domain="school.test", seal=False)
    answer = _invite(web, world, csv="email\nok@school.test\nout@elsewhere.test\n")
    assert answer.status_code == 422 and "out@elsewhere.test" in answer.json()["error"]
    assert _people(web) == 0 and invitations(web.store) == []


def test_i9_dashboard_uploads_a_csv_and_shows_counts(web):
    world = web.world([], seal=False)
    sent = web.form(
        f"/organizer/{world.organizer}/invitations",
        files={"csv": ("class.csv", CSV.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = web.client.get(sent.headers["location"])
    assert 'id="invited-note"' in page.text
    assert 'id="invitations-sent">2<' in page.text
    assert 'id="invitations-claimed">0<' in page.text


def test_i9_invitation_mail_speaks_the_organizers_language(web):
    world = web.world([], seal=False)
    web.client.get("/?lang=ja")
    web.form(
        f"/organizer/{world.organizer}/invitations",
        files={"csv": ("class.csv", b"email\ntenya@school.test\n", "text/csv")},
    )
    with web.store.read() as s:
        subject = s.scalar(select(NoticeRow.subject).where(NoticeRow.kind == "invite"))
    assert subject is not None and subject.isascii() is False


def test_i9_the_worker_delivers_invitations_with_their_links(web):
    world = web.world([], seal=False)
    _invite(web, world, csv="email\ntenya@school.test\n")
    report = deliver_due(web.store, NoticeSettings(), now_us=web.clock.now)
    assert report.sent == 1 and report.failed == 0
    [mail] = outbox_messages(web.store)
    assert mail["kind"] == "invite" and invitations(web.store)[0]["link"] in mail["body"]


def test_i9_an_unclaimed_invitation_is_no_wrist_to_sign_in_to(web):
    world = web.world([], domain="school.test", seal=False)
    _invite(web, world, csv="email\ntenya@school.test\n")
    web.api(
        "POST", f"/api/worlds/{world.slug}/join", json={"name": "Ochaco", "email": "o@school.test"}
    )
    for address in ("tenya@school.test", "o@school.test"):
        web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": address})
    assert [m["to"] for m in signins(web.store)] == ["o@school.test"], "only someone who joined"


def test_i9_a_spent_invitation_says_so_in_the_readers_language(web, clock):
    world = web.world([], seal=False)
    _invite(web, world, csv="email,name\ntenya@school.test,Tenya\n")
    code = code_of(invitations(web.store)[0]["link"])
    clock.now += INVITE_TTL
    page = web.client.get(f"/invite/{code}?lang=ja")
    assert page.status_code == 404 and "主催者に新しい招待を頼んでください" in page.text
    bad = _invite(web, world, csv="email\nnope\n")
    assert bad.status_code == 422 and "2行目が正しくありません" in bad.json()["error"]


def test_i20_a_csv_as_spreadsheets_write_it_is_read(web):
    world = web.world([], seal=False)
    spreadsheets = [
        "\ufeffEmail,Name\r\nA@School.test,Tenya Iida\r\n,\r\n",  # Excel: BOM, capitals, blank row
        "EMAIL;NAME;Group\nb@school.test;Ochaco Uraraka;1-A\n\n",  # semicolons
        " email \tname\nc@school.test\tShoto Todoroki\n",  # tabs, spaces around a header
    ]
    for text in spreadsheets:
        answer = _invite(web, world, csv=text)
        assert answer.status_code == 200 and answer.json()["sent"] == 1, (text, answer.json())
    names = sorted(m["to"] for m in invitations(web.store))
    assert names == ["A@school.test", "b@school.test", "c@school.test"]


def test_i20_a_bad_line_is_named_by_its_number_in_the_readers_language(web):
    world = web.world([], seal=False)
    text = "Email;Name\nok@school.test;Ok\n\nnot an address;Bad\n"
    answer = _invite(web, world, csv=text)
    assert answer.status_code == 422 and answer.json()["error"].startswith("line 4:")
    headers = {"Authorization": f"Bearer {world.organizer}", "Accept-Language": "ja"}
    ja = web.client.post("/api/organizer/invitations", json={"csv": text}, headers=headers)
    assert ja.json()["code"] == "invitations-invalid" and "4" in ja.json()["error"]
    assert invitations(web.store) == [] and _people(web) == 0, "nothing sent, nothing written"


def test_i20_a_row_listed_twice_counts_as_skipped(web):
    world = web.world([], seal=False)
    answer = _invite(web, world, csv="email\nx@school.test\nX@school.test\n").json()
    assert answer == {
        "world": world.slug,
        "sent": 1,
        "skipped": 1,
        "suppressed": 0,
        "duplicates": 1,
    }

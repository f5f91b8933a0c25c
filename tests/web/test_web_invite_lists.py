"""Lists as spreadsheets write them, previewed before sending (issue 20 item 2): nothing
leaves until the organizer has seen the counts and the first rows; each mail greets its
invitee by the list's name and says who invites."""

from __future__ import annotations

from sqlalchemy import func, select

from soulmark.store.notice_models import NoticeRow

EXCEL = "\ufeffEmail;Name;Group\r\ntenya@school.test;Tenya Iida;1-A\r\n\r\nochaco@school.test;;\r\n"
TWICE = "email\tname\nA@school.test\tA\na@school.test\tA again\nb@school.test\tB\n"


def _mails(web) -> list[NoticeRow]:
    with web.store.read() as s:
        rows = s.scalars(select(NoticeRow).where(NoticeRow.kind == "invite")).all()
        s.expunge_all()
        return list(rows)


def _preview(web, world, **body):
    return web.api("POST", "/api/organizer/invitations/preview", world.organizer, json=body)


def test_preview_counts_the_list_and_sends_nothing(web):
    world = web.world(["Bakugou"], seal=False)
    seen = _preview(web, world, csv=TWICE + "p0@school.test\tBakugou\n")
    assert seen.status_code == 200
    body = seen.json()
    assert (body["rows"], body["invitees"], body["duplicates"]) == (4, 3, 1)
    assert (body["skipped"], body["to_send"]) == (1, 2)  # Bakugou joined already
    assert body["first"][0] == {"email": "A@school.test", "name": "A", "group": None}
    assert _mails(web) == []


def test_preview_of_a_bad_line_names_it_and_writes_nothing(web):
    world = web.world([], seal=False)
    bad = _preview(web, world, csv="Email\nok@school.test\n\nnot-an-address\n")
    assert bad.status_code == 422 and bad.json()["code"] == "invitations-invalid"
    assert "line 4" in bad.json()["error"]
    with web.store.read() as s:
        assert s.scalar(select(func.count()).select_from(NoticeRow)) == 0


def test_a_spreadsheets_csv_is_previewed_then_sent_from_the_dashboard(web):
    world = web.world([], seal=False)
    page = web.form(
        f"/organizer/{world.organizer}/invitations/preview",
        {"inviter": "Ms Sato"},
        files={"csv": ("class.csv", EXCEL.encode(), "text/csv")},
    )
    assert page.status_code == 200 and 'id="invite-preview"' in page.text
    assert 'id="preview-to-send">2<' in page.text and "Tenya Iida" in page.text
    assert "Ms Sato invites you to" in page.text
    assert _mails(web) == []  # the preview sent nothing
    sent = web.form(
        f"/organizer/{world.organizer}/invitations",
        {"csv_text": EXCEL, "inviter": "Ms Sato"},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and "invited=2" in sent.headers["location"]
    assert len(_mails(web)) == 2


def test_rows_listed_twice_are_counted_and_said_on_the_dashboard(web):
    world = web.world([], seal=False)
    sent = web.form(
        f"/organizer/{world.organizer}/invitations",
        files={"csv": ("twice.csv", TWICE.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert "invited=2&skipped=1&suppressed=0&twice=1" in sent.headers["location"]
    page = web.client.get(sent.headers["location"]).text
    assert 'id="invited-twice"' in page and "1 rows" not in page


def test_each_invitation_greets_by_the_lists_name_and_says_who_invites(web):
    world = web.world([], seal=False)
    answer = web.api(
        "POST",
        "/api/organizer/invitations",
        world.organizer,
        json={"csv": EXCEL, "inviter": "Ms Sato"},
    )
    assert answer.status_code == 200 and answer.json()["sent"] == 2
    by_to = {m.to_addr: m for m in _mails(web)}
    tenya, ochaco = by_to["tenya@school.test"], by_to["ochaco@school.test"]
    assert "Ms Sato invites you to" in (tenya.subject or "")
    assert (tenya.body or "").startswith("Hello Tenya Iida,")
    assert "Ms Sato invites you to join Test Academy" in (tenya.body or "")
    assert not (ochaco.body or "").startswith("Hello")  # no name on the list: no greeting


def test_without_an_inviter_the_invitation_reads_as_before(web):
    world = web.world([], seal=False)
    web.api("POST", "/api/organizer/invitations", world.organizer, json={"csv": EXCEL})
    subjects = {m.subject for m in _mails(web)}
    assert all((s or "").startswith("You are invited to") for s in subjects)


def test_an_inviter_name_on_two_lines_is_refused_with_nothing_sent(web):
    world = web.world([], seal=False)
    answer = web.api(
        "POST",
        "/api/organizer/invitations",
        world.organizer,
        json={"csv": EXCEL, "inviter": "Ms Sato\nBcc: x@evil.test"},
    )
    assert answer.status_code == 422 and answer.json()["code"] == "inviter-invalid"
    assert _mails(web) == []


def test_the_invitation_in_japanese_names_the_inviter(web):
    world = web.world([], seal=False)
    headers = {"Authorization": f"Bearer {world.organizer}", "Accept-Language": "ja"}
    body = {"csv": EXCEL, "inviter": "佐藤先生"}
    web.client.post("/api/organizer/invitations", json=body, headers=headers)
    mail = next(m for m in _mails(web) if m.to_addr == "tenya@school.test")
    assert "佐藤先生" in (mail.subject or "") and "佐藤先生" in (mail.body or "")
    assert "Tenya Iida" in (mail.body or "") and "招待" in (mail.subject or "")

"""Ways back to a wrist (issue 9): lost links recovered by mail, one-time codes, new links."""

from __future__ import annotations

from soulmark.core.times import MINUTE
from soulmark.notices.compose import signin
from soulmark.services.signin import CODE_TTL
from soulmark.web.session import handle_of
from tests.mailbox import signins


def code_of(link: str) -> str:
    return link.rsplit("#", 1)[1]


def test_recover_answers_the_same_whether_or_not_the_address_joined(web):
    world = web.world(["Iida", "Bakugou"], seal=False)
    known = web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "P0@school.test"})
    unknown = web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "x@school.test"})
    junk = web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "not an address"})
    for answer in (known, unknown, junk):
        assert answer.status_code == 202 and answer.json() == {"sent": True}
    mails = signins(web.store)
    assert [m["to"] for m in mails] == ["p0@school.test"]
    assert mails[0]["link"].startswith("http://soulmark.test/signin/#k_")
    page = web.form(f"/w/{world.slug}/recover", {"email": "nobody@school.test"})
    # Post/redirect/get (issue 19 item 4): the form lands on a page a reload cannot resend.
    assert page.status_code == 200 and 'id="recover-sent"' in page.text
    assert str(page.url).endswith(f"/w/{world.slug}/recover/sent")
    assert 'id="recover-form"' in web.client.get(f"/w/{world.slug}").text


def test_recover_is_rate_limited_per_client(web):
    world = web.world(["Iida", "Bakugou"], seal=False)
    answers = [
        web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": f"{i}@x.test"})
        for i in range(6)
    ]
    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert "error" in answers[-1].json()


def test_signin_code_is_one_time_and_not_used_by_a_get(web):
    world = web.world(["Iida", "Bakugou"])
    old = world.by_name("Iida").token
    web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "p0@school.test"})
    code = code_of(signins(web.store)[0]["link"])
    for _ in range(2):  # a mail scanner prefetching the link uses nothing up
        page = web.client.get(f"/signin/{code}")
        assert page.status_code == 200 and 'id="signin-button"' in page.text
    token = web.api("POST", "/api/signin", json={"code": code}).json()["token"]
    assert token.startswith("w_") and token != old
    assert web.api("GET", "/api/wrist", token).json()["world"] == world.slug
    assert web.api("GET", "/api/wrist", old).status_code == 404, "the old link is revoked"
    again = web.api("POST", "/api/signin", json={"code": code})
    assert again.status_code == 404 and "already used" in again.json()["error"]
    assert web.client.get(f"/signin/{code}").status_code == 404


def test_signin_code_expires_after_thirty_minutes(web, clock):
    world = web.world(["Iida", "Bakugou"])
    web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "p1@school.test"})
    code = code_of(signins(web.store)[0]["link"])
    clock.now += CODE_TTL
    assert CODE_TTL == 30 * MINUTE
    assert web.api("POST", "/api/signin", json={"code": code}).status_code == 404


def test_signin_page_opens_the_wrist_in_this_browser(web):
    world = web.world(["Iida", "Bakugou"])
    web.form(f"/w/{world.slug}/recover", {"email": "p0@school.test"})
    code = code_of(signins(web.store)[0]["link"])
    opened = web.form(f"/signin/{code}")
    assert opened.status_code == 200 and 'id="wrist"' in opened.text
    assert 'data-token="me' in opened.text, "the token left the address bar for a session"


def test_replace_link_revokes_the_old_one(web):
    world = web.world(["Iida", "Bakugou"])
    old = world.by_name("Iida").token
    fresh = web.api("POST", "/api/wrist/replace", old).json()["token"]
    assert web.api("GET", "/api/wrist", old).status_code == 404
    assert web.api("GET", "/api/wrist", fresh).status_code == 200
    web.client.get(f"/wrist/{fresh}")
    page = web.form(f"/wrist/me-{handle_of(fresh)}/replace")
    assert page.status_code == 200 and 'id="new-link"' in page.text
    assert web.api("GET", "/api/wrist", fresh).status_code == 404


def test_leaving_before_the_seal_forgets_its_sign_in_codes(web):
    world = web.world(["Iida", "Bakugou"], seal=False)
    web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "p0@school.test"})
    code = code_of(signins(web.store)[0]["link"])
    left = web.api("POST", "/api/wrist/leave", world.by_name("Iida").token, json={"confirm": True})
    assert left.status_code == 200 and left.json()["removed"] is True
    assert web.api("POST", "/api/signin", json={"code": code}).status_code == 404


def test_sign_in_mail_is_written_in_the_language_the_person_joined_in():
    subject, body = signin(world_name="雄英", link="http://x/signin/k_1", minutes=30, lang="ja")
    assert subject == "「雄英」の手首にサインイン" and "30 分以内" in body and "k_1" in body
    subject, body = signin(world_name="UA", link="http://x/signin/k_1", minutes=30)
    assert subject == "Sign in to your wrist in \u201cUA\u201d" and "within 30 minutes" in body

"""Issue 22, items 12 and 15: links carry their token after "#", and only a token that opens
something becomes a cookie."""

from __future__ import annotations

import re

from soulmark.web.session import handle_of
from tests.mailbox import confirmations, invitations, signins

NAMES = ["Ana Link", "Bo Link", "Cy Link", "Di Link"]
JUNK = "w_thisIsNoTokenAnyoneWasEverGiven00"


def _session_cookies(web) -> list[str]:
    return [
        name for name in web.client.cookies if name.startswith(("sm_wrist", "sm_share", "sm_org"))
    ]


def _sets_a_session(response) -> bool:
    return any(
        c.startswith("sm_") and not c.startswith("sm_csrf")
        for c in response.headers.get_list("set-cookie")
    )


def _opens(response, kind: str, token: str) -> bool:
    handle = handle_of(token)
    cookie = next((c for c in response.headers.get_list("set-cookie") if c.startswith("sm_")), "")
    return (
        response.status_code == 303
        and response.headers["location"] == f"/{kind}/me-{handle}"
        and cookie.startswith(f"sm_{'org' if kind == 'organizer' else kind}_{handle}={token}")
    )


def test_issue22_a_junk_link_sets_no_cookie(web):
    web.world(NAMES)
    for path in (
        f"/wrist/{JUNK}",
        "/share/s_junkjunkjunkjunkjunkjunk",
        "/organizer/o_junkjunkjunk",
    ):
        r = web.client.get(path, follow_redirects=False)
        assert r.status_code == 404 and not _sets_a_session(r), path
        assert "does not work" in r.text and JUNK not in r.text
    shaped = web.form("/open/wrist", {"link": f"http://soulmark.test/wrist/#{JUNK}"})
    assert shaped.status_code == 404 and not _sets_a_session(shaped)
    assert "This wrist link does not work" in shaped.text
    assert _session_cookies(web) == []
    # ...in the reader's language.
    ja = web.client.get(f"/wrist/{JUNK}", headers={"Accept-Language": "ja"})
    assert ja.status_code == 404 and "This wrist link" not in ja.text and 'lang="ja"' in ja.text


def test_issue22_a_junk_link_plants_nothing_in_the_chooser(web):
    world = web.world(NAMES)
    me = world.by_name("Ana Link")
    web.client.get(f"/wrist/{me.token}")
    web.client.get(f"/wrist/{JUNK}")
    web.form("/open/wrist", {"link": "w_" + "x" * 32})
    # One wrist: /wrist/me goes straight to it rather than asking which.
    page = web.client.get("/wrist/me", follow_redirects=False)
    assert (
        page.status_code == 303 and page.headers["location"] == f"/wrist/me-{handle_of(me.token)}"
    )


def test_issue22_the_new_link_opens_by_its_fragment_through_a_post(web):
    world = web.world(NAMES)
    me = world.by_name("Bo Link")
    landing = web.client.get("/wrist/")
    assert landing.status_code == 200 and 'id="open-form"' in landing.text
    assert 'action="/open/wrist"' in landing.text and 'name="link"' in landing.text
    assert not _sets_a_session(landing)
    # What the page's script posts (the fragment), and what a person may paste instead.
    for pasted in (me.token, f"#{me.token}", f"http://soulmark.test/wrist/#{me.token}"):
        web.client.cookies.clear()
        r = web.form("/open/wrist", {"link": pasted}, follow_redirects=False)
        assert _opens(r, "wrist", me.token), pasted
        assert me.token not in r.headers["location"]
    page = web.client.get(f"/wrist/me-{handle_of(me.token)}")
    assert page.status_code == 200 and 'id="wrist"' in page.text and me.token not in page.text


def test_issue22_share_and_organizer_links_open_by_their_fragment(web):
    world = web.world(NAMES)
    me = world.by_name("Cy Link")
    made = web.api("POST", "/api/wrist/shares", me.token).json()
    assert made["url"] == f"http://soulmark.test/share/#{made['token']}"
    for kind, token in (("share", made["token"]), ("organizer", world.organizer)):
        assert 'id="open-form"' in web.client.get(f"/{kind}/").text
        r = web.form(f"/open/{kind}", {"link": token}, follow_redirects=False)
        assert _opens(r, kind, token), kind
        assert web.client.get(r.headers["location"]).status_code == 200
    # A link pasted on another kind's page still opens as what it is.
    r = web.form("/open/wrist", {"link": f"http://soulmark.test/share/#{made['token']}"})
    assert r.status_code == 200 and str(r.url).endswith(f"/share/me-{handle_of(made['token'])}")


def test_issue22_old_links_keep_working(web):
    world = web.world(NAMES)
    me = world.by_name("Di Link")
    share = web.api("POST", "/api/wrist/shares", me.token).json()["token"]
    for kind, token in (("wrist", me.token), ("share", share), ("organizer", world.organizer)):
        r = web.client.get(f"/{kind}/{token}?lang=ja", follow_redirects=False)
        assert (
            r.status_code == 303
            and r.headers["location"] == f"/{kind}/me-{handle_of(token)}?lang=ja"
        )
        assert f"={token}" in r.headers["set-cookie"]
        assert web.client.get(r.headers["location"]).status_code == 200
    pasted = web.form("/open/wrist", {"link": f"http://soulmark.test/wrist/{me.token}?lang=en"})
    assert pasted.status_code == 200 and 'id="wrist"' in pasted.text


def test_issue22_every_link_handed_out_carries_its_token_after_the_fragment(web):
    world = web.world(["Ed Link"], seal=False)
    joined = web.form(f"/w/{world.slug}/join", {"name": "Flo Link", "email": "flo@school.test"})
    shown = re.search(r'id="wrist-link" class="big-link" href="([^"]+)"', joined.text).group(1)
    assert re.fullmatch(r"http://soulmark\.test/wrist/#w_[\w-]+", shown)
    web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "p0@school.test"})
    assert re.fullmatch(r"http://soulmark\.test/signin/#k_[\w-]+", signins(web.store)[0]["link"])
    invited = {"invitations": [{"email": "gil@school.test", "name": "Gil Link"}]}
    assert (
        web.api("POST", "/api/organizer/invitations", world.organizer, json=invited).status_code
        == 200
    )
    assert re.fullmatch(
        r"http://soulmark\.test/invite/#k_[\w-]+", invitations(web.store)[0]["link"]
    )
    domain = web.world([], domain="school.test", seal=False)
    web.api(
        "POST", f"/api/worlds/{domain.slug}/join", json={"name": "Hal", "email": "hal@school.test"}
    )
    assert re.fullmatch(
        r"http://soulmark\.test/confirm/#c_[\w-]+", confirmations(web.store)[0]["link"]
    )
    me = world.by_name("Ed Link")
    replaced = web.form(f"/wrist/{me.token}/replace")
    new = re.search(r'id="new-link" class="hash">([^<]+)<', replaced.text).group(1)
    assert re.fullmatch(r"http://soulmark\.test/wrist/#w_[\w-]+", new)


def test_issue22_a_signin_link_is_used_by_bodies_and_ends_in_a_session(web):
    world = web.world(["Ida Link"], seal=False)
    web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "p0@school.test"})
    code = signins(web.store)[0]["link"].rsplit("#", 1)[1]
    asked = web.form("/open/signin", {"link": code})
    assert asked.status_code == 200 and 'action="/signin"' in asked.text
    assert f'name="code" value="{code}"' in asked.text and f"/signin/{code}" not in asked.text
    done = web.form("/signin", {"code": code}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/wrist/me-")
    token = done.headers["set-cookie"].split("=", 1)[1].split(";", 1)[0]
    assert token.startswith("w_") and token not in done.headers["location"]
    assert web.client.get(done.headers["location"]).status_code == 200


def test_issue22_an_invitation_is_claimed_by_bodies_and_ends_in_a_session(web):
    world = web.world([], seal=False)
    invited = {"invitations": [{"email": "jo@school.test", "name": "Jo Link"}]}
    web.api("POST", "/api/organizer/invitations", world.organizer, json=invited)
    code = invitations(web.store)[0]["link"].rsplit("#", 1)[1]
    asked = web.form("/open/invite", {"link": f"http://soulmark.test/invite/#{code}"})
    assert asked.status_code == 200 and 'action="/invite"' in asked.text
    assert f"/invite/{code}" not in asked.text
    done = web.form("/invite", {"code": code, "name": "Jo Link"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/wrist/me-")
    assert "w_" not in done.headers["location"] and "sm_wrist_" in done.headers["set-cookie"]


def test_issue22_a_confirmation_is_used_by_bodies(web):
    world = web.world([], domain="school.test", seal=False)
    web.api(
        "POST", f"/api/worlds/{world.slug}/join", json={"name": "Kai", "email": "kai@school.test"}
    )
    token = confirmations(web.store)[0]["link"].rsplit("#", 1)[1]
    asked = web.form("/open/confirm", {"link": token})
    assert asked.status_code == 200 and 'action="/confirm"' in asked.text
    assert f"/confirm/{token}" not in asked.text
    done = web.form("/confirm", {"token": token})
    assert done.status_code == 200 and 'id="confirmed-note"' in done.text


def test_i19_a_confirmation_answers_with_a_redirect_and_a_reload_still_says_confirmed(web):
    world = web.world([], domain="school.test", seal=False)
    web.api(
        "POST", f"/api/worlds/{world.slug}/join", json={"name": "Kai", "email": "kai@school.test"}
    )
    token = confirmations(web.store)[0]["link"].rsplit("#", 1)[1]
    answer = web.form("/confirm", {"token": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/confirm/done"
    for _ in range(2):  # the page, then its reload: no "already used", nothing posted again
        shown = web.client.get("/confirm/done")
        assert shown.status_code == 200 and 'id="confirmed-note"' in shown.text
        assert f'href="/w/{world.slug}"' in shown.text
    web.client.cookies.clear()  # another browser: the page tells it nothing
    assert web.client.get("/confirm/done", follow_redirects=False).headers["location"] == "/"


def test_issue22_the_chooser_tells_same_named_worlds_apart(web, clock):
    first = web.world(NAMES)
    second = web.world(["Ed Other", "Flo Other"])  # "Test Academy" too
    for person in (first.by_name("Ana Link"), second.by_name("Ed Other")):
        web.client.get(f"/wrist/{person.token}")
    page = web.client.get("/wrist/me")
    items = re.findall(r'<li class="wrist-choice">(.*?)</li>', page.text, re.S)
    assert len(items) == 2 and all("Test Academy" in item for item in items)
    slugs = sorted((first.slug, second.slug))
    assert [slug in item for item in items for slug in slugs] == [True, False, False, True]
    assert all("you joined" in item and "opens" in item for item in items)


def test_issue22_the_app_log_masks_any_token_it_is_given():
    from soulmark.web.redact import mask

    token = "w_abcdefghijklmnopqrstuvwxyz012345"
    assert mask(f"GET /wrist/{token}/look?x=1") == "GET /wrist/w_…/look?x=1"
    # In a token's place, anything is masked whole: a token without its prefix, or cut short.
    assert mask("GET /wrist/abcdefghijklmnopqrstuvwxyz HTTP/1.1") == "GET /wrist/… HTTP/1.1"
    assert mask("GET /signin/k_short HTTP/1.1") == "GET /signin/… HTTP/1.1"
    assert mask("GET /INVITE/k_abcdefghijklmnopqrstuvwx") == "GET /INVITE/k_…"
    assert mask("GET /share/x%5Fabc%2Fdef") == "GET /share/…"
    # What opens nothing by itself stays readable.
    for kept in (
        "GET /wrist/me-0123456789abcdef/events",
        "GET /wrist/me",
        "GET /wrist/ HTTP/1.1",
        "POST /open/wrist HTTP/1.1",
        "DELETE /api/wrist/shares/3 HTTP/1.1",
    ):
        assert mask(kept) == kept


def test_issue22_guessing_through_the_link_page_is_limited_like_old_links(web):
    from fastapi.testclient import TestClient

    from soulmark.web import create_app
    from soulmark.web.deps import CSRF_COOKIE, form_token

    world = web.world(NAMES)
    web.settings.token_failures_per_minute = 3
    with TestClient(create_app(web.settings), base_url="http://soulmark.test") as client:
        client.get("/wrist/")
        csrf = form_token(web.settings.secret, client.cookies[CSRF_COOKIE])
        for i in range(3):
            guess = client.post("/open/wrist", data={"csrf": csrf, "link": f"w_guess{i}"})
            assert guess.status_code == 404
        late = client.post("/open/wrist", data={"csrf": csrf, "link": "w_guess9"})
        assert late.status_code == 429 and "sm_wrist" not in late.headers.get("set-cookie", "")
        # Issue 22, item 9: a valid link is never refused, whatever its address's count.
        valid = world.by_name("Ana Link").token
        opened = client.post(
            "/open/wrist", data={"csrf": csrf, "link": valid}, follow_redirects=False
        )
        assert opened.status_code == 303 and "sm_wrist" in opened.headers["set-cookie"]


def test_issue22_a_session_name_matches_no_stored_hash_and_old_names_still_open(web):
    from soulmark.services.tokens import token_hash
    from soulmark.web.session import handles_of

    world = web.world(NAMES)
    me = world.by_name("Bo Link")
    opened = web.client.get(f"/wrist/{me.token}", follow_redirects=False)
    assert (
        token_hash(me.token)[:16] not in opened.headers["location"] + opened.headers["set-cookie"]
    )
    # A cookie set before the change bears the hash's first digits: it keeps its wrist.
    web.client.cookies.clear()
    legacy = handles_of(me.token)[1]
    web.client.cookies.set(f"sm_wrist_{legacy}", me.token)
    assert web.client.get(f"/wrist/me-{legacy}").status_code == 200
    assert web.client.get("/wrist/me", follow_redirects=False).headers["location"].endswith(legacy)
    left = web.form(f"/wrist/me-{legacy}/leave", {"confirm": "yes"})
    assert left.status_code == 200 and f"sm_wrist_{legacy}=" in left.headers["set-cookie"]

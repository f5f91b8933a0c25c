"""Links that are never lost (issue 19 item 3): the wrist page after a join, the private link
box, "keep me signed in on this device", the device list, and the mailed device sign-in."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from soulmark.core.times import DAY, HOUR, MINUTE, SECOND
from soulmark.store.notice_models import NoticeRow
from soulmark.store.session_models import DeviceSessionRow
from soulmark.web import Settings, create_app
from soulmark.web.deps import CSRF_COOKIE, form_token
from tests.mailbox import signins
from tests.web.conftest import Web

ME = re.compile(r"^/wrist/me-[0-9a-f]{16}$")


def _join(web, world, email="flo@school.test"):
    return web.form(f"/w/{world.slug}/join", {"name": "Flo Link", "email": email})


def _code(link: str) -> str:
    return link.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def test_i19_a_join_ends_on_the_wrist_and_a_reload_shows_that_wrist_again(web):
    world = web.world(["Ed Link"], seal=False)
    done = _join(web, world)
    assert done.history[0].status_code == 303 and ME.match(done.url.path)
    assert done.url.query == b"welcome=1"
    shown = re.search(r'id="wrist-link" class="big-link" href="([^"]+)"', done.text).group(1)
    assert re.fullmatch(r"http://soulmark\.test/wrist/#w_[\w-]+", shown)
    for label in ('id="copy-private-link"', 'id="share-private-link"', 'id="mail-me"'):
        assert label in done.text
    # A reload, without the welcome, is the same wrist; its link waits behind a button.
    again = web.client.get(done.url.path)
    assert again.status_code == 200 and 'id="private-link"' in again.text
    assert 'id="show-private-link"' in again.text and "#w_" not in again.text
    asked = web.client.get(done.url.path, params={"show": "link"})
    assert shown in asked.text


def test_i19_a_sign_in_by_mail_ends_on_the_wrist_with_its_new_link(web):
    world = web.world(["Gil Link"], seal=False)
    web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "p0@school.test"})
    code = _code(signins(web.store)[0]["link"])
    opened = web.form("/signin", {"code": code})
    assert ME.match(opened.url.path) and 'id="wrist-link"' in opened.text
    assert web.client.get(opened.url.path).status_code == 200


def _keep(web, world):
    done = _join(web, world)
    kept = web.form(f"{done.url.path}/sessions/keep", follow_redirects=False)
    assert kept.status_code == 303
    return done, kept


def test_i19_keep_me_signed_in_is_a_long_lived_hashed_cookie_of_its_own(web):
    world = web.world([], seal=False)
    done, kept = _keep(web, world)
    cookies = kept.headers.get_list("set-cookie")
    device = next(c for c in cookies if "Max-Age=15552000" in c)
    assert "HttpOnly" in device and "SameSite=Lax" in device and "Path=/" in device
    secret = device.split("=", 1)[1].split(";", 1)[0]
    assert secret.startswith("d_")
    # The link's own session cookie goes: this browser holds one session of this wrist.
    assert any("Max-Age=0" in c for c in cookies)
    assert ME.match(kept.headers["location"].split("#")[0])
    with web.store.read() as s:
        rows = s.scalars(select(DeviceSessionRow)).all()
    assert len(rows) == 1 and secret not in (rows[0].secret_hash, rows[0].handle)
    page = web.client.get(kept.headers["location"])
    assert 'id="device-note"' in page.text and "data-current" in page.text


def test_i19_a_kept_device_gets_a_new_secret_once_a_day_and_the_old_one_dies(web, clock):
    world = web.world([], seal=False)
    _done, kept = _keep(web, world)
    path = kept.headers["location"].split("#")[0]
    old = next(v for k, v in web.client.cookies.items() if v.startswith("d_"))
    clock.now += HOUR
    assert "set-cookie" not in {k.lower() for k in web.client.get(path).headers}
    clock.now += DAY
    rotated = web.client.get(path)
    new = next(v for k, v in web.client.cookies.items() if v.startswith("d_"))
    assert rotated.status_code == 200 and new != old and new[:18] == old[:18]
    assert web.api("GET", "/api/wrist", old).status_code == 404
    assert web.api("GET", "/api/wrist", new).status_code == 200
    assert web.client.get(path).status_code == 200  # same address, same cookie name


def test_i19_the_device_list_signs_any_device_out(web):
    world = web.world(["Ida Link"], seal=False)
    token = world.people[next(iter(world.people))].token
    phone = web.client.post(
        "/api/wrist/sessions",
        headers={"authorization": f"Bearer {token}", "user-agent": "Chrome/1 (Linux; Android)"},
    )
    laptop = web.api("POST", "/api/wrist/sessions", token)
    assert phone.status_code == laptop.status_code == 200
    listed = web.api("GET", "/api/wrist/sessions", phone.json()["token"]).json()["sessions"]
    assert len(listed) == 2 and [d["current"] for d in listed] == [False, True]
    assert listed[1]["label"].endswith("on Android")
    gone = web.api("DELETE", f"/api/wrist/sessions/{listed[0]['id']}", phone.json()["token"])
    assert gone.json() == {"signed_out": True}
    assert web.api("GET", "/api/wrist", laptop.json()["token"]).status_code == 404
    assert web.api("GET", "/api/wrist", phone.json()["token"]).status_code == 200
    assert web.api("GET", "/api/wrist", token).status_code == 200  # the link itself stays
    other = web.api("DELETE", f"/api/wrist/sessions/{listed[0]['id']}", token)
    assert other.status_code == 404 and other.json()["code"] == "device-unknown"


@pytest.mark.parametrize("device", [0, -1, 2**31, 15448624300, 2**63, 10**30])
def test_i19_a_device_id_no_column_holds_is_no_device(web, device: int) -> None:
    # Found by the fuzz run on PostgreSQL: an id past 32 bits reached the database as a 500.
    world = web.world(["Ida Link"], seal=False)
    token = world.people[next(iter(world.people))].token
    got = web.api("DELETE", f"/api/wrist/sessions/{device}", token)
    assert got.status_code == 404 and got.json()["code"] == "device-unknown"


def test_i19_signing_out_needs_a_form_of_this_site(web):
    world = web.world([], seal=False)
    done = _join(web, world)
    refused = web.client.post(
        f"{done.url.path}/sessions/keep", data={"csrf": "nope"}, follow_redirects=False
    )
    assert refused.status_code == 403
    foreign = web.client.post(
        f"{done.url.path}/sessions/keep",
        data={"csrf": web.csrf()},
        headers={"sec-fetch-site": "cross-site"},
        follow_redirects=False,
    )
    assert foreign.status_code == 403


def _mailed_code(web, done):
    asked = web.form(f"{done.url.path}/signin-mail")
    assert asked.status_code == 200 and 'id="signin-mailed"' in asked.text
    mails = signins(web.store)
    assert mails[-1]["to"] == "flo@school.test"
    return _code(mails[-1]["link"])


def test_i19_a_get_of_a_device_sign_in_link_never_spends_it(web):
    world = web.world([], seal=False)
    done = _join(web, world)
    code = _mailed_code(web, done)
    fresh = TestClient(web.app, base_url="http://soulmark.test")
    for _ in range(3):
        page = fresh.get(f"/signin/{code}")
        assert page.status_code == 200 and 'id="signin-button"' in page.text
        assert 'id="signin-keep"' in page.text and 'id="signin-device"' in page.text
    signed = fresh.post("/signin", data={"csrf": _csrf(web, fresh), "code": code, "keep": "1"})
    assert ME.match(signed.url.path) and 'id="device-note"' in signed.text
    # The private link stays as it was: the first browser's wrist still opens.
    assert web.client.get(done.url.path).status_code == 200
    spent = fresh.post("/signin", data={"csrf": _csrf(web, fresh), "code": code})
    assert spent.status_code == 404 and 'id="again-form"' in spent.text


def _csrf(web, client):
    client.get("/")
    return form_token(web.settings.secret, client.cookies[CSRF_COOKIE])


def test_i19_an_expired_device_code_is_refused_kindly_and_offers_a_fresh_one(web, clock):
    world = web.world([], seal=False)
    done = _join(web, world)
    code = _mailed_code(web, done)
    clock.now += DAY + SECOND
    page = web.client.get(f"/signin/{code}")
    assert page.status_code == 404 and 'id="again-form"' in page.text
    assert 'id="signin-button"' not in page.text
    before = len(signins(web.store))
    again = web.form("/signin/again", {"code": code})
    assert again.status_code == 200 and 'id="again-sent"' in again.text
    assert again.url.path == "/signin/again/sent"
    assert web.client.get(again.url.path).text == again.text  # a reload mails nothing
    after = signins(web.store)
    assert len(after) == before + 1 and after[-1]["to"] == "flo@school.test"
    assert web.client.get(f"/signin/{_code(after[-1]['link'])}").status_code == 200
    # An unknown code is answered the same, and mails nobody.
    assert web.form("/signin/again", {"code": "k_nothing"}).text == again.text
    with web.store.read() as s:
        assert len(s.scalars(select(NoticeRow).where(NoticeRow.kind == "signin")).all()) == (
            before + 1
        )


def test_i19_under_https_a_kept_device_cookie_is_secure_and_host_only(store, clock):
    settings = Settings(store=store, clock=clock, secret=b"s" * 32, base_url="https://s.test")
    client = TestClient(create_app(settings), base_url="https://s.test")
    web = Web(store, clock)
    world = web.world([], seal=False)
    client.get("/")
    csrf = form_token(settings.secret, client.cookies[CSRF_COOKIE])
    joined = client.post(
        f"/w/{world.slug}/join", data={"csrf": csrf, "name": "Hu", "email": "h@s.test"}
    )
    kept = client.post(
        f"{joined.url.path}/sessions/keep", data={"csrf": csrf}, follow_redirects=False
    )
    device = next(c for c in kept.headers.get_list("set-cookie") if "Max-Age=15552000" in c)
    assert device.startswith("__Host-sm_wrist_") and "; Secure" in device
    assert "HttpOnly" in device and "SameSite=Lax" in device


def test_i19_a_device_that_signs_itself_out_loses_its_cookie_and_its_export_lists_devices(web):
    world = web.world([], seal=False)
    _done, kept = _keep(web, world)
    path = kept.headers["location"].split("#")[0]
    export = web.client.get(f"{path}/export").json()["signed_in_devices"]
    assert len(export) == 1 and set(export[0]) == {"label", "signed_in_at", "last_used_at"}
    mine = web.client.get("/api/wrist/sessions", headers={"x-soulmark-session": path[10:]})
    (device,) = mine.json()["sessions"]
    out = web.form(f"{path}/sessions/{device['id']}/signout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert any("Max-Age=0" in c for c in out.headers.get_list("set-cookie"))
    assert web.client.get(path).status_code == 404


def test_i19_a_device_unused_for_180_days_opens_nothing(web, clock):
    world = web.world(["Kai Link"], seal=False)
    token = next(iter(world.people.values())).token
    kept = web.api("POST", "/api/wrist/sessions", token).json()["token"]
    assert web.api("GET", "/api/wrist", kept).status_code == 200
    clock.now += 180 * DAY + SECOND
    assert web.api("GET", "/api/wrist", kept).status_code == 404
    assert web.api("GET", "/api/wrist", token).status_code == 200


def test_i19_a_day_of_notice_buttons_never_blocks_a_lost_link_mail(web):
    world = web.world([], seal=False)
    done = _join(web, world)
    for _ in range(3):
        web.form(f"{done.url.path}/signin-mail")
    web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "flo@school.test"})
    recover = [m for m in signins(web.store) if m["to"] == "flo@school.test"]
    assert len(recover) == 4


def test_i21_a_browser_without_its_cookie_gets_the_error_page_in_its_language(web):
    page = web.client.get("/wrist/me", headers={"accept-language": "ja"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "専用リンクをもう一度開く" in page.text
    english = web.client.get("/wrist/me")
    assert "Open your private link again" in english.text


def _expired_device(web, clock) -> tuple[str, str]:
    """A wrist's private token and a device secret of it, the device just past its 180 days."""
    world = web.world(["Kai Link", "Lou Link"], seal=False)
    token = next(iter(world.people.values())).token
    kept = web.api("POST", "/api/wrist/sessions", token).json()["token"]
    made = web.api("POST", "/api/wrist/shares", kept, json={"label": "before"})
    assert made.status_code == 201  # it worked while it lived
    clock.now += 180 * DAY + SECOND
    return token, kept


def test_i19_an_expired_device_secret_writes_nothing(web, clock):
    # No wrist page was opened since: nothing has deleted the device's row yet.
    token, kept = _expired_device(web, clock)
    made = web.api("POST", "/api/wrist/shares", kept, json={"label": "after"})
    assert made.status_code == 404 and made.json()["code"] == "wrist-unknown"
    listed = web.api("GET", "/api/wrist/shares", token).json()
    assert [s["label"] for s in listed] == ["before"]
    excluded = web.api("POST", "/api/wrist/exclusions", kept, json={"email": "p1@school.test"})
    assert excluded.status_code == 404 and excluded.json()["code"] == "wrist-unknown"
    assert web.api("GET", "/api/wrist/exclusions", token).json()["addresses"] == []
    with web.store.read() as s:
        assert s.scalars(select(DeviceSessionRow)).one()  # refused while still stored


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/api/wrist/name", {"name": "After Link"}),
        ("POST", "/api/wrist/replace", {"once": "again"}),
        ("DELETE", "/api/wrist/devices/1", None),
        ("DELETE", "/api/wrist/sessions/1", None),
    ],
)
def test_i19_an_expired_device_secret_renames_replaces_and_removes_nothing(
    web, clock, method, path, body
):
    token, kept = _expired_device(web, clock)
    named = web.api("GET", "/api/wrist/name", token).json()["name"]
    got = web.api(method, path, kept, json=body)
    assert got.status_code == 404 and got.json()["code"] == "wrist-unknown"
    # The private link still opens the same name: nothing was renamed or replaced.
    assert web.api("GET", "/api/wrist/name", token).json()["name"] == named
    with web.store.read() as s:
        assert s.scalars(select(DeviceSessionRow)).one()  # nor signed out


def test_i19_an_expired_device_secret_reads_nothing_either(web, clock):
    token, kept = _expired_device(web, clock)
    for path in ("/api/wrist/exclusions", "/api/wrist/sessions"):
        got = web.api("GET", path, kept)
        assert got.status_code == 404 and got.json()["code"] == "wrist-unknown", path
    assert web.api("GET", "/api/wrist/exclusions", token).status_code == 200


def _last_used(web) -> int:
    with web.store.read() as s:
        return s.scalars(select(DeviceSessionRow)).one().last_used_at


def test_i19_a_device_opening_its_wrist_again_within_ten_minutes_writes_nothing(web, clock):
    world = web.world([], seal=False)
    _done, kept = _keep(web, world)
    path = kept.headers["location"].split("#")[0]
    signed_in = _last_used(web)
    clock.now += 5 * MINUTE
    assert web.client.get(path).status_code == 200
    assert _last_used(web) == signed_in  # a reload is no use worth a write
    clock.now += 5 * MINUTE  # ten minutes since it was last noted
    assert web.client.get(path).status_code == 200
    assert _last_used(web) == clock.now
    clock.now += 9 * MINUTE
    assert web.client.get(path).status_code == 200
    assert _last_used(web) == clock.now - 9 * MINUTE

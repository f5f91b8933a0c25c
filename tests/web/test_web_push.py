"""The installed app and a wrist's devices (issue 19 items 1 and 2): the manifest every page
links, the service worker, the offline page, and subscribing, listing and removing devices."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store
from soulmark.web import create_app
from tests.push_service import Browser
from tests.web.conftest import Clock, Web

NAMES = ["Quillon Ferreira-Nakamura", "Beatrix Oyelaran"]
ENDPOINT = "https://push.example.net/send/abc123"


@pytest.fixture
def pweb(store: Store, clock: Clock, tmp_path: Path) -> Iterator[Web]:
    """The web fixture with push on: a VAPID key in a file of its own."""
    w = Web(store, clock)
    notices = NoticeSettings(push_key=str(tmp_path / "vapid.pem"))
    w.settings = dataclasses.replace(w.settings, notices=notices)
    w.app = create_app(w.settings)
    w.client = TestClient(w.app, base_url="http://soulmark.test")
    with w.client:
        yield w


def _sub(endpoint: str = ENDPOINT) -> dict:
    return Browser(endpoint).subscription()


def test_the_manifest_is_valid_and_its_icons_are_the_pngs_it_names(web) -> None:
    got = web.client.get("/manifest.webmanifest")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/manifest+json")
    m = got.json()
    assert m["name"] and m["short_name"] and m["display"] == "standalone"
    assert m["start_url"].startswith("/") and m["scope"] == "/"
    assert re.fullmatch(r"#[0-9a-f]{6}", m["theme_color"])
    sizes = {}
    for icon in m["icons"]:
        png = web.client.get(icon["src"])
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(png.content))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
        sizes[(icon["sizes"], icon.get("purpose", "any"))] = True
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= set(sizes)
    ja = web.client.get("/manifest.webmanifest", headers={"Accept-Language": "ja"}).json()
    assert ja["lang"] == "ja" and ja["description"] != m["description"]


def test_every_page_links_the_manifest(web) -> None:
    world = web.world(NAMES)
    person = world.by_name(NAMES[0])
    for path in ("/", "/audit", f"/w/{world.slug}", f"/wrist/{person.token}", "/offline/en"):
        page = web.client.get(path)
        assert page.status_code == 200, path
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page.text, path


def test_the_wrist_page_registers_the_service_worker_served_from_the_root(web) -> None:
    world = web.world(NAMES)
    page = web.client.get(f"/wrist/{world.by_name(NAMES[0]).token}")
    assert '<script src="/static/push.js" defer></script>' in page.text
    js = web.client.get("/static/push.js").text
    assert 'navigator.serviceWorker.register("/sw.js", { scope: "/" })' in js
    sw = web.client.get("/sw.js")
    assert sw.status_code == 200 and sw.headers["content-type"].startswith("text/javascript")
    assert sw.headers["service-worker-allowed"] == "/"
    assert "__" not in sw.text.split("*/", 1)[1]  # every placeholder filled
    assert '"/offline/en"' not in sw.text and '["en", "ja"]' in sw.text
    # It never stores what it fetches: only what it installed (no cache.put anywhere).
    assert ".put(" not in sw.text and "addAll" in sw.text


def test_the_offline_page_speaks_each_language_and_holds_nothing_personal(web) -> None:
    en = web.client.get("/offline/en")
    ja = web.client.get("/offline/ja")
    assert "This phone is offline" in en.text and 'lang="en"' in en.text
    assert "このスマートフォンはオフラインです" in ja.text and 'lang="ja"' in ja.text
    assert web.client.get("/offline/xx").status_code == 404
    assert web.client.get("/offline/ja_JP").status_code == 404


def test_a_wrist_adds_lists_and_removes_its_devices(pweb) -> None:
    world = pweb.world(NAMES)
    a = world.by_name(NAMES[0])
    key = pweb.client.get("/api/push/key").json()["public_key"]
    assert key and len(key) == 87

    made = pweb.api("POST", "/api/wrist/devices", a.token, json=_sub())
    assert made.status_code == 201, made.text
    device = made.json()
    assert device["service"] == "push.example.net" and set(device) == {
        "id",
        "service",
        "created_at",
    }
    second = pweb.api("POST", "/api/wrist/devices", a.token, json=_sub(ENDPOINT + "-tablet"))
    again = pweb.api("POST", "/api/wrist/devices", a.token, json=_sub())  # the same phone
    assert again.json()["id"] == device["id"]
    listed = pweb.api("GET", "/api/wrist/devices", a.token).json()
    assert listed["public_key"] == key and len(listed["devices"]) == 2
    export = pweb.api("GET", "/api/wrist/export", a.token).json()
    assert [d["endpoint"] for d in export["devices"]] == [ENDPOINT, ENDPOINT + "-tablet"]

    page = pweb.client.get(f"/wrist/{a.token}")
    assert f'data-key="{key}"' in page.text and page.text.count('class="push-device"') == 2
    assert "A notice never holds the name" in page.text
    removed = pweb.form(f"/wrist/me-{_handle(page.url)}/devices/{device['id']}/remove")
    assert removed.status_code == 200 and removed.url.path.startswith("/wrist/me-")
    left = pweb.api("GET", "/api/wrist/devices", a.token).json()["devices"]
    assert [d["id"] for d in left] == [second.json()["id"]]
    gone = pweb.api("DELETE", f"/api/wrist/devices/{second.json()['id']}", a.token)
    assert gone.status_code == 200 and gone.json()["devices"] == []


def _handle(url) -> str:
    return str(url.path).split("/wrist/me-", 1)[1].split("/", 1)[0]


def test_a_wrist_cannot_touch_anothers_device(pweb) -> None:
    world = pweb.world(NAMES)
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    mine = pweb.api("POST", "/api/wrist/devices", a.token, json=_sub()).json()
    refused = pweb.api("DELETE", f"/api/wrist/devices/{mine['id']}", b.token)
    assert refused.status_code == 404 and refused.json()["code"] == "push-unknown"
    assert len(pweb.api("GET", "/api/wrist/devices", a.token).json()["devices"]) == 1


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.net/x",  # not https
        "https://127.0.0.1/x",  # this machine
        "https://10.1.2.3/x",  # inside the network
        "https://[::1]/x",
        "https://localhost/x",
    ],
)
def test_an_endpoint_that_is_no_public_push_service_is_refused(pweb, endpoint: str) -> None:
    world = pweb.world(NAMES)
    got = pweb.api("POST", "/api/wrist/devices", world.by_name(NAMES[0]).token, json=_sub(endpoint))
    assert got.status_code == 422 and got.json()["code"] == "push-invalid"


def test_bad_keys_are_refused_and_nothing_is_written(pweb) -> None:
    world = pweb.world(NAMES)
    token = world.by_name(NAMES[0]).token
    body = _sub()
    body["keys"]["p256dh"] = "AAAA"
    assert pweb.api("POST", "/api/wrist/devices", token, json=body).status_code == 422
    body = _sub()
    body["keys"]["auth"] = "not base64!"
    assert pweb.api("POST", "/api/wrist/devices", token, json=body).status_code == 422
    assert (
        pweb.api("POST", "/api/wrist/devices", token, json={"endpoint": ENDPOINT}).status_code
        == 422
    )
    assert pweb.api("GET", "/api/wrist/devices", token).json()["devices"] == []


def test_a_wrist_holds_at_most_ten_devices(pweb) -> None:
    world = pweb.world(NAMES)
    token = world.by_name(NAMES[0]).token
    for i in range(10):
        assert (
            pweb.api("POST", "/api/wrist/devices", token, json=_sub(f"{ENDPOINT}{i}")).status_code
            == 201
        )
    over = pweb.api("POST", "/api/wrist/devices", token, json=_sub(f"{ENDPOINT}x"))
    assert over.status_code == 409 and over.json()["code"] == "push-too-many"


def test_without_a_push_key_nothing_is_offered(web) -> None:
    world = web.world(NAMES)
    token = world.by_name(NAMES[0]).token
    assert web.client.get("/api/push/key").json() == {"public_key": None}
    assert 'id="push"' not in web.client.get(f"/wrist/{token}").text
    got = web.api("POST", "/api/wrist/devices", token, json=_sub())
    assert got.status_code == 404 and got.json()["code"] == "push-off"


def test_a_notifications_click_finds_this_browsers_wrist_in_that_world(web) -> None:
    one = web.world(NAMES)
    other = web.world(["Ottoline Brandvold", "Caspian Mereweather"])
    web.client.get(f"/wrist/{one.by_name(NAMES[0]).token}")
    web.client.get(f"/wrist/{other.by_name('Caspian Mereweather').token}")
    went = web.client.get(f"/wrist/me?world={other.slug}", follow_redirects=False)
    assert went.status_code == 303 and went.headers["location"].startswith("/wrist/me-")
    page = web.client.get(went.headers["location"])
    assert page.status_code == 200 and other.slug in page.text
    chooser = web.client.get("/wrist/me?world=nowhere")
    assert chooser.status_code == 200 and 'id="wrist-choices"' in chooser.text


@pytest.mark.parametrize("device_id", [0, -1, 2**31, 2**63, 10**30])
def test_a_device_id_no_column_holds_is_no_device(pweb, device_id: int) -> None:
    world = pweb.world(NAMES)
    got = pweb.api("DELETE", f"/api/wrist/devices/{device_id}", world.by_name(NAMES[0]).token)
    assert got.status_code == 404 and got.json()["code"] == "push-unknown"

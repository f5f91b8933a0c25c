"""Issue 5: private links become HttpOnly sessions; failed token attempts are rate-limited."""

from __future__ import annotations

import statistics
import time

from fastapi.testclient import TestClient

from soulmark.web import create_app

NAMES = ["Ana Session", "Bo Session", "Cy Session", "Di Session"]


def test_a_wrist_link_becomes_an_httponly_cookie_and_leaves_the_address(web):
    world = web.world(NAMES)
    me = world.by_name("Ana Session")
    first = web.client.get(f"/wrist/{me.token}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/wrist/me"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"sm_wrist={me.token}")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = web.client.get("/wrist/me")
    assert page.status_code == 200
    assert me.token not in page.text
    assert 'action="/wrist/me/look"' in page.text and 'data-token="me"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "default-src" in page.headers["content-security-policy"]


def test_the_session_reads_the_api_and_its_redirects_never_name_the_token(web, clock):
    world = web.world(NAMES)
    me = world.by_name("Ana Session")
    web.client.get(f"/wrist/{me.token}")
    api = web.client.get("/api/wrist")
    assert api.status_code == 200 and api.json()["person"] == me.pid
    clock.now = me.legible_at
    looked = web.form("/wrist/me/look", follow_redirects=False)
    assert looked.status_code == 303 and looked.headers["location"].startswith("/wrist/me")
    assert me.token not in looked.headers["location"]
    partner = world.people[me.partner]
    assert partner.name in web.client.get("/wrist/me").text


def test_without_a_session_me_is_not_a_wrist(web):
    web.world(NAMES)
    assert web.client.get("/wrist/me").status_code == 404
    assert web.client.get("/api/wrist").status_code == 401


def _app(web, limit: int) -> TestClient:
    web.settings.token_failures_per_minute = limit
    return TestClient(create_app(web.settings), base_url="http://soulmark.test")


def test_failed_token_attempts_get_429_after_the_limit(web):
    world = web.world(NAMES)
    valid = world.by_name("Bo Session").token
    with _app(web, 5) as client:
        for i in range(5):
            bad = client.get("/api/wrist", headers={"Authorization": f"Bearer w_guess{i}"})
            assert bad.status_code == 401 or bad.status_code == 404
        assert client.get("/wrist/w_guess9", follow_redirects=True).status_code == 429
        blocked = client.get("/api/wrist", headers={"Authorization": f"Bearer {valid}"})
        assert blocked.status_code == 429 and "error" in blocked.json()
        assert client.get(f"/w/{world.slug}").status_code == 200  # public pages stay open


def _timed(client: TestClient, token: str) -> float:
    start = time.perf_counter()
    r = client.get("/api/wrist", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 429
    return time.perf_counter() - start


def test_after_the_limit_valid_and_invalid_tokens_cannot_be_told_apart_by_time(web):
    world = web.world(NAMES)
    valid = world.by_name("Cy Session").token
    with _app(web, 3) as client:
        for i in range(3):
            client.get("/api/wrist", headers={"Authorization": f"Bearer w_nope{i}"})
        pairs = [(_timed(client, valid), _timed(client, f"w_nope{i}")) for i in range(300)]
    good = statistics.median(p[0] for p in pairs)
    bad = statistics.median(p[1] for p in pairs)
    # Both are answered before any token is looked at: only noise separates them.
    assert abs(good - bad) < max(0.0005, 0.25 * min(good, bad))

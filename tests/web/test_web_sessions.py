"""Issue 5: private links become HttpOnly sessions; failed token attempts are rate-limited."""

from __future__ import annotations

import asyncio
import re
import statistics
import time

import httpx
from fastapi.testclient import TestClient

from soulmark.web import create_app
from soulmark.web.session import handle_of

NAMES = ["Ana Session", "Bo Session", "Cy Session", "Di Session"]


def test_a_wrist_link_becomes_an_httponly_cookie_and_leaves_the_address(web):
    world = web.world(NAMES)
    me = world.by_name("Ana Session")
    here = f"me-{handle_of(me.token)}"
    first = web.client.get(f"/wrist/{me.token}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == f"/wrist/{here}"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"sm_wrist_{handle_of(me.token)}={me.token}")
    # Lax: a link followed from webmail (another site) arrives with its cookie.
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = web.client.get(f"/wrist/{here}")
    assert page.status_code == 200
    assert me.token not in page.text
    assert f'action="/wrist/{here}/look"' in page.text and f'data-token="{here}"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "default-src" in page.headers["content-security-policy"]


def test_the_session_reads_the_api_and_its_redirects_never_name_the_token(web, clock):
    world = web.world(NAMES)
    me = world.by_name("Ana Session")
    here = f"me-{handle_of(me.token)}"
    web.client.get(f"/wrist/{me.token}")
    named = {"X-Soulmark-Session": handle_of(me.token)}
    api = web.client.get("/api/wrist", headers=named)
    assert api.status_code == 200 and api.json()["person"] == me.pid
    clock.now = me.legible_at
    looked = web.form(f"/wrist/{here}/look", follow_redirects=False)
    assert looked.status_code == 303 and looked.headers["location"].startswith(f"/wrist/{here}")
    assert me.token not in looked.headers["location"]
    partner = world.people[me.partner]
    assert partner.name in web.client.get(f"/wrist/{here}").text


def test_without_a_session_me_is_not_a_wrist(web):
    web.world(NAMES)
    assert web.client.get("/wrist/me").status_code == 404
    assert web.client.get("/wrist/me-0123456789abcdef").status_code == 404
    assert web.client.get("/api/wrist").status_code == 401


def test_a_bookmarked_wrist_me_finds_the_one_session_of_this_browser(web):
    world = web.world(NAMES)
    me = world.by_name("Di Session")
    web.client.get(f"/wrist/{me.token}")
    page = web.client.get("/wrist/me")
    assert page.status_code == 200 and str(page.url).endswith(f"/wrist/me-{handle_of(me.token)}")


def test_one_browser_holds_a_wrist_per_world_and_each_call_names_its_own(web):
    first, second = web.world(NAMES), web.world(["Ed Other", "Flo Other"])
    ana, ed = first.by_name("Ana Session"), second.by_name("Ed Other")
    web.client.get(f"/wrist/{ana.token}")
    web.client.get(f"/wrist/{ed.token}")  # does not replace the first world's session
    for person, world in ((ana, first), (ed, second)):
        named = {"X-Soulmark-Session": handle_of(person.token)}
        assert web.client.get("/api/wrist", headers=named).json()["world"] == world.slug
        page = web.client.get(f"/wrist/me-{handle_of(person.token)}")
        assert f'data-token="me-{handle_of(person.token)}"' in page.text
    # With several wrists, an unnamed API call picks none of them; /wrist/me asks which.
    assert web.client.get("/api/wrist").status_code == 401


def test_i9_wrist_me_with_several_wrists_lists_their_worlds_and_no_token(web):
    first, second = web.world(NAMES), web.world(["Ed Other", "Flo Other"])
    ana, ed = first.by_name("Ana Session"), second.by_name("Ed Other")
    web.client.get(f"/wrist/{ana.token}")
    web.client.get(f"/wrist/{ed.token}")
    web.client.cookies.set("sm_wrist_0123456789abcdef", ana.token)  # planted under a wrong name
    page = web.client.get("/wrist/me")
    assert page.status_code == 200 and str(page.url).endswith("/wrist/me")
    links = re.findall(r'<a href="(/wrist/me-[0-9a-f]{16})" dir="auto">([^<]*)</a>', page.text)
    assert sorted(links) == sorted(
        [(f"/wrist/me-{handle_of(p.token)}", "Test Academy") for p in (ana, ed)]
    )
    assert ana.token not in page.text and ed.token not in page.text
    assert ana.pid not in page.text and "0123456789abcdef" not in page.text
    opened = web.client.get(links[0][0])
    assert opened.status_code == 200 and 'id="wrist"' in opened.text


def test_cookie_writes_need_proof_they_come_from_this_origin(web, clock):
    world = web.world(NAMES)
    me = world.by_name("Bo Session")
    clock.now = me.legible_at
    web.client.get(f"/wrist/{me.token}")
    named = {"X-Soulmark-Session": handle_of(me.token)}
    for foreign in (
        {"Sec-Fetch-Site": "same-site"},  # another origin of the same site
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://evil.test"},
    ):
        refused = web.client.post("/api/wrist/look", headers={**named, **foreign})
        assert refused.status_code == 403 and "error" in refused.json()
        form = web.form(f"/wrist/me-{handle_of(me.token)}/look", headers=foreign)
        assert form.status_code == 403
    assert web.api("GET", "/api/wrist", me.token).json()["state"] == "covered"
    ours = {**named, "Sec-Fetch-Site": "same-origin", "Origin": "http://soulmark.test"}
    assert web.client.post("/api/wrist/look", headers=ours).json()["state"] == "revealed"


def test_https_public_address_makes_cookies_secure_and_host_only(web):
    world = web.world(NAMES)
    me = world.by_name("Cy Session")
    web.settings.base_url = "https://soulmark.example"
    with TestClient(create_app(web.settings), base_url="https://soulmark.example") as client:
        first = client.get(f"/wrist/{me.token}", follow_redirects=False)
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"__Host-sm_wrist_{handle_of(me.token)}=") and "Secure" in cookie
        page = client.get(first.headers["location"])
        assert page.status_code == 200 and "Secure" in page.headers["set-cookie"]


def _app(web, limit: int) -> TestClient:
    web.settings.token_failures_per_minute = limit
    return TestClient(create_app(web.settings), base_url="http://soulmark.test")


def test_failed_token_attempts_get_429_after_the_limit_and_a_valid_token_still_opens(web):
    world = web.world(NAMES)
    valid = world.by_name("Bo Session").token
    with _app(web, 5) as client:
        for i in range(5):
            bad = client.get("/api/wrist", headers={"Authorization": f"Bearer w_guess{i}"})
            assert bad.status_code == 401 or bad.status_code == 404
        page = client.get("/wrist/w_guess9", follow_redirects=True)
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        assert page.headers["retry-after"] == "60" and "Try again in a minute" in page.text
        assert "w_guess9" not in page.text
        refused = client.get("/api/wrist", headers={"Authorization": "Bearer w_guess10"})
        assert refused.status_code == 429 and refused.json()["code"] == "too-many-attempts"
        assert refused.headers["retry-after"] == "60"
        asked = {"Authorization": "Bearer w_guess11", "Accept-Language": "ja"}
        assert "1分後" in client.get("/api/wrist", headers=asked).json()["error"]
        opened = client.get("/api/wrist", headers={"Authorization": f"Bearer {valid}"})
        assert opened.status_code == 200  # issue 22: a valid link is never refused
        assert client.get(f"/wrist/{valid}", follow_redirects=True).status_code == 200
        assert client.get(f"/w/{world.slug}").status_code == 200  # public pages stay open


def _timed(client: TestClient, token: str, status: int) -> float:
    start = time.perf_counter()
    r = client.get("/api/wrist", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == status
    return time.perf_counter() - start


async def _polls(app, valid: str, rounds: int) -> tuple[list[float], list[float]]:
    """A valid poll from an address over its limit, then one from an address under it, in
    turn: whatever slows the machine down slows both."""
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 5000)),
            base_url="http://soulmark.test",
        )
        for address in ("198.51.100.1", "198.51.100.2")
    ]

    async def timed(client: httpx.AsyncClient, token: str, status: int) -> float:
        start = time.perf_counter()
        r = await client.get("/api/wrist", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == status
        return time.perf_counter() - start

    for i in range(3):
        await timed(clients[0], f"w_nope{i}", 404)
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(rounds):
        await timed(clients[0], f"w_ko{i}", 429)
        for client, out in zip(clients, times, strict=True):
            out.append(await timed(client, valid, 200))
    for client in clients:
        await client.aclose()
    return times


def test_over_the_limit_a_valid_token_costs_what_it_cost_under_it(web):
    """Every token is looked up first, whatever its client's count, and a valid one never
    touches the count: its answer (status, body, time) says nothing of how many guesses came
    from its address.  (A refused guess still costs the lookup and the count: the route runs
    and its answer is replaced, test_web_limits.)"""
    world = web.world(NAMES)
    web.settings.token_failures_per_minute = 3
    valid = world.by_name("Cy Session").token
    over, under = asyncio.run(_polls(create_app(web.settings), valid, 400))
    one, other = statistics.median(over[20:]), statistics.median(under[20:])
    # Only noise separates them.
    assert abs(one - other) < max(0.0005, 0.25 * min(one, other))


def test_i9_the_wrist_chooser_without_wrists_says_how_to_get_one_back(web):
    page = web.client.get("/wrists")
    assert page.status_code == 200 and "No wrist is open on this device" in page.text

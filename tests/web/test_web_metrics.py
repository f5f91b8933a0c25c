"""/metrics: off unless asked for, behind its token, and labelled only with fixed words; a
scrape after joins, looks and streams holds no token, name or address (issue 17, item 3)."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from soulmark.core.times import SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.notices.heartbeat import beat
from soulmark.notices.queue import materialise
from soulmark.observe.metrics import count_db_error

TOKEN = "scrape-me-9f8e7d"
NAMES = ["Zéphyrine Quillfeather", "Bakugou Katsuki", "爆豪勝己", "Tenya Iida"]


def _on(web, token: str | None = TOKEN) -> None:
    web.settings.metrics, web.settings.metrics_token = True, token


def _scrape(web) -> str:
    r = web.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


def _value(body: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def test_metrics_404_while_off(web):
    assert web.client.get("/metrics").status_code == 404
    assert (
        web.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
    )


def test_metrics_401_without_the_token_or_with_another(web):
    _on(web)
    r = web.client.get("/metrics")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer" and r.json()["error"]
    assert web.client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert web.client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert "soulmark_http_requests_total" in _scrape(web)


def test_metrics_without_a_token_set_answer_anyone(web):
    _on(web, token=None)
    assert web.client.get("/metrics").status_code == 200


def test_metrics_count_requests_by_route_template_and_status(web):
    _on(web)
    world = web.world(NAMES[:2])
    before = _scrape(web)
    person = next(iter(world.people.values()))
    for _ in range(3):
        assert web.api("GET", "/api/wrist", person.token).status_code == 200
    assert web.client.get("/api/worlds/no-such-world").status_code == 404
    after = _scrape(web)
    labels = {"route": "/api/wrist", "method": "GET", "status": "200"}
    grew = _value(after, "soulmark_http_requests_total", **labels)
    assert grew - _value(before, "soulmark_http_requests_total", **labels) == 3
    missing = {"route": "/api/worlds/{slug}", "method": "GET", "status": "404"}
    assert _value(after, "soulmark_http_requests_total", **missing) >= 1
    timed = _value(after, "soulmark_http_request_duration_seconds_count", route="/api/wrist")
    assert timed >= 3
    assert 'route="/api/worlds/no-such-world"' not in after


def test_metrics_hold_no_token_name_or_address(web):
    _on(web)
    world = web.world(NAMES)
    joined = web.api(
        "POST",
        f"/api/worlds/{world.slug}/join",
        json={"name": "Xochiquetzal Brightwater", "email": "xochi.bright@water.example"},
    ).json()
    tokens = [p.token for p in world.people.values()] + [world.organizer, joined["token"]]
    a, b = world.pairs()[0]
    web.clock.now = max(a.legible_at, b.legible_at) + SECOND
    for person in (a, b):
        assert web.api("POST", "/api/wrist/look", person.token).status_code == 200
        web.client.get(f"/wrist/{person.token}")  # an old link: the token in the path
    web.api("GET", "/api/organizer", world.organizer)
    web.client.get("/api/wrist", headers={"Authorization": "Bearer w_" + "x" * 30})
    feed = web.app.state.hub.open("some-hash", client="203.0.113.9", kind="share")
    materialise(web.store, now_us=web.clock.now)
    deliver_due(web.store, NoticeSettings(), now_us=web.clock.now)
    body = _scrape(web)
    web.app.state.hub._close(feed)
    secrets = [*tokens, *(t[2:] for t in tokens), TOKEN, "x" * 30]
    people = [*NAMES, "Xochiquetzal Brightwater", *(p.email for p in world.people.values())]
    people += ["xochi.bright@water.example", "school.test", "water.example", "203.0.113.9"]
    for needle in secrets + people:
        assert needle not in body, f"/metrics holds {needle[:6]}…"
    assert "@" not in body
    labels = set(re.findall(r'route="([^"]*)"', body))
    assert {"/api/wrist/look", "/wrist/{token}", "/api/worlds/{slug}/join"} <= labels
    assert _value(body, "soulmark_streams_open", kind="share") == 1


def test_metrics_report_open_streams_by_kind(web):
    _on(web)
    hub = web.app.state.hub
    feeds = [
        hub.open(f"k{i}", client="10.0.0.1", kind=kind)
        for i, kind in enumerate(["wrist", "wrist", "organizer"])
    ]
    body = _scrape(web)
    for feed in feeds:
        hub._close(feed)
    assert _value(body, "soulmark_streams_open", kind="wrist") == 2
    assert _value(body, "soulmark_streams_open", kind="organizer") == 1
    assert _value(body, "soulmark_streams_open", kind="share") == 0
    assert _value(_scrape(web), "soulmark_streams_open", kind="wrist") == 0


def test_metrics_read_the_notice_queue_at_scrape_time(web):
    _on(web)
    world = web.world(NAMES[:4])
    assert _value(_scrape(web), "soulmark_notice_queue_depth") == 0
    materialise(web.store, now_us=web.clock.now)
    itches = sorted(p.itch_start for p in world.people.values() if p.itch_start)
    web.clock.now = itches[-1] + 7 * SECOND  # every tingle due, the last one for 7 s
    body = _scrape(web)
    assert _value(body, "soulmark_notice_queue_depth") >= 4
    oldest = _value(body, "soulmark_notice_queue_oldest_age_seconds")
    assert oldest == (web.clock.now - itches[0]) / 1e6
    deliver_due(web.store, NoticeSettings(), now_us=web.clock.now)
    body = _scrape(web)
    assert _value(body, "soulmark_notice_queue_depth") == 0
    assert _value(body, "soulmark_notice_queue_oldest_age_seconds") == 0


def test_metrics_count_deliveries_seals_and_worker_heartbeat(web):
    _on(web)
    before = _scrape(web)
    world = web.world(NAMES[:4])  # sealed through the service, as the button does
    materialise(web.store, now_us=web.clock.now)
    web.clock.now = max(p.itch_start for p in world.people.values() if p.itch_start)
    report = deliver_due(web.store, NoticeSettings(), now_us=web.clock.now)
    beat(web.store, "host:7", now_us=web.clock.now - 3 * SECOND, started_us=0)
    after = _scrape(web)
    sent = {"channel": "outbox", "outcome": "sent"}
    grew = _value(after, "soulmark_deliveries_total", **sent)
    assert (
        report.sent >= 4
        and grew - _value(before, "soulmark_deliveries_total", **sent) == report.sent
    )
    assert 'soulmark_deliveries_total{channel="push",outcome="sent"}' in after
    seals = _value(after, "soulmark_seal_duration_seconds_count")
    assert seals - _value(before, "soulmark_seal_duration_seconds_count") == 1
    assert _value(after, "soulmark_worker_heartbeat_age_seconds") == 3


def test_metrics_count_database_errors_by_cause(web, store):
    _on(web)
    before = _scrape(web)
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT no_such_column FROM no_such_table"))
    except Exception:  # noqa: BLE001 - the error is the point
        pass
    import sqlite3

    full = OperationalError("INSERT …", {}, sqlite3.OperationalError("database or disk is full"))
    count_db_error(full)
    after = _scrape(web)
    for cause, grew in (("other", 1), ("disk_full", 1), ("lock_timeout", 0)):
        was = _value(before, "soulmark_db_errors_total", cause=cause)
        assert _value(after, "soulmark_db_errors_total", cause=cause) - was == grew, cause


def test_a_separate_worker_serves_its_own_metrics_behind_the_token(web):
    import httpx

    from soulmark.observe.exposition import serve_metrics
    from tests.net import free_port

    world = web.world(NAMES[:4])
    materialise(web.store, now_us=web.clock.now)
    web.clock.now = max(p.itch_start for p in world.people.values() if p.itch_start)
    port = free_port()
    server = serve_metrics(web.store, web.clock, host="127.0.0.1", port=port, token=TOKEN)
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        before = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).text
        assert _value(before, "soulmark_notice_queue_depth") >= 4
        report = deliver_due(web.store, NoticeSettings(), now_us=web.clock.now)
        refused = httpx.get(url)
        assert refused.status_code == 401 and refused.json()["error"]
        assert httpx.get(f"http://127.0.0.1:{port}/other").status_code == 404
        after = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).text
    finally:
        server.shutdown()
        server.server_close()
    sent = {"channel": "outbox", "outcome": "sent"}
    grew = _value(after, "soulmark_deliveries_total", **sent)
    assert grew - _value(before, "soulmark_deliveries_total", **sent) == report.sent
    assert _value(after, "soulmark_notice_queue_depth") == 0
    for person in world.people.values():
        assert person.email not in after and person.name not in after

"""Live wrists by server-sent events (issue 8): every change at its moment and never before,
no name byte before ``revealed``, actions reach the partner's and the friends' streams, the
limits, and two servers on one database."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from soulmark.core.marks import Mark
from soulmark.core.times import SECOND
from soulmark.core.wrist import next_change
from soulmark.web import Settings, create_app
from tests.net import free_port

from .live_support import Server, stream

NAMES = [
    "Ximena Quetzalli Arroyo-Villaseñor de la Cruz Montealegre",
    "爆豪勝己と轟焦凍と緑谷出久と麗日お茶子と飯田天哉",
    "Олександра Коваль-Шевченко Володимирівна Тарасенко",
    "فاطمة الزهراء بنت عبد الرحمن الحسيني القرشي",
]


def _settings(web, **kw) -> Settings:
    values = {
        "store": web.store,
        "clock": web.clock,
        "secret": web.settings.secret,
        "live_heartbeat_s": 0.05,
        "live_tick_s": 0.02,
        "live_tail_s": 0.02,
        **kw,
    }
    return Settings(**values)


@pytest.fixture
def live(web) -> Iterator[Server]:
    with Server(create_app(_settings(web))) as server:
        yield server


def _moments(p) -> list[int]:
    mark, out, t = Mark(p.itch_start, p.ink_start, p.legible_at), [], p.itch_start - 1
    while (t := next_change(mark, t)) is not None:
        out.append(t)
    return out


def test_b3_every_wrist_change_arrives_at_its_moment_and_not_before(web, clock, live):
    world = web.world(NAMES[:2])
    a = world.by_name(NAMES[0])
    clock.now = a.itch_start - SECOND
    with stream(f"{live.url}/api/wrist/events", a.token) as s:
        first = s.next()
        assert first.event == "wrist" and first.data == web.api("GET", "/api/wrist", a.token).json()
        assert first.data["state"] == "bare"
        moments = _moments(a)
        assert len(moments) >= 14  # itch, ink, eleven more strokes, legible
        last = first.id
        for moment in moments:
            clock.now = moment - 1
            s.quiet()
            clock.now = moment
            msg = s.next()
            assert msg.data == web.api("GET", "/api/wrist", a.token).json()
            assert msg.id > last
            last = msg.id
        assert msg.data["state"] == "covered"
        clock.now += 3600 * SECOND
        s.quiet(beats=3)  # nothing changes by the clock any more


def test_r6_no_partner_name_byte_reaches_any_stream_before_revealed(web, clock, live):
    world = web.world(NAMES)
    people = list(world.people.values())
    clock.now = min(p.itch_start for p in people) - SECOND
    shares = {}
    for p in people:
        made = web.api("POST", "/api/wrist/shares", p.token).json()
        shares[p.pid] = made["token"]
    url = live.url
    streams = [stream(f"{url}/api/wrist/events", p.token) for p in people]
    streams += [stream(f"{url}/api/share/events", shares[p.pid]) for p in people]
    streams.append(stream(f"{url}/api/organizer/events", world.organizer))
    opened = [cm.__enter__() for cm in streams]
    try:
        for s in opened:
            s.next()
        end = max(p.legible_at for p in people)
        for moment in sorted({m for p in people for m in _moments(p)}):
            clock.now = moment
        clock.now = end + SECOND
        for s in opened[:-1]:
            s.until(lambda data: data["state"] == "covered")
        opened[-1].until(lambda data: data["counts"]["covered"] == len(people))
        for s in opened:
            s.quiet()
        before = [bytes(s.raw) for s in opened]
        first = people[0]
        web.api("POST", "/api/wrist/look", first.token)
        assert opened[0].next().data["state"] == "revealed"
    finally:
        for cm in streams:
            cm.__exit__(None, None, None)
    for raw in before:
        for p in people:
            for token in (p.name.encode(), p.name.split()[0].encode()[:9]):
                assert token not in raw
    partner = world.people[first.partner]
    assert partner.name.encode() in bytes(opened[0].raw)
    assert all(partner.name.encode() not in bytes(s.raw) for s in opened[1:])


def test_r8_r10_look_and_reach_out_reach_the_partner_and_a_friend(web, clock, live):
    world = web.world(NAMES[:2])
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    clock.now = max(a.legible_at, b.legible_at) + SECOND
    share = web.api("POST", "/api/wrist/shares", a.token).json()
    url = live.url
    with (
        stream(f"{url}/api/wrist/events", a.token) as sa,
        stream(f"{url}/api/wrist/events", b.token) as sb,
        stream(f"{url}/api/share/events", share["token"]) as friend,
    ):
        assert sa.next().data["state"] == sb.next().data["state"] == "covered"
        assert friend.next().data["state"] == "covered"
        web.api("POST", "/api/wrist/look", a.token)
        assert sa.next().data["name"] == b.name
        assert friend.next().data["state"] == "revealed"
        web.api("PUT", f"/api/wrist/shares/{share['id']}/show", a.token, json={"show": True})
        assert friend.next().data["name"] == b.name
        web.api("POST", "/api/wrist/look", b.token)
        assert sb.next().data["name"] == a.name
        web.api("POST", "/api/wrist/reach-out", b.token)
        assert sb.next().data["reached_out"] is True
        web.api("POST", "/api/wrist/reach-out", a.token)
        assert sb.next().data["contact"] == a.email  # the partner's stream hears it
        assert sa.next().data["contact"] == b.email
        sa.quiet()
        friend.quiet()


def test_b5_a_revoked_share_ends_its_stream(web, clock, live):
    world = web.world(NAMES[:2])
    a = world.by_name(NAMES[0])
    share = web.api("POST", "/api/wrist/shares", a.token).json()
    with stream(f"{live.url}/api/share/events", share["token"]) as friend:
        assert friend.next().event == "share"
        web.api("DELETE", f"/api/wrist/shares/{share['id']}", a.token)
        assert friend.ended()
    with stream(f"{live.url}/api/share/events", share["token"]) as again:
        assert (
            again.status == 404
            and again.body
            == b'{"error":"no wrist is shared with that link","code":"share-unknown"}'
        )


def test_organizer_stream_counts_each_moment_and_never_a_name(web, clock, live):
    world = web.world(NAMES[:2])
    first = min(world.people.values(), key=lambda p: p.itch_start)
    clock.now = first.itch_start - 1
    with stream(f"{live.url}/api/organizer/events", world.organizer) as s:
        counts = s.next().data["counts"]
        assert counts["itching"] == 0
        s.quiet()
        clock.now = first.itch_start
        counts = s.next().data["counts"]
        assert counts["itching"] >= 1
        assert counts == web.api("GET", "/api/organizer", world.organizer).json()["counts"]
        s.quiet()
    assert all(n.encode() not in bytes(s.raw) for n in NAMES)


def test_limits_unknown_tokens_too_many_streams_and_valid_ones_never_count(web, clock, live):
    world = web.world([f"{NAMES[i % 4]} {i}" for i in range(15)])
    a = world.by_name(f"{NAMES[0]} 0")
    url = f"{live.url}/api/wrist/events"
    with stream(url, None) as s:
        assert s.status == 401 and b'"error"' in s.body
    with stream(url, "w_" + "x" * 30) as s:
        assert (
            s.status == 404
            and s.body == b'{"error":"no wrist has that token","code":"wrist-unknown"}'
        )
    opened = [stream(url, a.token) for _ in range(4)]
    held = [cm.__enter__() for cm in opened]
    assert all(h.next().event == "wrist" for h in held)
    with stream(url, a.token) as fifth:
        assert fifth.status == 429 and b"at most 4 live streams" in fifth.body
    for cm in opened:
        cm.__exit__(None, None, None)
    for _ in range(25):  # more than the failed-attempt limit: valid tokens never count
        with stream(url, a.token) as s:
            assert s.next().event == "wrist"
    # Nor do open streams: 30 held at once from one address (more than 20 attempts a
    # minute), across 15 wrists, and a poll beside them still answers.
    tokens = [p.token for p in world.people.values()]
    held = [stream(url, t) for t in tokens for _ in range(2)]
    opened_now = [cm.__enter__() for cm in held]
    try:
        assert all(h.next().event == "wrist" for h in opened_now)
        auth = {"Authorization": f"Bearer {a.token}"}
        assert httpx.get(f"{live.url}/api/wrist", headers=auth).status_code == 200
        with stream(url, a.token) as s:
            assert s.next().event == "wrist"
    finally:
        for cm in held:
            cm.__exit__(None, None, None)


def test_two_app_instances_on_one_database_pass_changes(web, clock):
    """On PostgreSQL through LISTEN/NOTIFY, on SQLite through the change log: each server has
    its own store (engine) and hub, as two worker processes would."""
    world = web.world(NAMES[:2])
    a, b = world.by_name(NAMES[0]), world.by_name(NAMES[1])
    clock.now = max(a.legible_at, b.legible_at) + SECOND
    url = web.store.engine.url.render_as_string(hide_password=False)
    with (
        Server(create_app(_settings(web, store=None, db_url=url))) as one,
        Server(create_app(_settings(web, store=None, db_url=url))) as two,
        stream(f"{one.url}/api/wrist/events", a.token) as sa,
        stream(f"{two.url}/api/wrist/events", b.token) as sb,
    ):
        assert sa.next().data["state"] == sb.next().data["state"] == "covered"
        for base, token in ((two.url, a.token), (one.url, b.token)):
            done = httpx.post(
                f"{base}/api/wrist/look", headers={"Authorization": f"Bearer {token}"}
            )
            assert done.status_code == 200
        assert sa.next().data["name"] == b.name
        assert sb.next().data["name"] == a.name


def test_shutdown_ends_open_streams_cleanly(web, clock):
    """SIGTERM to ``soulmark serve``: its streams end (the response completes) and the server
    exits, instead of waiting forever for them."""
    world = web.world(NAMES[:2], seal=False)
    a = world.by_name(NAMES[0])
    port = free_port()
    url = web.store.engine.url.render_as_string(hide_password=False)
    cmd = [sys.executable, "-m", "soulmark", "serve", "--port", str(port), "--db", url]
    proc = subprocess.Popen([*cmd, "--no-notices"], stderr=subprocess.PIPE)
    try:
        for _ in range(500):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1.0)
                break
            time.sleep(0.05)
        with stream(f"http://127.0.0.1:{port}/api/wrist/events", a.token) as s:
            assert s.next().data["state"] == "bare"
            proc.send_signal(signal.SIGTERM)
            assert s.ended()
        # uvicorn re-raises the signal once it has shut down cleanly.
        assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
        assert proc.stderr is not None
        assert b"Application shutdown complete" in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_organizer_stream_hears_each_join_single_or_from_csv(web, clock, live):
    import io

    from soulmark import services
    from soulmark.services.intake import join_csv

    world = web.world(NAMES[:2], seal=False)
    with stream(f"{live.url}/api/organizer/events", world.organizer) as s:
        assert s.next().data["counts"]["waiting"] == 2
        services.join(web.store, world=world.slug, name=NAMES[2], email="c@x.test", at=clock.now)
        assert s.next().data["counts"]["waiting"] == 3
        rows = io.StringIO(f"name,email\n{NAMES[3]},d@x.test\nEl Nombre Largo,e@x.test\n")
        join_csv(web.store, world=world.slug, source=rows, at=clock.now)
        assert s.next().data["counts"]["waiting"] == 5
    assert all(n.encode() not in bytes(s.raw) for n in NAMES)


def test_heartbeats_reach_every_stream_once_a_period_a_tenth_at_a_time(web):
    from soulmark.web.live import Hub

    hub = Hub(web.store, web.clock, heartbeat_s=15.0, per_token=4, tick_s=1.0, tail_s=1.0)
    feeds = [hub.open(f"key-{i}") for i in range(40)]
    beaten = [hub.beat(turn) for turn in range(10)]
    assert beaten == [4] * 10  # never all 40 at once, in front of the strokes falling due
    assert all(f.beat for f in feeds)
    hub._close(feeds[0])
    assert sum(hub.beat(turn) for turn in range(10)) == 39


def test_issue22_streams_are_bounded_per_client_and_in_total(web):
    from soulmark.web.errors import status_of
    from soulmark.web.live import Hub
    from soulmark.web.means import ClientStreams, StreamsFull, streams_within

    hub = Hub(
        web.store, web.clock, heartbeat_s=15.0, per_token=4, tick_s=1.0, tail_s=1.0,
        per_client=8, total=12,
    )  # fmt: skip
    mine = [hub.open(f"link-{i}", client="10.0.0.1") for i in range(8)]
    with pytest.raises(ClientStreams) as past_share:
        hub.open("link-another", client="10.0.0.1")
    assert status_of(past_share.value) == 429 and past_share.value.retry_after_s > 0
    theirs = [hub.open(f"link-{i}", client="10.0.0.2") for i in range(4)]
    with pytest.raises(StreamsFull) as full:
        hub.open("link-late", client="10.0.0.3")
    assert status_of(full.value) == 503 and full.value.code == "streams-full"
    hub._close(mine[0])  # a stream that ends gives its place back
    hub.open("link-late", client="10.0.0.3")
    assert len(theirs) == 4
    # A quarter of the descriptors, at least 128, is kept for everything that is not a stream.
    assert [streams_within(n) for n in (256, 1024, 65536)] == [128, 768, 49152]

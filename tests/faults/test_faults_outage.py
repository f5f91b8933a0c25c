"""Issue 22, item 8: a PostgreSQL restart under polls, streams and joins, on a real server.

The test starts a private cluster (tests.pg_cluster), serves it with a real ``soulmark
serve`` process, and stops the cluster for a moment while a wrist is polled, streamed and
joins flow.  During the outage the server answers 503 with Retry-After (never 500); after
it, without restarting the app, every poll answers 200, the stream that stayed open carries
the next change, and every acknowledged join is in the store.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from soulmark import services
from soulmark.core.times import SECOND, now_us
from soulmark.store import open_store
from tests.harness.joins import check_joins
from tests.harness.kills import new_world
from tests.harness.server import Load, Server
from tests.net import free_port
from tests.pg_cluster import Cluster

OUTAGE_S = 1.5
RECOVERY_S = 30.0
"""The most the test waits for the first 200 after the restart (a bound, not a target)."""


@dataclass
class Poller:
    """Polls ``GET /api/wrist`` from a thread: (when, status, Retry-After, code) per answer."""

    base: str
    token: str
    answers: list[tuple[float, int, str | None, str | None]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def last_after(self, moment: float) -> int | None:
        """The status of the newest answer, if it came after ``moment``."""
        last = self.answers[-1] if self.answers else None
        return last[1] if last is not None and last[0] > moment else None

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, timeout=10.0, headers=headers) as client:
            while not self._stop.is_set():
                try:
                    r = client.get("/api/wrist")
                except httpx.TransportError as exc:  # a reset: no answer at all (a finding)
                    self.answers.append((time.monotonic(), 0, None, type(exc).__name__))
                    continue
                try:
                    code = r.json().get("code") if r.status_code != 200 else None
                except ValueError:
                    code = "(not JSON)"
                self.answers.append(
                    (time.monotonic(), r.status_code, r.headers.get("retry-after"), code)
                )
                time.sleep(0.02)


@dataclass
class Streamer:
    """Holds ``GET /api/wrist/events`` open from a thread and keeps each event's data line."""

    base: str
    token: str
    events: list[tuple[float, str]] = field(default_factory=list)
    ended: str | None = None

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        timeout = httpx.Timeout(10.0, read=120.0)
        try:
            with httpx.stream(
                "GET", f"{self.base}/api/wrist/events", headers=headers, timeout=timeout
            ) as r:
                assert r.status_code == 200, r.status_code
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        self.events.append((time.monotonic(), line))
            self.ended = "closed by the server"
        except Exception as exc:  # noqa: BLE001 - the finding itself
            self.ended = f"{type(exc).__name__}: {exc}"


def _open_stream(base: str, token: str) -> tuple[int, str | None, str | None]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream("GET", f"{base}/api/wrist/events", headers=headers, timeout=10.0) as r:
        code = json.loads(r.read()).get("code") if r.status_code != 200 else None
        return r.status_code, r.headers.get("retry-after"), code


def _seal(url: str, slug: str) -> None:
    store = open_store(url)
    try:
        services.seal(store, world=slug, at=now_us() + SECOND)
    finally:
        store.close()


def _thread(target: object) -> threading.Thread:
    worker = threading.Thread(target=target, daemon=True)  # type: ignore[arg-type]
    worker.start()
    return worker


def _wait(until: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if until():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_issue22_a_postgresql_restart_gives_503_then_recovers_without_an_app_restart(
    cluster: Cluster, tmp_path: Path, mode: str
) -> None:
    """``fast``: a planned restart (sessions are told, 57P01); ``immediate``: a crash (they
    are not: crash recovery runs at the next start)."""
    url = cluster.url
    slug, _organizer = new_world(url)
    store = open_store(url)
    try:
        me = services.join(store, world=slug, name="Watcher", email="watcher@f.test", at=now_us())
    finally:
        store.close()
    server = Server(url, free_port(), tmp_path / "serve.log")
    server.start()
    poller = Poller(server.base, me.token)
    streamer = Streamer(server.base, me.token)
    load = Load(server.base, slug, "outage", threads=2)
    try:
        server.wait_ready(f"/api/worlds/{slug}")
        threads = [_thread(poller.run), _thread(streamer.run)]
        load.start()
        assert _wait(lambda: streamer.events and load.acks() > 5, RECOVERY_S)

        cluster.stop(mode)
        down = time.monotonic()
        refused = _open_stream(server.base, me.token)
        time.sleep(OUTAGE_S)
        cluster.start()
        up = time.monotonic()
        seen = len(streamer.events)
        _seal(url, slug)  # at once: the app's LISTEN is most likely still reconnecting

        assert _wait(lambda: poller.last_after(up) == 200, RECOVERY_S)
        first_ok = next(t for t, status, *_ in poller.answers if t > up and status == 200)
        time.sleep(2.0)  # then every poll answers 200
        load.stop()
        # The stream that stayed open carries the change made while its feed was deaf.
        assert _wait(lambda: len(streamer.events) > seen, RECOVERY_S), "no change came"
        stream_ended = streamer.ended  # before the server is stopped, which ends it
        poller._stop.set()
        threads[0].join(15)  # the poller is done before the server goes
    finally:
        load.stop()
        poller._stop.set()
        server.kill()
    for worker in threads:
        worker.join(5)

    # A stream opened during the outage is refused as a poll is.
    assert refused[0] == 503 and refused[1] and refused[2] == "database-unreachable", refused
    during = [a for a in poller.answers if down <= a[0] < first_ok]
    assert during, "no poll fell in the outage"
    assert {status for _, status, _, _ in during} <= {200, 503}
    assert all(retry for _, status, retry, _ in during if status == 503)
    assert any(status == 503 for _, status, _, _ in during)
    assert {code for _, status, _, code in during if status == 503} == {"database-unreachable"}
    after = [status for t, status, _, _ in poller.answers if t >= first_ok]
    assert set(after) == {200}
    assert stream_ended is None, stream_ended
    assert set(load.refused) <= {503}, load.refused
    found = check_joins(url, slug, load.acked, load.attempted)
    assert found.lost == [] and found.duplicated == []
    log = server.log.read_text(errors="replace")
    assert "database unreachable:" in log
    assert " 500 " not in log

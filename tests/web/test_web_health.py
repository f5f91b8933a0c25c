"""/healthz answers while the process is up; /readyz names every reason it is not ready: the
database, its migrations, the notices worker's heartbeat (issue 17, item 3)."""

from __future__ import annotations

import asyncio

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from soulmark.core.times import SECOND
from soulmark.jobs import run_worker
from soulmark.notices import NoticeSettings
from soulmark.notices.heartbeat import beat, last_beat
from soulmark.store import Store, schema
from tests.web.observe_support import app_client


def test_healthz_answers_ok_without_touching_the_database(store, clock, monkeypatch):
    with app_client(store, clock) as client:

        def no_database(*_a, **_k):
            raise AssertionError("/healthz touched the database")

        monkeypatch.setattr(Engine, "connect", no_database)
        monkeypatch.setattr(Engine, "raw_connection", no_database)
        r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_ok_with_a_fresh_worker_heartbeat(store, clock):
    beat(store, "host:1", now_us=clock.now - 5 * SECOND, started_us=clock.now - 60 * SECOND)
    with app_client(store, clock) as client:
        r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ok"}


def test_readyz_503_names_stale_worker_heartbeat(store, clock):
    beat(store, "host:1", now_us=clock.now - 95 * SECOND, started_us=clock.now - 99 * SECOND)
    with app_client(store, clock, worker_stale_s=30.0) as client:
        r = client.get("/readyz")
    assert r.status_code == 503 and r.headers["retry-after"]
    body = r.json()
    assert body["status"] == "unavailable"
    assert body["reasons"] == ["the notices worker's last heartbeat is 95 s old (more than 30 s)"]
    assert body["error"] == body["reasons"][0]


def test_readyz_503_when_no_worker_ever_beat(store, clock):
    with app_client(store, clock) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["reasons"] == ["no notices worker has written a heartbeat"]


def test_readyz_503_names_migrations_behind_and_every_other_reason(store, clock):
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0022_notice_lease'"))
    with app_client(store, clock) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    first, second = r.json()["reasons"]
    assert first.startswith("the database's migrations are at ") and "0022_notice_lease" in first
    assert schema.head() in first.split("needs")[1]
    assert second == "no notices worker has written a heartbeat"


def test_readyz_503_when_the_database_does_not_answer(store, clock):
    # A store that was opened while the server answered, whose server has since gone away.
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    refused = Store(engine, sessionmaker(engine))
    try:
        with app_client(store, clock) as client:
            client.app.state.store = refused
            r = client.get("/readyz")
    finally:
        refused.close()
    assert r.status_code == 503
    assert r.json()["reasons"] == ["the database does not answer: connection refused"]


def test_an_instance_sending_notices_itself_counts_as_its_own_worker(store, clock):
    # No heartbeat row needed: its own worker task is alive...
    with app_client(store, clock, run_worker=True) as client:
        assert client.get("/readyz").status_code == 200
        # ...and once that task is gone, the instance is not ready.
        worker = client.app.state.worker
        client.portal.call(_stopped, worker)
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["reasons"] == ["the notices worker of this instance has stopped"]


async def _stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def test_a_running_worker_writes_its_heartbeat_every_few_seconds(store, clock):
    assert last_beat(store) is None

    async def run_briefly() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(
            run_worker(store, NoticeSettings(), clock=clock, stop_event=stop)
        )
        for _ in range(100):
            await asyncio.sleep(0.05)
            if last_beat(store) is not None:
                break
        stop.set()
        await running

    asyncio.run(run_briefly())
    assert last_beat(store) == clock.now

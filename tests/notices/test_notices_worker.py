"""The long-running worker and the settings it runs with."""

from __future__ import annotations

import asyncio

import pytest
from notices_support import SmtpServer, World

from soulmark.core.errors import InvalidInput
from soulmark.core.times import SECOND
from soulmark.jobs import run_worker
from soulmark.notices import NoticeSettings, parse_smtp_url
from soulmark.settings import read_config
from soulmark.store import Store


def test_run_worker_delivers_as_the_clock_moves_and_stops_on_request(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    settings = NoticeSettings(smtp_url=smtp_server.url, poll_s=0.02)
    clock = [world.end - 3600 * SECOND * 10]  # before the window: nothing due
    readings = [0]  # each pass of the worker reads the clock: passes, not seconds, are counted
    expected = world.notices

    def now() -> int:
        readings[0] += 1
        return clock[0]

    async def passes(n: int) -> None:
        """Until the worker has read the clock ``n`` more times (at most 10 s)."""
        target = readings[0] + n
        for _ in range(500):
            if readings[0] >= target:
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the worker stopped making passes")

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(run_worker(store, settings, clock=now, stop_event=stop))
        await passes(9)  # several whole passes with nothing due
        assert smtp_server.recorder.messages == []
        clock[0] = world.end + SECOND
        for _ in range(250):
            if len(smtp_server.recorder.messages) >= expected:
                break
            await asyncio.sleep(0.02)
        await passes(9)  # a few more passes must not send anything again
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert len(smtp_server.recorder.messages) == expected


def test_smtp_urls() -> None:
    plain = parse_smtp_url("smtp://mail.example:2525")
    assert (plain.host, plain.port, plain.use_tls, plain.start_tls) == (
        "mail.example",
        2525,
        False,
        False,
    )
    sub = parse_smtp_url("smtp://me%40x.org:p%3Ass@mail.example:587?starttls=1")
    assert (sub.username, sub.password, sub.port, sub.start_tls) == ("me@x.org", "p:ss", 587, True)
    assert "p:ss" not in repr(sub)
    tls = parse_smtp_url("smtps://mail.example?verify=0")
    assert (tls.port, tls.use_tls, tls.validate_certs) == (465, True, False)
    assert parse_smtp_url("smtp://localhost").port == 25
    for bad in ("http://mail.example", "smtp://", "mail.example:25", "smtp://h:99999"):
        with pytest.raises(InvalidInput):
            parse_smtp_url(bad)
    with pytest.raises(InvalidInput):
        NoticeSettings(smtp_url="nope")


def test_backoff_doubles_up_to_a_cap() -> None:
    s = NoticeSettings(retry_base_s=60, retry_max_s=300)
    assert [s.backoff_us(n) // SECOND for n in range(1, 6)] == [60, 120, 240, 300, 300]


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOULMARK_SMTP", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("SOULMARK_BASE_URL", "https://marks.example")
    monkeypatch.setenv("SOULMARK_NOTICE_LEASE_S", "20")
    s = read_config().notices(smtp_url=None)
    assert (s.smtp_url, s.base_url, s.lease_s) == (
        "smtp://127.0.0.1:2525",
        "https://marks.example",
        20,
    )
    assert s.timeout_s < s.lease_s, "a short lease shortens a message's timeout"
    assert read_config().notices(smtp_url="smtp://other:25").smtp_url == "smtp://other:25"


def test_stopping_mid_pass_sends_the_batch_in_hand_and_hands_back_the_rest(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    from sqlalchemy import select

    from soulmark.notices.worker import deliver_pass
    from soulmark.store.notice_models import NoticeRow

    settings = NoticeSettings(smtp_url=smtp_server.url, batch_size=2)
    calls = [0]

    async def scenario() -> int:
        stop = asyncio.Event()

        def clock() -> int:
            calls[0] += 1
            if calls[0] == 5:  # while the second batch is being claimed
                stop.set()
            return world.end + SECOND

        return (await deliver_pass(store, settings, clock, stop)).sent

    sent = asyncio.run(scenario())
    with store.transaction() as s:
        rows = s.scalars(select(NoticeRow)).all()
    assert 2 <= sent < len(rows) and len(smtp_server.recorder.messages) == sent
    assert sorted({(r.status, r.attempts) for r in rows}) == [("pending", 0), ("sent", 1)]


def test_run_worker_forever_stops_cleanly_on_SIGTERM(db_url: str, world: World) -> None:
    import signal
    import subprocess
    import sys
    import time

    from soulmark.notices import outbox_messages, send_confirmation
    from soulmark.store import open_store

    code = (
        "import sys; from soulmark.store import open_store; "
        "from soulmark.notices import NoticeSettings; "
        "from soulmark.jobs import run_worker_forever; "
        "run_worker_forever(open_store(sys.argv[1]), NoticeSettings(poll_s=0.05)); print('bye')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, db_url], stdout=subprocess.PIPE, text=True)
    store = open_store(db_url)
    try:
        # The worker runs on the wall clock, years before this world's marks: a confirmation
        # is what it finds due.
        send_confirmation(store, to="late@yuei.example", world="yuei", link="http://x/c")
        deadline = time.monotonic() + 60
        while not outbox_messages(store) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(outbox_messages(store)) == 1
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        store.close()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and out.strip() == "bye"

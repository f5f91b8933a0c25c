"""Issue 22 item 7: a notices worker SIGKILLed while it holds a claimed batch loses no mail.

A real ``soulmark worker`` process sends the confirmation mails of an email-domain world to
an aiosmtpd server that stalls one message inside DATA; the worker is killed while it waits
there.  A second worker pass, once the lease has run out, sends what the first had not
recorded: every mail arrives once, except the one stalled in DATA, which may arrive twice
(the server may have taken it before the kill), and every join can then count.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from notices_support import free_port
from sqlalchemy import func, select

from soulmark.core.times import DAY, SECOND, now_us
from soulmark.jobs import deliver_due, deliver_due_async, run_worker
from soulmark.notices import NoticeSettings
from soulmark.notices.lease import take_back
from soulmark.services import create_world, join
from soulmark.services.confirm import confirm
from soulmark.store import Store
from soulmark.store.models import PersonRow
from soulmark.store.notice_models import NoticeRow

JOINERS = 30
STALLED = "p07@ua.example"
_LINK = re.compile(rb"/confirm/#(c_[A-Za-z0-9_-]+)")


class StallingMailbox:
    """Takes every message, except that the first DATA for ``STALLED`` hangs until released."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.links: dict[str, str] = {}
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        [to] = envelope.rcpt_tos
        if to == STALLED and not self.stalled.is_set():
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        found = _LINK.search(envelope.content.replace(b"=\r\n", b""))
        with self.lock:
            self.received[to] += 1
            if found:
                self.links[to] = found.group(1).decode()
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[str, StallingMailbox]]:
    box = StallingMailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", box
    finally:
        box.release.set()
        controller.stop()


def _sent(store: Store) -> int:
    with store.read() as s:
        return s.scalar(select(func.count()).where(NoticeRow.status == "sent")) or 0


def _wait(what: Any, bound_s: float = 25.0) -> bool:
    """Poll ``what`` until true (a bound on a wait, not a timed assertion)."""
    for _ in range(int(bound_s / 0.05)):
        if what():
            return True
        time.sleep(0.05)
    return bool(what())


def _joins(store: Store) -> str:
    at = now_us()
    made = create_world(
        store,
        name="UA Campus",
        slug="ua",
        window_start=at + DAY,
        window_end=at + 30 * DAY,
        at=at,
        email_domain="ua.example",
    )
    for i in range(JOINERS):
        join(store, world=made.world, name=f"Joiner {i:02d}", email=f"p{i:02d}@ua.example", at=at)
    return made.world


def test_issue22_a_worker_killed_mid_batch_loses_no_mail(
    store: Store, db_url: str, mailbox: tuple[str, StallingMailbox], tmp_path: Path
) -> None:
    url, box = mailbox
    _joins(store)
    log = (tmp_path / "worker.log").open("wb")
    cmd = [sys.executable, "-m", "soulmark", "worker", "--smtp", url, "--db", db_url]
    worker = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        # The stalled mail holds its batch open; every other one is recorded as it went.
        assert _wait(lambda: box.stalled.is_set() and _sent(store) == JOINERS - 1), (
            f"sent {_sent(store)} of {JOINERS - 1} while the batch was held"
        )
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        log.close()
    killed_at = now_us()
    box.release.set()
    with store.read() as s:
        left = s.execute(select(NoticeRow.to_addr, NoticeRow.status)).all()
    assert [to for to, status in left if status != "sent"] == [STALLED]

    settings = NoticeSettings(smtp_url=url)
    after_lease = killed_at + int(settings.lease_s * SECOND) + SECOND
    report = deliver_due(store, settings, now_us=after_lease)
    assert report.taken_back == 1 and report.sent == 1

    everyone = {f"p{i:02d}@ua.example" for i in range(JOINERS)}
    assert set(box.received) == everyone
    assert {to for to, n in box.received.items() if n != 1} <= {STALLED}
    assert box.received[STALLED] in (1, 2)  # 2 only if the server took it before the kill
    for to in sorted(everyone):
        confirm(store, token=box.links[to], at=after_lease)
    with store.read() as s:
        confirmed = s.scalar(select(func.count()).where(PersonRow.confirmed.is_(True)))
    assert confirmed == JOINERS


class SlowMailbox:
    """Takes every message after a short wait, so that one batch outlasts a short lease."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.25)
        [to] = envelope.rcpt_tos
        self.received[to] += 1
        return "250 OK"


@pytest.mark.parametrize("how", ["worker", "once"])
def test_issue22_a_worker_renews_its_lease_through_a_batch_longer_than_the_lease(
    store: Store, how: str
) -> None:
    """``worker``: the long-running loop; ``once``: one pass asked at a fixed moment
    (``soulmark worker --once``), whose leases still run on in real time."""
    _joins(store)
    box = SlowMailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    # One connection, at least a quarter second a message: the batch of 30 takes 7.5 s or
    # more, past the lease of 4 s, so only renewing keeps it.
    settings = NoticeSettings(
        smtp_url=f"smtp://127.0.0.1:{port}", connections=1, lease_s=4.0, timeout_s=1.0
    )
    taken: list[int] = []
    stop = asyncio.Event()

    async def scenario() -> None:
        if how == "worker":
            worker = asyncio.create_task(run_worker(store, settings, stop_event=stop))
        else:
            worker = asyncio.create_task(deliver_due_async(store, settings, now_us=now_us()))
        # Another worker's passes, as often as they like, on the real clock.
        while sum(box.received.values()) < JOINERS:
            taken.append(await asyncio.to_thread(take_back, store, settings, now_us=now_us()))
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(worker, 30)

    try:
        asyncio.run(asyncio.wait_for(scenario(), 120))
    finally:
        controller.stop()
    assert sum(taken) == 0 and set(box.received.values()) == {1}
    with store.read() as s:
        rows = s.execute(select(NoticeRow.status, NoticeRow.attempts)).all()
    assert set(rows) == {("sent", 1)}

"""Issue 22, item 7 under item 8: PostgreSQL restarts while a mail is in the server's hands.

A private cluster (tests.pg_cluster) holds a world whose joins wait for confirmation mails.
The worker's one SMTP connection stalls inside DATA on the first message; while it waits
there the cluster is stopped, then the server answers 250.  The worker cannot record that
send until the cluster is back.  It must wait and record it then: a worker that gave up on
the record would leave the notice claimed, and once the lease ran out the next pass would send
it a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy.exc import DBAPIError

from soulmark.core.times import DAY, SECOND, now_us
from soulmark.jobs import deliver_due, deliver_due_async
from soulmark.notices import NoticeSettings
from soulmark.services import create_world, join
from soulmark.store import Store, open_store
from tests.net import free_port
from tests.pg_cluster import Cluster

JOINERS = 6
DOWN_S = 2.0


class HeldMailbox:
    """Takes every message; the first DATA waits until ``release`` before its 250."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.held = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if not self.held.is_set():
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        for to in envelope.rcpt_tos:
            self.received[to] += 1
        return "250 OK"


def _world(store: Store) -> None:
    at = now_us()
    made = create_world(
        store,
        name="Outage Campus",
        window_start=at + DAY,
        window_end=at + 30 * DAY,
        at=at,
        email_domain="outage.example",
    )
    for i in range(JOINERS):
        join(store, world=made.world, name=f"Joiner {i}", email=f"j{i}@outage.example", at=at)


def _restart_while_held(cluster: Cluster, box: HeldMailbox) -> None:
    """Stop the cluster while the first message waits in DATA, let the server take it, and
    bring the cluster back a moment later."""
    assert box.held.wait(60), "the worker never reached DATA"
    cluster.stop("fast")
    box.release.set()
    time.sleep(DOWN_S)
    cluster.start()


def test_issue22_a_mail_sent_while_the_database_restarts_is_recorded_not_sent_again(
    cluster: Cluster,
) -> None:
    box = HeldMailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    store = open_store(cluster.url)
    settings = NoticeSettings(
        smtp_url=f"smtp://127.0.0.1:{port}", connections=1, lease_s=20.0, timeout_s=5.0
    )
    try:
        _world(store)
        fault = threading.Thread(target=_restart_while_held, args=(cluster, box))
        fault.start()
        # A failed pass is what the worker's loop logs before it runs the next one.
        with contextlib.suppress(DBAPIError):
            asyncio.run(asyncio.wait_for(deliver_due_async(store, settings, now_us=now_us()), 120))
        fault.join(60)
        # Another pass once any lease has run out: what it takes back, it sends again.
        later = deliver_due(store, settings, now_us=now_us() + int(settings.lease_s * SECOND))
    finally:
        box.release.set()
        controller.stop()
        store.close()
    assert later.taken_back == 0
    assert box.received == Counter({f"j{i}@outage.example": 1 for i in range(JOINERS)})

"""Helpers for the notices tests: a real aiosmtpd server on loopback and a sealed short world."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select

from soulmark.core.times import HOUR, parse_iso
from soulmark.services import create_world, join, seal
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow

T0 = parse_iso("2030-01-01T00:00:00Z")

NAMES = [
    "Tenya Iida",
    "Bakugou Katsuki",
    "爆豪勝己",
    "Zéphyrine Quillfeather-Oyelaran",
    "Ångström Vantablack",
    "Momo Yaoyorozu",
    "Xochiquetzal Brightwater",
]


class Recorder:
    """An aiosmtpd handler that keeps every message and can refuse chosen recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.refusal = "550 5.1.1 mailbox unavailable"
        """What a refused recipient is told: permanent unless a test makes it a 4xx."""
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802,E501
        if address in self.refuse:
            return self.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def parsed(self) -> list[EmailMessage]:
        with self.lock:
            return [message_from_bytes(raw, policy=policy.default) for _, _, raw in self.messages]  # type: ignore[misc]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    url: str
    recorder: Recorder


@contextmanager
def running_smtp(recorder: Recorder | None = None) -> Iterator[SmtpServer]:
    """aiosmtpd on a free loopback port, in its own thread, for as long as the block runs."""
    recorder = recorder or Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(f"smtp://127.0.0.1:{port}", recorder)
    finally:
        controller.stop()


@dataclass
class World:
    slug: str
    name: str
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    """By email: name, pid, token, partner email (or None), itch_start, legible_at."""

    @property
    def matched(self) -> list[str]:
        return [e for e, p in self.people.items() if p["partner"] is not None]

    @property
    def unmatched(self) -> list[str]:
        return [e for e, p in self.people.items() if p["partner"] is None]

    @property
    def notices(self) -> int:
        """The mails a pass sends: "tingles" and "stopped" to each matched person, and the
        left-out person's one "unpaired" (issue 19 item 5)."""
        return 2 * len(self.matched) + len(self.unmatched)

    @property
    def end(self) -> int:
        return max(p["legible_at"] or 0 for p in self.people.values())


def make_world(store: Store, names: list[str] = NAMES, *, slug: str = "yuei") -> World:
    """A sealed world whose window is the hour after T0."""
    made = create_world(
        store, name="Yūei High 1-A", slug=slug, window_start=T0, window_end=T0 + HOUR, at=T0 - HOUR
    )
    world = World(made.world, made.name)
    for i, name in enumerate(names):
        email = f"p{i}@{slug}.example"
        joined = join(store, world=slug, name=name, email=email, at=T0 - HOUR + i)
        world.people[email] = {"name": name, "pid": joined.person, "token": joined.token}
    seal(store, world=slug, at=T0 - 1)
    _read_marks(store, world)
    return world


def _read_marks(store: Store, world: World) -> None:
    with store.transaction() as s:
        ids = dict(s.execute(select(PersonRow.id, PersonRow.email)).all())
        marks = {m.person_id: m for m in s.scalars(select(MarkRow)).all()}
    for pid, email in ids.items():
        if email not in world.people:
            continue
        mark = marks.get(pid)
        person = world.people[email]
        person["partner"] = ids[mark.partner_id] if mark else None
        person["itch_start"] = mark.itch_start if mark else None
        person["legible_at"] = mark.legible_at if mark else None


class BrokenSmtp:
    """A bare-bones SMTP server that hangs up at a chosen step, to test what is retried.

    ``drop="data"``: takes the whole message, then closes without the final reply (the
    client cannot know whether it was accepted).  ``drop="rcpt"``: closes on RCPT.
    """

    def __init__(self, drop: str) -> None:
        self.drop = drop
        self.data_received = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"smtp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as lines:
                self._session(conn, lines)

    def _session(self, conn: socket.socket, lines: Any) -> None:
        conn.sendall(b"220 broken ready\r\n")
        for line in lines:
            verb = line[:4].upper()
            if verb == b"RCPT" and self.drop == "rcpt":
                return
            if verb == b"DATA":
                conn.sendall(b"354 go on\r\n")
                for body_line in lines:
                    if body_line == b".\r\n":
                        break
                self.data_received += 1
                return  # hang up instead of "250"
            conn.sendall(b"221 bye\r\n" if verb == b"QUIT" else b"250 ok\r\n")

    def close(self) -> None:
        self.sock.close()

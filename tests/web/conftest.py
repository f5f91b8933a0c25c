"""Fixtures for the web tests: an app over the test store with a fake clock and a mailbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from soulmark import services
from soulmark.core.times import SECOND, parse_iso
from soulmark.services.demo import DEMO_PARAMS
from soulmark.store import Store
from soulmark.web import Settings, create_app
from soulmark.web.deps import CSRF_COOKIE, form_token
from tests.mailbox import confirmations

T0 = 1_900_000_000 * SECOND
"""A fixed start: tests never read the real clock."""
WINDOW = 240 * SECOND
PARAMS = DEMO_PARAMS  # the one demo parameter set (soulmark.services.demo)


@dataclass
class Clock:
    now: int = T0

    def __call__(self) -> int:
        return self.now


@dataclass
class Person:
    name: str
    email: str
    pid: str
    token: str
    partner: str | None = None
    itch_start: int | None = None
    ink_start: int | None = None
    legible_at: int | None = None


@dataclass
class World:
    slug: str
    organizer: str
    people: dict[str, Person] = field(default_factory=dict)
    """By opaque id."""

    def by_name(self, name: str) -> Person:
        return next(p for p in self.people.values() if p.name == name)

    def pairs(self) -> list[tuple[Person, Person]]:
        seen: set[str] = set()
        out = []
        for p in self.people.values():
            if p.partner and p.pid not in seen:
                seen |= {p.pid, p.partner}
                out.append((p, self.people[p.partner]))
        return out


class Web:
    """A TestClient plus the few moves every test makes."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self.settings = Settings(
            store=store,
            clock=clock,
            secret=b"k" * 32,
            base_url="http://soulmark.test",
            dev=True,
        )
        self.app = create_app(self.settings)
        self.client = TestClient(self.app, base_url="http://soulmark.test")

    @property
    def mail(self) -> list[dict[str, Any]]:
        """The confirmation mail queued so far (to, world, link), oldest first."""
        return confirmations(self.store)

    def csrf(self) -> str:
        if CSRF_COOKIE not in self.client.cookies:
            self.client.get("/")
        return form_token(self.settings.secret, self.client.cookies[CSRF_COOKIE])

    def form(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(path, data={"csrf": self.csrf(), **(data or {})}, **kw)

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.request(method, path, headers=headers, **kw)

    def world(self, names: list[str], *, domain: str | None = None, seal: bool = True) -> World:

        made = services.create_world(
            self.store,
            name="Test Academy",
            window_start=T0 + 10 * SECOND,
            window_end=T0 + 10 * SECOND + WINDOW,
            at=self.clock.now,
            params=PARAMS,
            email_domain=domain,
        )
        world = World(made.world, made.organizer_token)
        for i, name in enumerate(names):
            joined = services.join(
                self.store,
                world=made.world,
                name=name,
                email=f"p{i}@school.test",
                at=self.clock.now,
            )
            world.people[joined.person] = Person(
                name, f"p{i}@school.test", joined.person, joined.token
            )
        if seal:
            self.seal(world)
        return world

    def seal(self, world: World) -> None:
        self.clock.now += 1  # sealed after the joins, as in life

        services.seal(self.store, world=world.slug, at=self.clock.now)
        fill_marks(self.store, world)


def fill_marks(store: Store, world: World) -> None:
    """Each person's partner and moments, read from the public transcript (B1)."""

    doc = json.loads(services.transcript_text(store, world=world.slug))
    for pid, partner, itch, ink, legible in doc["lines"]:
        if pid in world.people and partner is not None:
            p = world.people[pid]
            p.partner = partner
            p.itch_start, p.ink_start, p.legible_at = map(parse_iso, (itch, ink, legible))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(store: Store, clock: Clock) -> Iterator[Web]:
    w = Web(store, clock)
    with w.client:
        yield w

"""Seal races (B6): the same round sealed at once by several processes and threads.

Each race opens a world, joins a random number of people (odd counts too), and releases
together: two POSTs to the organizer seal endpoint of a running server, a thread of this
process and a separate worker process, each calling ``services.seal`` with the explicit
round.  Exactly one may write; every one must report the same seed; the store must hold one
transcript and mark rows equal to its lines.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import aliased

from soulmark import services
from soulmark.core.audit import audit, load_transcript
from soulmark.core.times import DAY, SECOND, iso, now_us
from soulmark.store import Store, open_store
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow
from tests.harness.kills import new_world
from tests.harness.server import Server, free_port

__all__ = ["RaceReport", "Sealer", "judge", "race_seals", "races_with_server"]

Outcome = tuple[str, bool | None, str]
"""(who, already, seed); ``already`` is None when the call failed (the seed holds why)."""


class Sealer:
    """``tests.harness.sealer`` in a child process: a second process sealing the same round."""

    def __init__(self, url: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.harness.sealer", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],  # the repository, where ``tests`` is a package
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline() == "ready\n"

    def seal(self, slug: str) -> Outcome:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(slug + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return ("process", answer["already"], answer["seed"])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(60)


@dataclass
class RaceReport:
    races: int = 0
    contenders: int = 0
    one_writer: int = 0
    one_transcript: int = 0
    marks_match: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.races > 0 and not self.failures and self.races == self.marks_match


def _http_seal(base: str, organizer: str) -> Outcome:
    headers = {"Authorization": f"Bearer {organizer}"}
    with httpx.Client(base_url=base, timeout=60.0) as client:
        response = client.post("/api/organizer/seal", json={"round": 1}, headers=headers)
    if response.status_code != 200:
        return ("http", None, f"{response.status_code} {response.text[:200]}")
    data = response.json()
    return ("http", bool(data["already"]), str(data["seed"]))


def _contenders(
    base: str, store: Store, sealer: Sealer, slug: str, organizer: str
) -> list[Callable[[], Outcome]]:
    def thread() -> Outcome:
        done = services.seal(store, world=slug, round=1, at=now_us() + SECOND)
        return ("thread", done.already, done.seed)

    def process() -> Outcome:
        return sealer.seal(slug)

    def http() -> Outcome:
        return _http_seal(base, organizer)

    return [http, http, thread, process]


def _release(calls: list[Callable[[], Outcome]]) -> list[Outcome]:
    """Run every call at once: each waits at a barrier, then seals."""
    gate = threading.Barrier(len(calls))

    def go(call: Callable[[], Outcome]) -> Outcome:
        gate.wait(30)
        try:
            return call()
        except Exception as exc:  # a contender that fails is itself the finding
            return ("error", None, f"{type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(len(calls)) as ex:
        return list(ex.map(go, calls))


def _stored(store: Store, slug: str) -> tuple[list[str], list[list[Any]]]:
    """The world's stored transcripts and its mark rows, as transcript lines."""
    person, partner = aliased(PersonRow), aliased(PersonRow)
    with store.transaction() as s:
        world = s.scalars(select(WorldRow).where(WorldRow.slug == slug)).one()
        texts = s.scalars(
            select(RoundRow.transcript).where(
                RoundRow.world_id == world.id, RoundRow.transcript.is_not(None)
            )
        ).all()
        rows = s.execute(
            select(person.pid, partner.pid, MarkRow.itch_start, MarkRow.ink_start)
            .add_columns(MarkRow.legible_at)
            .join(person, person.id == MarkRow.person_id)
            .join(partner, partner.id == MarkRow.partner_id)
            .where(MarkRow.world_id == world.id)
        ).all()
    marks = [[p, q, iso(a), iso(b), iso(c)] for p, q, a, b, c in rows]
    return [t for t in texts if t is not None], marks


def judge(store: Store, slug: str, outcomes: list[Outcome], report: RaceReport) -> None:
    n = report.races
    failed = [o for o in outcomes if o[1] is None]
    writers = [o for o in outcomes if o[1] is False]
    seeds = {o[2] for o in outcomes}
    if failed or len(writers) != 1 or len(seeds) != 1:
        report.failures.append(f"race {n}: {outcomes}")
        return
    report.one_writer += 1
    texts, marks = _stored(store, slug)
    if len(texts) != 1:
        report.failures.append(f"race {n}: {len(texts)} transcripts")
        return
    report.one_transcript += 1
    doc = load_transcript(texts[0])
    lines = [line for line in doc["lines"] if line[1] is not None]
    if sorted(marks) != sorted(lines) or doc["seed"] not in seeds or audit(doc):
        report.failures.append(f"race {n}: marks differ from the transcript or audit fails")
        return
    report.marks_match += 1


def _world(store: Store, rng: random.Random) -> tuple[str, str]:
    now = now_us()
    start, end = now + DAY, now + 90 * DAY
    made = services.create_world(store, name="Race", window_start=start, window_end=end, at=now)
    for i in range(rng.randint(2, 41)):
        services.join(store, world=made.world, name=f"Racer {i}", email=f"r{i}@race.test", at=now)
    return made.world, made.organizer_token


def race_seals(base: str, url: str, races: int, seed: int) -> RaceReport:
    """``races`` races against the server at ``base`` over the database at ``url``."""
    rng, report = random.Random(seed), RaceReport()
    store, sealer = open_store(url), Sealer(url)
    try:
        for _ in range(races):
            slug, organizer = _world(store, rng)
            calls = _contenders(base, store, sealer, slug, organizer)
            outcomes = _release(calls)
            report.races += 1
            report.contenders += len(calls)
            judge(store, slug, outcomes, report)
    finally:
        sealer.close()
        store.close()
    return report


def races_with_server(url: str, races: int, seed: int, workdir: Path) -> RaceReport:
    """Seal races against a fresh ``soulmark serve`` over ``url``."""
    slug, _organizer = new_world(url, name="Race probe")
    server = Server(url, free_port(), workdir / "serve-races.log")
    server.start()
    try:
        server.wait_ready(f"/api/worlds/{slug}")
        return race_seals(server.base, url, races, seed)
    finally:
        server.kill()

"""SIGKILL a real server under join load (issue 5 item 5, B6).

A ``soulmark serve`` process on a loopback port takes joins from a bounded load generator
and is SIGKILLed at random moments (sometimes while it starts, mostly mid-load), then
restarted.  After every kill the store must open cleanly and hold every join acknowledged
so far; at the end no email may be stored twice (``bench.faults`` runs it at length).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from soulmark import services
from soulmark.core.times import DAY, SECOND, now_us
from soulmark.store import open_store
from tests.harness.joins import JoinCheck, check_joins, store_opens
from tests.harness.server import Load, Server, free_port

__all__ = ["KillReport", "kill_campaign", "new_world"]

EARLY = 0.15
"""Share of kills that land while the server is still starting (opening, migrating)."""


@dataclass
class KillReport:
    backend: str
    kills: int = 0
    early: int = 0
    opened_clean: int = 0
    open_failures: list[str] = field(default_factory=list)
    lost_at_a_kill: int = 0
    """The most acknowledged joins found missing right after any one kill."""
    requests: int = 0
    unreachable: int = 0
    acked: int = 0
    in_doubt: int = 0
    in_doubt_landed: int = 0
    final: JoinCheck = field(default_factory=JoinCheck)
    sealed_after: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        clean = self.final.clean and self.lost_at_a_kill == 0 and not self.open_failures
        return clean and self.acked > 0 and self.sealed_after


def new_world(url: str, name: str = "Faults") -> tuple[str, str]:
    """A world whose window lies ahead of the real clock the server uses: (slug, organizer)."""
    now = now_us()
    store = open_store(url)
    try:
        made = services.create_world(
            store, name=name, window_start=now + DAY, window_end=now + 30 * DAY, at=now
        )
    finally:
        store.close()
    return made.world, made.organizer_token


def _kill_once(server: Server, load: Load, rng: random.Random, probe: str) -> bool:
    """Start, let joins flow, SIGKILL at a random moment; True if it died while starting."""
    server.start()
    early = rng.random() < EARLY
    if early:
        time.sleep(rng.uniform(0.0, 1.5))
    else:
        server.wait_ready(probe)
        before = load.acks()
        deadline = time.monotonic() + 10
        while load.acks() == before and time.monotonic() < deadline:
            time.sleep(0.005)  # kill only once joins are flowing again
        time.sleep(rng.uniform(0.0, 0.8))
    server.kill()
    return early


def _after_kill(url: str, slug: str, load: Load, report: KillReport) -> None:
    opened = store_opens(url)
    if opened == "ok":
        report.opened_clean += 1
        missing = check_joins(url, slug, load.snapshot(), load.attempted_snapshot()).lost
        report.lost_at_a_kill = max(report.lost_at_a_kill, len(missing))
    else:
        report.open_failures.append(f"kill {report.kills}: {opened}")


def _finish(url: str, slug: str, load: Load, report: KillReport) -> None:
    report.requests, report.acked = load.requests, len(load.acked)
    report.unreachable = load.unreachable
    report.in_doubt, report.in_doubt_landed = len(load.in_doubt), len(load.conflicts)
    report.final = check_joins(url, slug, load.acked, load.attempted)
    store = open_store(url)
    try:
        # The store still works after all that: the survivors can be sealed.
        sealed = services.seal(store, world=slug, at=now_us() + SECOND)
        report.sealed_after = sealed.people == report.final.rows
    finally:
        store.close()


def kill_campaign(
    url: str,
    backend: str,
    kills: int,
    *,
    workdir: Path,
    seed: int,
    threads: int = 4,
    budget_s: float = 3600.0,
) -> KillReport:
    """``kills`` SIGKILLs of a server under join load over the database at ``url`` (fewer if
    ``budget_s`` runs out first)."""
    slug, _organizer = new_world(url)
    server = Server(url, free_port(), workdir / f"serve-{backend}.log")
    load = Load(server.base, slug, prefix=f"k{seed}", threads=threads, deadline=1800.0)
    rng, report, started = random.Random(seed), KillReport(backend), time.monotonic()
    load.start()
    try:
        while report.kills < kills and time.monotonic() - started < budget_s:
            report.early += _kill_once(server, load, rng, f"/api/worlds/{slug}")
            report.kills += 1
            _after_kill(url, slug, load, report)
        # One last start so the in-doubt joins get their second try, then a clean stop.
        server.start()
        server.wait_ready(f"/api/worlds/{slug}")
        time.sleep(0.5)
        load.stop()
    finally:
        load.stop()
        server.kill()
    _finish(url, slug, load, report)
    report.seconds = time.monotonic() - started
    return report

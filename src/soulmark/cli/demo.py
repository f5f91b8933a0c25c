"""``soulmark demo``: a short-window world followed live through itch, ink and reveal."""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.panel import Panel
from rich.table import Table

from soulmark import services
from soulmark.cli.common import DbOpt, console, opened
from soulmark.core.times import SECOND, iso, now_us
from soulmark.services.audit import audit_report
from soulmark.services.demo import DemoWrist, build_demo
from soulmark.services.wrist_view import WristView
from soulmark.store import Store

__all__ = ["demo", "demo_db"]


@dataclass
class Clock:
    """Demo time: starts at the real now and runs ``speed`` times faster."""

    start_us: int
    speed: float
    _t0: float = 0.0

    def __post_init__(self) -> None:
        self._t0 = time.monotonic()

    def now(self) -> int:
        return self.start_us + int((time.monotonic() - self._t0) * self.speed * SECOND)


def _wrist_panel(name: str, view: WristView) -> Panel:
    art = {
        "bare": "[dim](  a bare wrist  )[/dim]",
        "itching": "[yellow]~ ~  it tingles  ~ ~[/yellow]",
        "covered": "[white on grey23]  ▒▒▒ bandage ▒▒▒  [/white on grey23]",
    }.get(view.state, "")
    if view.state == "inking":
        done = view.strokes or 0
        art = "[magenta]" + "╱" * done + "[/magenta][dim]" + "·" * (view.strokes_total - done)
        art += f"[/dim]  {view.progress or 0:.0%}"
    if view.state == "revealed":
        legible, looked = (view.legible_at or "")[11:19], (view.looked_at or "")[11:19]
        art = f"[bold magenta]{view.name}[/bold magenta]\n"
        art += f"[dim]legible {legible} · looked {looked} UTC[/dim]"
    body = f"{art}\n\n{view.message}"
    return Panel(body, title=f"{name}'s wrist — {view.state}", width=44)


Pair = tuple[DemoWrist, DemoWrist]


def _watch(store: Store, clock: Clock, pair: Pair) -> None:
    with Live(console=console, refresh_per_second=8, transient=False) as live:
        while True:
            at = clock.now()
            views = [services.wrist(store, token=w.token, at=at) for w in pair]
            grid = Table.grid(padding=1)
            grid.add_row(*(_wrist_panel(w.name, v) for w, v in zip(pair, views, strict=True)))
            grid.add_row(f"[dim]demo clock {iso(at)[11:19]} UTC × {clock.speed:g}[/dim]")
            live.update(grid)
            if all(v.state == "covered" for v in views):
                return
            time.sleep(0.125)


def demo_db() -> str:
    """A fresh SQLite file for a demo: never the user's own database.  Said aloud."""
    path = Path(tempfile.mkdtemp(prefix="soulmark-demo-")) / "demo.db"
    console.print(f"Demo database: {path} (a new file; your own database is untouched)")
    return f"sqlite:///{path}"


def demo(
    speed: Annotated[float, typer.Option(min=0.1, max=1000.0, help="Run the clock faster.")] = 1.0,
    people: Annotated[int, typer.Option(min=2, max=500, help="How many join.")] = 30,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Look without asking.")] = False,
    db: DbOpt = None,
) -> None:
    """A world of ~30 people with a four-minute window, sealed and followed live.

    Example: soulmark demo --speed 4
    """
    db = db or demo_db()
    clock = Clock(now_us(), speed)
    with opened(db) as store:
        made = build_demo(store, now_us=clock.now(), people=people)
        console.print(
            f"World [cyan]{made.world}[/cyan]: {made.people} people, {made.pairs} pairs, "
            f"{made.people - 2 * made.pairs} waiting for the next round. Fate is sealed.\n"
        )
        pair = made.first_pair()
        _watch(store, clock, pair)
        _reveal(store, clock, pair, ask=not yes and sys.stdin.isatty())
        _audit(made.transcript, db, made.world)


def _reveal(store: Store, clock: Clock, pair: Pair, ask: bool) -> None:
    for w in pair:
        if ask and not typer.confirm(f"It stopped. Lift the bandage on {w.name}'s wrist?", True):
            console.print(
                f"{w.name} keeps the bandage on for now; it can wait as long as it likes."
            )
            continue
        view = services.look(store, token=w.token, at=clock.now())
        console.print(_wrist_panel(w.name, view))
    for w in pair:
        view = services.wrist(store, token=w.token, at=clock.now())
        if view.state == "revealed":
            view = services.reach_out(store, token=w.token, at=clock.now())
    if view.contact:
        console.print(f"Both reached out: contact passes ({view.contact}).")


def _audit(text: str, db: str, world: str) -> None:
    path = Path(tempfile.mkdtemp(prefix="soulmark-transcript-")) / "transcript.json"
    path.write_text(text, encoding="utf-8")
    report = audit_report(text)
    verdict = (
        "[green]verified[/green]"
        if report.ok
        else f"[red]{len(report.mismatches)} mismatches[/red]"
    )
    console.print(f"\nAudit of the transcript ({path}): {verdict}")
    console.print(f"Try: soulmark audit {path}")
    console.print(f"     soulmark world show {world} --db {db}")

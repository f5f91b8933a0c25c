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
from soulmark.core.audit import audit, load_transcript
from soulmark.core.marks import MarkParams
from soulmark.core.times import SECOND, iso
from soulmark.services.wrists import WristView
from soulmark.store import Store

__all__ = ["demo", "DEMO_NAMES", "DEMO_PARAMS"]

DEMO_NAMES = [
    "Tenya Iida",
    "Bakugou Katsuki",
    "爆豪勝己",
    "Ochaco Uraraka",
    "緑谷出久",
    "Shouto Todoroki",
    "Ana María de la Cruz",
    "Nguyễn Thị Minh Khai",
    "Олександра Коваль",
    "Дмитрий Иванов",
    "فاطمة الزهراء",
    "יעל כהן",
    "Αθηνά Παπαδοπούλου",
    "김민준",
    "이서연",
    "Priya Raghunathan",
    "प्रिया शर्मा",
    "Søren Kierkegaard",
    "Zoë Ó Briain",
    "Kwame Mensah",
    "Aroha Ngata",
    "李小龍",
    "Siobhán Ní Bhriain",
    "Mehmet Yılmaz",
    "ศรีสุดา ทองดี",
    "Jean-Luc Picard",
    "Ngozi Okonkwo-Adeyemi",
    "Björk Guðmundsdóttir",
    "Wang Fang",
    "Tsubasa Ōzora",
    "Lola",
]
# A few minutes from bare to legible: the itch and the ink last long enough to watch.
DEMO_PARAMS = MarkParams(
    itch_min=10 * SECOND,
    itch_lead_max=70 * SECOND,
    ink_min=20 * SECOND,
    ink_max=40 * SECOND,
    same_day=15 * SECOND,
)
DEMO_WINDOW = 4 * 60 * SECOND


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


@dataclass
class Cast:
    world: str
    tokens: dict[str, str]
    """Opaque id to wrist token, for everyone the demo joined."""
    names: dict[str, str]


def _populate(store: Store, start: int, people: int) -> Cast:
    made = services.create_world(
        store,
        name="Demo High, class of today",
        window_start=start,
        window_end=start + DEMO_WINDOW,
        at=start,
        params=DEMO_PARAMS,
    )
    cast = Cast(made.world, {}, {})
    for i in range(people):
        name = DEMO_NAMES[i % len(DEMO_NAMES)] + ("" if i < len(DEMO_NAMES) else f" {i}")
        joined = services.join(
            store, world=made.world, name=name, email=f"p{i}@demo.test", at=start
        )
        cast.tokens[joined.person] = joined.token
        cast.names[joined.person] = joined.name
    return cast


def _first_pair(doc: dict[str, object]) -> tuple[str, str]:
    """The pair legible first, read from the public transcript: the cycle shows soonest."""
    lines = [line for line in doc["lines"] if line[1] is not None]  # type: ignore[attr-defined]
    first = min(lines, key=lambda line: line[4])
    return first[0], first[1]


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


def _watch(store: Store, clock: Clock, pair: tuple[tuple[str, str], tuple[str, str]]) -> None:
    with Live(console=console, refresh_per_second=8, transient=False) as live:
        while True:
            at = clock.now()
            views = [services.wrist(store, token=tok, at=at) for _, tok in pair]
            grid = Table.grid(padding=1)
            grid.add_row(*(_wrist_panel(name, v) for (name, _), v in zip(pair, views, strict=True)))
            grid.add_row(f"[dim]demo clock {iso(at)[11:19]} UTC × {clock.speed:g}[/dim]")
            live.update(grid)
            if all(v.state == "covered" for v in views):
                return
            time.sleep(0.125)


def demo(
    speed: Annotated[float, typer.Option(min=0.1, max=1000.0, help="Run the clock faster.")] = 1.0,
    people: Annotated[int, typer.Option(min=2, max=500, help="How many join.")] = 30,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Look without asking.")] = False,
    db: DbOpt = None,
) -> None:
    """A world of ~30 people with a four-minute window, sealed and followed live.

    Example: soulmark demo --speed 4
    """
    if db is None:
        db = f"sqlite:///{Path(tempfile.mkdtemp(prefix='soulmark-demo-')) / 'demo.db'}"
    clock = Clock(time.time_ns() // 1000, speed)
    with opened(db) as store:
        cast = _populate(store, clock.now(), people)
        sealed = services.seal(store, world=cast.world, at=clock.now())
        text = services.transcript_text(store, world=cast.world)
        console.print(
            f"World [cyan]{cast.world}[/cyan]: {sealed.people} people, {sealed.pairs} pairs, "
            f"{sealed.unmatched} waiting for the next round. Fate is sealed.\n"
        )
        a, b = _first_pair(load_transcript(text))
        pair = ((cast.names[a], cast.tokens[a]), (cast.names[b], cast.tokens[b]))
        _watch(store, clock, pair)
        _reveal(store, clock, pair, ask=not yes and sys.stdin.isatty())
        _audit(text, db, cast.world)


def _reveal(
    store: Store, clock: Clock, pair: tuple[tuple[str, str], tuple[str, str]], ask: bool
) -> None:
    for name, token in pair:
        if ask and not typer.confirm(f"It stopped. Lift the bandage on {name}'s wrist?", True):
            console.print(f"{name} keeps the bandage on for now; it can wait as long as it likes.")
            continue
        view = services.look(store, token=token, at=clock.now())
        console.print(_wrist_panel(name, view))
    for _, token in pair:
        view = services.wrist(store, token=token, at=clock.now())
        if view.state == "revealed":
            view = services.reach_out(store, token=token, at=clock.now())
    if view.contact:
        console.print(f"Both reached out: contact passes ({view.contact}).")


def _audit(text: str, db: str, world: str) -> None:
    path = Path(tempfile.mkdtemp(prefix="soulmark-transcript-")) / "transcript.json"
    path.write_text(text, encoding="utf-8")
    found = audit(load_transcript(text))
    verdict = "[green]verified[/green]" if not found else f"[red]{len(found)} mismatches[/red]"
    console.print(f"\nAudit of the transcript ({path}): {verdict}")
    console.print(f"Try: soulmark audit {path}")
    console.print(f"     soulmark world show {world} --db {db}")

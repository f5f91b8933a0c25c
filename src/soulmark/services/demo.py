"""The demo world (``soulmark demo`` and ``soulmark serve --demo``): one builder for both.

A window of a few minutes, ~30 people in many scripts, sealed at once, so a newcomer watches
wrists itch, ink in and become ready, in a terminal or a browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from soulmark.core.links import private_link, world_url
from soulmark.core.marks import MarkParams
from soulmark.core.times import SECOND, parse_iso
from soulmark.services.joins import Joined, join
from soulmark.services.sealing import seal, transcript_text
from soulmark.services.worlds import create_world
from soulmark.store import Store

__all__ = ["DEMO_NAMES", "DEMO_PARAMS", "Demo", "DemoWrist", "build_demo"]

DEMO_NAMES = (
    "Tenya Iida",
    "Bakugou Katsuki",
    "爆豪勝己",
    "Ochaco Uraraka",
    "緑谷出久",
    "Shouto Todoroki",
    "فاطمة الزهراء",
    "عمر الفاروق",
    "Олександра Коваль",
    "Дмитрий Иванов",
    "प्रिया शर्मा",
    "अर्जुन मेहता",
    "Αθηνά Παπαδοπούλου",
    "김민준",
    "이서연",
    "יעל כהן",
    "Nguyễn Thị Minh Khai",
    "ศรีสุดา ทองดี",
    "Søren Kierkegaard",
    "Zoë Ó Briain",
    "Kwame Mensah",
    "Aroha Ngata",
    "李小龍",
    "Mehmet Yılmaz",
    "Björk Guðmundsdóttir",
    "Ngozi Okonkwo-Adeyemi",
    "Ana María de la Cruz",
    "Tsubasa Ōzora",
    "ლევან გელაშვილი",
    "Lola",
)

DEMO_PARAMS = MarkParams(
    itch_min=20 * SECOND,
    itch_lead_max=100 * SECOND,
    ink_min=30 * SECOND,
    ink_max=60 * SECOND,
    same_day=20 * SECOND,
)
"""Itch 20–100 s before the ink, ink 30–60 s, pairs within 20 s: made for a 4-minute window.
With ``D = 2 * (100 s + 20 s) = 240 s`` a window of 240 s or more uses these exactly; a
shorter one scales them down (soulmark.core.marks.scaled)."""


@dataclass(frozen=True, slots=True)
class DemoWrist:
    person: str
    token: str
    name: str
    """The wrist's own bearer (the demo plays everyone); never in :meth:`Demo.to_json`."""
    partner: str | None
    legible_at: int | None


@dataclass(frozen=True, slots=True)
class Demo:
    world: str
    organizer_token: str
    window_start: str
    window_end: str
    people: int
    pairs: int
    wrists: tuple[DemoWrist, ...]
    """Soonest itch first, so the first links printed move first."""
    transcript: str

    @property
    def paths(self) -> dict[str, str]:
        return {
            "world": world_url(self.world),
            "organizer": private_link("", "organizer", self.organizer_token),
        }

    def links(self, base_url: str, wrists: int = 3, pairs: int = 2) -> dict[str, Any]:
        """Absolute links to print: the world page, the organizer's dashboard, a few wrists,
        and the wrists of the first ``pairs`` pairs, two by two (soulmates side by side)."""
        base = base_url.rstrip("/")
        return {
            "world": base + self.paths["world"],
            "organizer": base + self.paths["organizer"],
            "wrists": [private_link(base, "wrist", w.token) for w in self.wrists[:wrists]],
            "pairs": [
                [private_link(base, "wrist", w.token) for w in pair]
                for pair in self.soulmates(pairs)
            ],
        }

    def soulmates(self, count: int) -> list[tuple[DemoWrist, DemoWrist]]:
        """The ``count`` pairs legible first: their whole cycle shows soonest."""
        by_id = {w.person: w for w in self.wrists}
        drawn = [w for w in self.wrists if w.partner is not None and w.legible_at is not None]
        out: list[tuple[DemoWrist, DemoWrist]] = []
        for w in sorted(drawn, key=lambda w: (w.legible_at, w.person)):
            if len(out) < count and all(w not in pair for pair in out):
                out.append((w, by_id[w.partner or ""]))
        return out

    def first_pair(self) -> tuple[DemoWrist, DemoWrist]:
        """The pair legible first: the whole cycle shows soonest."""
        return self.soulmates(1)[0]

    def to_json(self) -> dict[str, Any]:
        """Links and tokens; no name (a name is a partner's secret until it is revealed)."""
        return {
            "world": self.world,
            "organizer_token": self.organizer_token,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "people": self.people,
            "pairs": self.pairs,
            "wrists": [{"person": w.person, "token": w.token} for w in self.wrists],
            "paths": self.paths,
        }


def demo_name(i: int) -> str:
    name = DEMO_NAMES[i % len(DEMO_NAMES)]
    return name if i < len(DEMO_NAMES) else f"{name} {i // len(DEMO_NAMES) + 1}"


def build_demo(
    store: Store,
    *,
    now_us: int,
    people: int = 30,
    window_s: int = 240,
    start_in_s: int = 5,
    slug: str | None = None,
) -> Demo:
    """Create, fill and seal a demo world starting ``start_in_s`` after ``now_us``."""
    start = now_us + start_in_s * SECOND
    made = create_world(
        store,
        name="Demo High, class of today",
        window_start=start,
        window_end=start + window_s * SECOND,
        at=now_us,
        slug=slug,
        params=DEMO_PARAMS,
    )
    joined = [
        join(store, world=made.world, name=demo_name(i), email=f"demo{i}@demo.test", at=now_us)
        for i in range(people)
    ]
    sealed = seal(store, world=made.world, at=now_us, round=1)
    text = transcript_text(store, world=made.world, round=1)
    return Demo(
        world=made.world,
        organizer_token=made.organizer_token,
        window_start=made.window_start,
        window_end=made.window_end,
        people=sealed.people,
        pairs=sealed.pairs,
        wrists=_wrists(joined, text),
        transcript=text,
    )


def _wrists(joined: list[Joined], transcript: str) -> tuple[DemoWrist, ...]:
    """Each joiner's wrist with its public line from the transcript (B1), soonest itch first."""
    lines = {line[0]: line for line in json.loads(transcript)["lines"]}

    def moment(value: str | None) -> int | None:
        return parse_iso(value) if value is not None else None

    def itch(w: DemoWrist) -> tuple[bool, int]:
        start = moment(lines[w.person][2])
        return start is None, start or 0

    wrists = [
        DemoWrist(j.person, j.token, j.name, lines[j.person][1], moment(lines[j.person][4]))
        for j in joined
    ]
    return tuple(sorted(wrists, key=itch))

"""A demo world for ``make demo``: a window of a few minutes, ~30 people in many scripts,
sealed at once, so a newcomer watches wrists itch, ink in and become ready in a browser."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from soulmark import services
from soulmark.core.marks import MarkParams
from soulmark.core.times import SECOND
from soulmark.services.tokens import token_hash
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow

__all__ = ["DEMO_NAMES", "demo_params", "demo_world", "demo_links"]

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


def demo_params(window_s: int) -> MarkParams:
    """Itch 20–70 s before the ink, ink 30–60 s, pairs within 20 s: made for a 4-minute
    window.  With ``D = 2 * (100 s + 20 s) = 240 s`` a window of 240 s or more uses these
    exactly; a shorter one scales them down (soulmark.core.marks.scaled)."""
    del window_s  # the scaling rule adapts the same parameters to any window
    return MarkParams(
        itch_min=20 * SECOND,
        itch_lead_max=100 * SECOND,
        ink_min=30 * SECOND,
        ink_max=60 * SECOND,
        same_day=20 * SECOND,
    )


def _soonest_first(store: Store, world_tokens: dict[str, str]) -> list[dict[str, str]]:
    """Wrists ordered by when their itch starts, so the first links printed move first."""
    hashes = {token_hash(t): t for t in world_tokens.values()}
    with store.transaction() as s:
        rows = s.execute(
            select(PersonRow.pid, PersonRow.token_hash, MarkRow.itch_start)
            .join(MarkRow, MarkRow.person_id == PersonRow.id, isouter=True)
            .where(PersonRow.token_hash.in_(list(hashes)))
        ).all()
    ordered = sorted(rows, key=lambda r: (r.itch_start is None, r.itch_start or 0))
    return [{"person": r.pid, "token": hashes[r.token_hash]} for r in ordered]


def _join_all(store: Store, world: str, people: int, at: int) -> dict[str, str]:
    """Opaque id -> wrist token for ``people`` joins, names cycling through DEMO_NAMES."""
    tokens: dict[str, str] = {}
    for i in range(people):
        name = DEMO_NAMES[i % len(DEMO_NAMES)]
        if i >= len(DEMO_NAMES):
            name = f"{name} {i // len(DEMO_NAMES) + 1}"
        joined = services.join(store, world=world, name=name, email=f"demo{i}@demo.test", at=at)
        tokens[joined.person] = joined.token
    return tokens


def demo_world(
    store: Store,
    *,
    now_us: int,
    people: int = 30,
    window_s: int = 240,
    start_in_s: int = 5,
    slug: str | None = None,
) -> dict[str, Any]:
    """Create, fill and seal a demo world; returns its slug, the organizer token and every
    wrist token (``wrists``, soonest itch first).  Names never appear in the result."""
    start = now_us + start_in_s * SECOND
    made = services.create_world(
        store,
        name="Demo High, class of today",
        window_start=start,
        window_end=start + window_s * SECOND,
        at=now_us,
        slug=slug,
        params=demo_params(window_s),
    )
    tokens = _join_all(store, made.world, people, now_us)
    sealed = services.seal(store, world=made.world, at=now_us, round=1)
    return {
        "world": made.world,
        "organizer_token": made.organizer_token,
        "window_start": made.window_start,
        "window_end": made.window_end,
        "people": sealed.people,
        "pairs": sealed.pairs,
        "wrists": _soonest_first(store, tokens),
        "paths": {
            "world": f"/w/{made.world}",
            "organizer": f"/organizer/{made.organizer_token}",
        },
    }


def demo_links(demo: dict[str, Any], base_url: str, wrists: int = 3) -> dict[str, Any]:
    """Absolute links to print: the world page, the organizer's dashboard, a few wrists."""
    base = base_url.rstrip("/")
    return {
        "world": base + demo["paths"]["world"],
        "organizer": base + demo["paths"]["organizer"],
        "wrists": [f"{base}/wrist/{w['token']}" for w in demo["wrists"][:wrists]],
    }

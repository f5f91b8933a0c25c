"""Never-with changes racing a real seal (R3, B6): an acknowledged change is in the draw.

Each test holds a real seal's transaction open right after it read the round's lists and
runs the change from another thread meanwhile, so the race is the same every run.  The pause
comes from the test side (a wrapper around what the seal calls), never from the product.
The change then either waits for the seal and is refused with one line, or lands before the
seal read the lists; what it may never do is answer "done" and miss the draw, or fail with a
database error (a 500 on the web).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select, text

from soulmark.core.errors import SoulmarkError
from soulmark.core.times import DAY, parse_iso
from soulmark.services import create_world, join, seal, sealing
from soulmark.services.exclusions import Exclusions, add_exclusion, remove_exclusion
from soulmark.services.lifecycle import leave
from soulmark.store import Store
from soulmark.store.models import PersonRow

T0 = parse_iso("2030-04-01T00:00:00Z")
BEFORE = T0 - 2 * DAY


@dataclass
class Race:
    """What each side of the race ended with."""

    drawn: list[tuple[str, str]] = field(default_factory=list)
    """The pairs the seal drew around, as it read them."""
    sealed: Any = None
    seal_error: BaseException | None = None
    change: Any = None
    change_error: BaseException | None = None


def _blocked(store: Store, done: threading.Event) -> None:
    """Until the change is finished or waits for a lock: its chance to slip in."""
    deadline = time.monotonic() + 5
    while not done.wait(0.02) and time.monotonic() < deadline:
        if store.dialect == "postgresql":
            with store.engine.connect() as conn:
                waiting = conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'"
                    )
                )
            if waiting:
                return
        elif time.monotonic() > deadline - 4.5:
            return  # SQLite: a writer waits inside BEGIN IMMEDIATE, out of sight


def race(store: Store, world: str, change: Callable[[], object], monkeypatch) -> Race:
    """Seal ``world`` while ``change`` runs, from right after the seal read the lists."""
    out, read, done = Race(), threading.Event(), threading.Event()
    real = sealing.round_exclusions

    def reading(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        pairs = real(*args, **kwargs)
        out.drawn = [tuple(sorted(p)) for p in pairs]  # type: ignore[misc]
        read.set()
        _blocked(store, done)
        return pairs

    def other() -> None:
        try:
            assert read.wait(10), "the seal never read the lists"
            out.change = change()
        except BaseException as exc:  # noqa: BLE001  (kept for the assertions below)
            out.change_error = exc
        finally:
            done.set()

    monkeypatch.setattr(sealing, "round_exclusions", reading)
    thread = threading.Thread(target=other)
    thread.start()
    try:
        out.sealed = seal(store, world=world, at=BEFORE)
    except BaseException as exc:  # noqa: BLE001
        out.seal_error = exc
        read.set()
    thread.join(30)
    assert not thread.is_alive()
    return out


def _round(store: Store, n: int = 8) -> tuple[str, list[Any], dict[str, str]]:
    made = create_world(
        store, name="Race night", window_start=T0, window_end=T0 + 365 * DAY, at=BEFORE
    )
    people = [
        join(store, world=made.world, name=f"S {i}", email=f"s{i}@ua.example", at=BEFORE)
        for i in range(n)
    ]
    with store.transaction() as s:
        pid = {email: p for email, p in s.execute(select(PersonRow.email, PersonRow.pid))}
    return made.world, people, pid


def _refused_in_one_line(error: BaseException | None) -> bool:
    return (
        isinstance(error, SoulmarkError)
        and error.code == "exclusions-frozen"
        and "\n" not in str(error)
    )


def test_r3_b6_an_exclusion_added_during_a_seal_is_drawn_or_refused(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, people, pid = _round(store)
    pair = tuple(sorted((pid["s0@ua.example"], pid["s1@ua.example"])))

    def add() -> Exclusions:
        return add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)

    out = race(store, world, add, monkeypatch)
    assert out.seal_error is None, f"the seal failed: {out.seal_error!r}"
    assert out.change_error is None or _refused_in_one_line(out.change_error), (
        f"the add failed with {out.change_error!r}"
    )
    if out.change is not None:
        assert pair in out.drawn, "the add was acknowledged but the draw did not hold it"


def test_r3_b6_an_exclusion_removed_during_a_seal_is_honoured_or_refused(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, people, pid = _round(store)
    add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    pair = tuple(sorted((pid["s0@ua.example"], pid["s1@ua.example"])))

    def remove() -> Exclusions:
        return remove_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)

    out = race(store, world, remove, monkeypatch)
    assert out.seal_error is None, f"the seal failed: {out.seal_error!r}"
    assert out.change_error is None or _refused_in_one_line(out.change_error), (
        f"the remove failed with {out.change_error!r}"
    )
    if out.change is not None:
        assert out.change.addresses == []
        assert pair not in out.drawn, "the remove was acknowledged but the draw kept the pair"


def test_r3_b6_leaving_during_a_seal_takes_the_list_out_of_the_draw_or_waits(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaving removes the leaver's list with them: that change waits for the seal too."""
    world, people, pid = _round(store)
    add_exclusion(store, token=people[0].token, email="s1@ua.example", at=BEFORE)
    left: dict[str, Any] = {}

    def go() -> None:
        left.update(leave(store, token=people[0].token, at=BEFORE))

    out = race(store, world, go, monkeypatch)
    assert out.seal_error is None, f"the seal failed: {out.seal_error!r}"
    assert out.change_error is None, f"leaving failed with {out.change_error!r}"
    # The seal drew the leaver, so leaving waited and left only the name behind (drawn).
    assert left["outcome"] == "drawn"

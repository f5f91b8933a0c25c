"""The planned seal (issue 9): the notices worker draws fate at the organizer's moment, once,
as the seal button would, and refuses cleanly when fate cannot be drawn."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from soulmark.core.errors import InvalidInput
from soulmark.core.times import HOUR, MINUTE, iso, parse_iso
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.services import create_world, join, seal
from soulmark.services.schedule import plan_seal, schedule_of, seal_due
from soulmark.services.worlds import world_info
from soulmark.store import Store
from soulmark.store.models import FateLogRow

T0 = parse_iso("2030-01-01T00:00:00Z")
PLANNED = T0 + 10 * MINUTE


def _world(store: Store, people: int = 2) -> str:
    made = create_world(
        store, name="Planned", slug="planned", window_start=T0, window_end=T0 + 48 * HOUR, at=T0
    )
    for i in range(people):
        join(store, world="planned", name=f"P{i}", email=f"p{i}@x.test", at=T0 + i)
    plan_seal(store, world=made.world, seal_at=iso(PLANNED), at=T0 + MINUTE)
    return made.world


def _seals(store: Store) -> int:
    with store.read() as s:
        found = s.scalar(
            select(func.count()).select_from(FateLogRow).where(FateLogRow.kind == "seal")
        )
    return int(found or 0)


def test_i9_worker_seals_nothing_before_seal_at_and_once_after(store: Store) -> None:
    slug = _world(store)
    settings = NoticeSettings()
    assert deliver_due(store, settings, now_us=PLANNED - 1).sealed == 0
    assert world_info(store, slug=slug).open_round == 1
    assert schedule_of(store, world=slug).seal_at == iso(PLANNED)
    assert deliver_due(store, settings, now_us=PLANNED).sealed == 1
    info = world_info(store, slug=slug)
    assert info.rounds[0]["sealed"] and info.rounds[0]["people"] == 2
    for later in (PLANNED + 1, PLANNED + HOUR):
        assert deliver_due(store, settings, now_us=later).sealed == 0
    assert world_info(store, slug=slug).open_round == 2, "the next round is not sealed too"
    assert _seals(store) == 1
    assert schedule_of(store, world=slug).seal_at is None


def test_i9_two_workers_racing_seal_once(store: Store) -> None:
    _world(store)
    start = threading.Barrier(2)
    sealed: list[int] = []

    def worker() -> None:
        start.wait()
        sealed.append(seal_due(store, at=PLANNED + 1))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(sealed) == [0, 1]
    assert _seals(store) == 1


def test_i9_a_seal_by_hand_before_the_moment_leaves_the_plan_nothing_to_do(store: Store) -> None:
    slug = _world(store)
    seal(store, world=slug, at=T0 + 5 * MINUTE, round=1)
    assert schedule_of(store, world=slug).seal_at is None, "the plan was for the sealed round"
    join(store, world=slug, name="Late", email="late@x.test", at=T0 + 6 * MINUTE)
    join(store, world=slug, name="Later", email="later@x.test", at=T0 + 7 * MINUTE)
    assert seal_due(store, at=PLANNED) == 0
    assert world_info(store, slug=slug).open_round == 2 and _seals(store) == 1


def test_i9_planned_seal_of_one_person_is_refused_and_kept_for_the_dashboard(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    slug = _world(store, people=1)
    assert seal_due(store, at=PLANNED) == 0
    refused = schedule_of(store, world=slug)
    assert refused.seal_at == iso(PLANNED) and "one person" in (refused.refused or "")
    assert "could not happen" in caplog.text
    caplog.clear()
    assert seal_due(store, at=PLANNED + MINUTE) == 0
    assert caplog.text == "", "a refused plan is not retried every pass"
    again = plan_seal(store, world=slug, seal_at=iso(PLANNED + HOUR), at=PLANNED + 2 * MINUTE)
    assert again.refused is None and again.seal_at == iso(PLANNED + HOUR)


def test_i9_seal_at_must_be_later_than_now_and_leave_room_in_the_window(store: Store) -> None:
    slug = _world(store)
    for moment in (T0, T0 + 48 * HOUR, "tomorrow"):
        text = moment if isinstance(moment, str) else iso(moment)
        with pytest.raises(InvalidInput):
            plan_seal(store, world=slug, seal_at=text, at=T0 + 2 * MINUTE)
    assert schedule_of(store, world=slug).seal_at == iso(PLANNED), "a refused plan changes nothing"
    assert plan_seal(store, world=slug, seal_at=None, at=T0 + 2 * MINUTE).seal_at is None

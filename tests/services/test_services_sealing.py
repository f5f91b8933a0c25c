"""B6 for sealing: one transaction, idempotent, concurrent-safe, and a sealed mark never changes."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlalchemy import func, select, text

import soulmark.services.sealing as sealing
from soulmark.core.audit import audit, load_transcript
from soulmark.core.errors import NotFound
from soulmark.core.times import DAY, HOUR, parse_iso
from soulmark.services import (
    create_world,
    join,
    look,
    reach_out,
    seal,
    transcript_text,
    world_info,
    wrist,
)
from soulmark.store import Store, open_store
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow

T0 = parse_iso("2030-04-01T00:00:00Z")
END = T0 + 365 * DAY
BEFORE = T0 - 2 * DAY


def populate(store: Store, n: int, slug: str | None = None) -> tuple[str, list]:
    created = create_world(
        store, name="Class 1-A", slug=slug, window_start=T0, window_end=END, at=BEFORE
    )
    people = [
        join(store, world=created.world, name=f"Student {i}", email=f"s{i}@ua.example", at=BEFORE)
        for i in range(n)
    ]
    return created.world, people


def snapshot(store: Store) -> dict[str, Any]:
    """Every row that sealing may touch, as plain tuples."""
    with store.transaction() as s:
        return {
            "marks": sorted(
                tuple(r)
                for r in s.execute(
                    select(
                        MarkRow.id,
                        MarkRow.person_id,
                        MarkRow.round,
                        MarkRow.partner_id,
                        MarkRow.itch_start,
                        MarkRow.ink_start,
                        MarkRow.legible_at,
                    )
                )
            ),
            "rounds": sorted(
                tuple(r)
                for r in s.execute(
                    select(
                        RoundRow.id,
                        RoundRow.number,
                        RoundRow.secret,
                        RoundRow.commitment,
                        RoundRow.sealed_at,
                        RoundRow.seed,
                        RoundRow.transcript,
                    )
                )
            ),
            "people": sorted(tuple(r) for r in s.execute(select(PersonRow.pid, PersonRow.round))),
            "open_round": s.scalar(select(WorldRow.open_round)),
        }


def test_b6_sealing_twice_is_idempotent(store: Store) -> None:
    world, _ = populate(store, 9)
    first = seal(store, world=world, at=BEFORE + HOUR)
    text1 = transcript_text(store, world=world, round=1)
    before = snapshot(store)
    again = seal(store, world=world, at=BEFORE + 2 * HOUR, round=1)
    assert not first.already and again.already
    assert (again.round, again.pairs, again.unmatched, again.seed) == (
        first.round,
        first.pairs,
        first.unmatched,
        first.seed,
    )
    assert transcript_text(store, world=world, round=1) == text1
    assert snapshot(store) == before, "no new rows, nothing changed"


@pytest.mark.parametrize("where", ["seal_drawn", "_write_marks", "open_round"])
def test_b6_a_failure_mid_seal_leaves_nothing_written(
    store: Store, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    world, people = populate(store, 7)
    before = snapshot(store)
    original = getattr(sealing, where)

    def boom(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)  # do the work (and the writes), then fail before commit
        raise RuntimeError(f"crash in {where}")

    monkeypatch.setattr(sealing, where, boom)
    with pytest.raises(RuntimeError):
        seal(store, world=world, at=BEFORE + HOUR)
    monkeypatch.undo()
    assert snapshot(store) == before
    assert before["marks"] == [] and before["open_round"] == 1
    assert all(rnd == 1 for _, rnd in before["people"]), "the unmatched were not moved"
    info = world_info(store, slug=world)
    assert [r["sealed"] for r in info.rounds] == [False]
    with pytest.raises(NotFound):
        transcript_text(store, world=world)
    assert wrist(store, token=people[0].token, at=END).state == "bare"
    # and the round seals normally afterwards
    sealed = seal(store, world=world, at=BEFORE + 2 * HOUR)
    assert (sealed.pairs, sealed.already) == (3, False)
    assert audit(load_transcript(transcript_text(store, world=world))) == []


def test_b6_a_sealed_mark_never_changes(store: Store) -> None:
    world, people = populate(store, 7)
    seal(store, world=world, at=BEFORE + HOUR)
    sealed = snapshot(store)
    text1 = transcript_text(store, world=world, round=1)
    # everything else that can happen afterwards
    late = [
        join(store, world=world, name=f"Late {i}", email=f"late{i}@ua.example", at=T0)
        for i in range(3)
    ]
    seal(store, world=world, at=T0 + HOUR, round=1)
    seal(store, world=world, at=T0 + HOUR)
    for p in people + late:
        if wrist(store, token=p.token, at=END).state == "covered":
            look(store, token=p.token, at=END)
            reach_out(store, token=p.token, at=END + 1)
    after = snapshot(store)
    round1 = [m for m in after["marks"] if m[2] == 1]
    assert round1 == sealed["marks"]
    assert after["rounds"][0] == sealed["rounds"][0]
    assert transcript_text(store, world=world, round=1) == text1
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(MarkRow).where(MarkRow.round == 2)) == 4


def _race(n: int, target) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target(i)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_b6_concurrent_seals_produce_one_transcript(db_url: str) -> None:
    setup = open_store(db_url)
    try:
        worlds = [populate(setup, 11, slug=f"race-{k}")[0] for k in range(3)]
    finally:
        setup.close()
    stores = [open_store(db_url) for _ in range(3)]
    try:
        for world in worlds:
            results = _race(3, lambda i, w=world: seal(stores[i], world=w, at=BEFORE, round=1))
            assert not [r for r in results if isinstance(r, Exception)], results
            assert sorted(r.already for r in results) == [False, True, True]
            assert len({r.seed for r in results}) == 1
            texts = {transcript_text(s, world=world, round=1) for s in stores}
            assert len(texts) == 1
            doc = json.loads(texts.pop())
            assert audit(doc) == []
        with stores[0].transaction() as s:
            assert s.scalar(text("SELECT count(*) FROM marks")) == 3 * 10
            assert s.scalar(text("SELECT count(*) FROM rounds")) == 3 * 2
            dupes = s.execute(
                text(
                    "SELECT person_id, round, count(*) FROM marks"
                    " GROUP BY person_id, round HAVING count(*) > 1"
                )
            ).all()
            assert dupes == []
    finally:
        for st in stores:
            st.close()


def test_b6_r9_joins_racing_a_seal_each_land_in_exactly_one_round(db_url: str) -> None:
    setup = open_store(db_url)
    try:
        world, early = populate(setup, 6, slug="join-race")
    finally:
        setup.close()
    joiner, sealer = open_store(db_url), open_store(db_url)
    try:
        joined: list[Any] = []

        def work(i: int) -> Any:
            if i == 1:
                return seal(sealer, world=world, at=BEFORE, round=1)
            for k in range(25):
                joined.append(
                    join(joiner, world=world, name=f"J{k}", email=f"j{k}@ua.example", at=BEFORE)
                )
            return None

        results = _race(2, work)
        assert not [r for r in results if isinstance(r, Exception)], results
        doc = json.loads(transcript_text(joiner, world=world, round=1))
        roster = set(doc["roster"])
        with joiner.transaction() as s:
            rounds = dict(s.execute(select(PersonRow.pid, PersonRow.round)).all())
        for j in joined:
            in_round1 = j.person in roster
            assert in_round1 == (j.round == 1), "the round a join reports is the round it is in"
            if not in_round1:
                assert rounds[j.person] == 2
        assert {p.person for p in early} <= roster
        assert len(rounds) == 6 + 25
    finally:
        joiner.close()
        sealer.close()

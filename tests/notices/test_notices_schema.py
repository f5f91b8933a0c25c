"""The notices migrations (0003, then 0022, 0023, 0024 and 0026) match the models and guard
never-twice."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from soulmark.store import Store
from soulmark.store.models import Base
from soulmark.store.notice_models import NoticeRow

OURS = {
    "notices",
    "notice_rounds",
    "worker_heartbeats",
    "mail_suppressions",
    "unsubscribe_keys",
    "push_subscriptions",
    "organizer_links",
    "organizer_actions",
    "name_reports",
    "join_slips",
}


def _touches_ours(diff: object) -> bool:
    text = repr(diff)
    return any(f"'{name}'" in text or f"Table({name!r}" in text for name in OURS)


def test_migration_0003_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        assert "0030_people_by_round" in MigrationContext.configure(conn).get_current_heads()
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if _touches_ours(d)] == []


def test_one_notice_per_person_and_kind(store: Store) -> None:
    from notices_support import make_world

    make_world(store)
    from soulmark.notices.queue import materialise

    # 3 pairs, 2 notices each, and the left-out person's "unpaired" (issue 19 item 5)
    assert materialise(store, now_us=0) == 13
    assert materialise(store, now_us=0) == 0  # a round is written once
    with store.transaction() as s:
        first = s.query(NoticeRow).first()
        assert first is not None
        copy = {
            k: getattr(first, k)
            for k in ("world_id", "person_id", "kind", "to_addr", "due_at", "status")
        }
    with pytest.raises(IntegrityError), store.transaction() as s:
        s.add(NoticeRow(**copy, attempts=0, next_attempt_at=0))

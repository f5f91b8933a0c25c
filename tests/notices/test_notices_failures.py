"""What is retried and what never is: never twice beats twice (issue 3 item 7)."""

from __future__ import annotations

from notices_support import BrokenSmtp, SmtpServer, World
from sqlalchemy import select, update

from soulmark.core.times import HOUR, SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings, delivery_counts
from soulmark.notices.queue import materialise
from soulmark.store import Store
from soulmark.store.notice_models import NoticeRow


def statuses(store: Store) -> list[tuple[str, int, str | None]]:
    with store.transaction() as s:
        rows = s.scalars(select(NoticeRow).order_by(NoticeRow.id)).all()
        return [(r.status, r.attempts, r.last_error) for r in rows]


def test_a_message_lost_during_DATA_is_failed_not_resent(store: Store, world: World) -> None:
    server = BrokenSmtp(drop="data")
    try:
        settings = NoticeSettings(smtp_url=server.url, timeout_s=5, connections=2)
        now = world.end + SECOND
        report = deliver_due(store, settings, now_us=now)
        deliver_due(store, settings, now_us=now + 99 * HOUR)
    finally:
        server.close()
    total = world.notices
    assert server.data_received == total  # each went over the wire exactly once
    assert report.uncertain == report.failed == total and report.sent == 0
    assert all(s == "failed" and a == 1 and "DATA" in (e or "") for s, a, e in statuses(store))


def test_a_connection_lost_before_DATA_is_retried_later(store: Store, world: World) -> None:
    server = BrokenSmtp(drop="rcpt")
    try:
        settings = NoticeSettings(smtp_url=server.url, timeout_s=5, retry_base_s=60)
        report = deliver_due(store, settings, now_us=world.end + SECOND)
    finally:
        server.close()
    assert server.data_received == 0
    assert report.retrying == world.notices and report.failed == 0
    assert {(s, a) for s, a, _ in statuses(store)} == {("pending", 1)}


def test_issue22_a_claim_whose_lease_ran_out_is_taken_back_and_sent_once(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    now = world.end + SECOND
    materialise(store, now_us=now)
    with store.transaction() as s:
        victim = s.scalars(select(NoticeRow).order_by(NoticeRow.id)).first()
        assert victim is not None
        s.execute(
            update(NoticeRow)
            .where(NoticeRow.id == victim.id)
            .values(status="sending", claim="crashed", leased_until=now - 1, attempts=1)
        )
    settings = NoticeSettings(smtp_url=smtp_server.url)
    report = deliver_due(store, settings, now_us=now)
    assert report.taken_back == 1 and report.sent == world.notices
    ids = [str(m["Message-ID"]) for m in smtp_server.recorder.parsed()]
    assert sum(f"<notice-{victim.id}@" in i for i in ids) == 1
    with store.transaction() as s:
        row = s.get_one(NoticeRow, victim.id)
        assert (row.status, row.attempts) == ("sent", 2)
    assert delivery_counts(store, world.slug)["sent"] == world.notices


def test_issue22_a_notice_that_outlives_every_lease_is_failed_at_last(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    now = world.end + SECOND
    materialise(store, now_us=now)
    settings = NoticeSettings(smtp_url=smtp_server.url, max_attempts=3)
    with store.transaction() as s:
        s.execute(
            update(NoticeRow).values(
                status="sending", claim="dead", leased_until=now - 1, attempts=3
            )
        )
    report = deliver_due(store, settings, now_us=now)
    assert report.taken_back == 0 and smtp_server.recorder.messages == []
    assert {(s, e) for s, _, e in statuses(store)} == {
        ("failed", "its worker stopped while sending it, every time it was tried")
    }


def test_a_claim_whose_lease_holds_is_left_alone(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    now = world.end + SECOND
    materialise(store, now_us=now)
    with store.transaction() as s:
        s.execute(
            update(NoticeRow).values(
                status="sending", claim="busy", claimed_at=now, leased_until=now + 60 * SECOND
            )
        )
    report = deliver_due(store, NoticeSettings(smtp_url=smtp_server.url), now_us=now + SECOND)
    assert report.claimed == report.taken_back == 0 and smtp_server.recorder.messages == []
    assert delivery_counts(store, world.slug)["sending"] == world.notices


def test_a_claim_handed_back_unsent_can_be_claimed_again(store: Store, world: World) -> None:
    from soulmark.notices.queue import claim_due, release

    settings = NoticeSettings(batch_size=3)
    materialise(store, now_us=0)
    claimed = claim_due(store, settings, now_us=world.end)
    assert claimed is not None and len(claimed.outgoing) == 3
    release(store, claimed)
    assert {(s, a) for s, a, _ in statuses(store)} == {("pending", 0)}
    again = claim_due(store, settings, now_us=world.end)
    assert again is not None
    assert [o.notice_id for o in again.outgoing] == [o.notice_id for o in claimed.outgoing]

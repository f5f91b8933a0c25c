"""Without SMTP, notices go to the outbox and the log; confirmations go either way."""

from __future__ import annotations

import logging

import pytest
from notices_support import NAMES, SmtpServer, World
from sqlalchemy import select

from soulmark.core.errors import NotFound
from soulmark.core.times import SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings, delivery_counts, outbox_messages, send_confirmation
from soulmark.store import Store
from soulmark.store.notice_models import NoticeRow


def test_outbox_mode_keeps_every_notice_readable_and_logs_it(
    store: Store, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="soulmark.notices")
    report = deliver_due(store, NoticeSettings(), now_us=world.end + SECOND)
    assert report.transport == "outbox" and report.sent == world.notices
    messages = outbox_messages(store)
    assert sorted((m["to"], m["kind"]) for m in messages) == sorted(
        [(e, k) for e in world.matched for k in ("tingles", "stopped")]
        + [(e, "unpaired") for e in world.unmatched]  # issue 19 item 5
    )
    for m in messages:
        assert m["world"] == "yuei" and m["sent_at"].endswith("Z")
        assert "/w/yuei" in m["body"] and "Yūei High 1-A" in m["subject"]
        assert not any(name in m["body"] or name in m["subject"] for name in NAMES)
    logged = [r.getMessage() for r in caplog.records if r.name == "soulmark.notices.outbox"]
    assert len(logged) == len(messages)
    assert not any(name in text for text in caplog.text.splitlines() for name in NAMES)
    assert delivery_counts(store, "yuei") == {
        "pending": 0,
        "sending": 0,
        "sent": world.notices,
        "failed": 0,
        "refused": 0,
        "suppressed": 0,
        "retrying": 0,
    }
    assert deliver_due(store, NoticeSettings(), now_us=world.end + 2 * SECOND).claimed == 0


def test_B2_delivery_counts_are_counts_only_and_include_what_is_still_to_come(
    store: Store, world: World
) -> None:
    first_itch = min(p["itch_start"] for p in world.people.values() if p["partner"])
    deliver_due(store, NoticeSettings(), now_us=first_itch)
    counts = delivery_counts(store, "yuei")
    assert set(counts) == {
        "pending",
        "sending",
        "sent",
        "failed",
        "refused",
        "suppressed",
        "retrying",
    }
    assert all(isinstance(v, int) for v in counts.values())
    assert counts["sent"] >= 1 and counts["sent"] + counts["pending"] == world.notices
    with pytest.raises(NotFound):
        delivery_counts(store, "nowhere")


def test_a_confirmation_is_queued_then_mailed_and_its_link_not_kept(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    link = "https://soulmark.test/w/yuei/confirm/c_SECRETSECRET"
    nid = send_confirmation(store, to="new@yuei.example", world="yuei", link=link)
    report = deliver_due(store, NoticeSettings(smtp_url=smtp_server.url), now_us=0)
    assert report.sent == 1  # due at once, whatever the clock says; marks are not due yet
    [msg] = smtp_server.recorder.parsed()
    assert str(msg["To"]) == "new@yuei.example" and link in msg.get_body(("plain",)).get_content()
    with store.transaction() as s:
        row = s.get_one(NoticeRow, nid)
        assert (row.status, row.body, row.subject) == ("sent", None, None)


def test_a_confirmation_in_outbox_mode_shows_its_link(store: Store, world: World) -> None:
    link = "http://127.0.0.1:8000/w/yuei/confirm/c_dev"
    send_confirmation(store, to="dev@yuei.example", world="yuei", link=link)
    deliver_due(store, NoticeSettings(), now_us=0)
    [m] = outbox_messages(store, world="yuei")
    assert m["kind"] == "confirm" and link in m["body"] and m["to"] == "dev@yuei.example"
    with pytest.raises(NotFound):
        send_confirmation(store, to="x@y.example", world="nowhere", link=link)


def test_notices_are_written_once_per_sealed_round(store: Store, world: World) -> None:
    deliver_due(store, NoticeSettings(), now_us=0)
    deliver_due(store, NoticeSettings(), now_us=world.end + SECOND)
    with store.transaction() as s:
        rows = s.execute(select(NoticeRow.person_id, NoticeRow.kind)).all()
    assert len(rows) == len(set(rows)) == world.notices

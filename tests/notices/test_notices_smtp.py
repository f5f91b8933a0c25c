"""Notices through a real SMTP server on loopback (R5, R6, B5; issue 3 item 7)."""

from __future__ import annotations

import threading
import unicodedata
from collections import Counter

from notices_support import NAMES, SmtpServer, World, make_world
from sqlalchemy import select

from soulmark.core.times import MINUTE, SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings, delivery_counts
from soulmark.store import Store
from soulmark.store.notice_models import NoticeRow


def settings_for(server: SmtpServer, **kw: object) -> NoticeSettings:
    return NoticeSettings(smtp_url=server.url, base_url="https://soulmark.test", **kw)  # type: ignore[arg-type]


def kind_of(subject: str) -> str:
    if subject.startswith("Your wrist has news"):
        return "unpaired"
    return "tingles" if subject.startswith("Your wrist tingles") else "stopped"


def received(server: SmtpServer) -> Counter[tuple[str, str]]:
    return Counter((str(m["To"]), kind_of(str(m["Subject"]))) for m in server.recorder.parsed())


def test_R5_one_tingles_and_one_stopped_per_matched_person_none_for_unmatched(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    report = deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    expected = Counter({(e, k): 1 for e in world.matched for k in ("tingles", "stopped")})
    expected += Counter({(e, "unpaired"): 1 for e in world.unmatched})  # issue 19 item 5
    assert received(smtp_server) == expected
    assert len(world.matched) == len(NAMES) - 1  # odd roster: one stays bare (R9)
    assert report.sent == world.notices and report.failed == report.retrying == 0
    assert delivery_counts(store, world.slug)["sent"] == world.notices


def test_R6_B5_no_byte_of_any_partner_reaches_a_notice(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    for _, rcpts, raw in smtp_server.recorder.messages:
        own = world.people[rcpts[0]]["partner"]
        # The left-out person's "unpaired" (issue 19 item 5) holds nobody's name either.
        others = [own] if own else [e for e in world.people if e != rcpts[0]]
        for partner in (world.people[e] for e in others):
            for form in ("NFC", "NFD"):
                name = unicodedata.normalize(form, partner["name"])
                for needle in {name, *name.split()}:
                    assert needle.encode() not in raw
                    assert needle.encode("utf-16-le") not in raw
            assert partner["pid"].encode() not in raw
        assert world.people[rcpts[0]]["token"].encode() not in raw  # never a key to a wrist
    for msg in smtp_server.recorder.parsed():
        body = msg.get_body(("plain",)).get_content()
        assert "https://soulmark.test/w/yuei" in body
        assert "Yūei High 1-A" in body
        assert not any(name in body for name in NAMES)


def test_R5_each_notice_goes_at_its_moment_not_before(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    settings = settings_for(smtp_server)
    moments = sorted(
        {p[k] for p in world.people.values() if p["partner"] for k in ("itch_start", "legible_at")}
    )
    for now in [moments[0] - 1, *moments]:
        deliver_due(store, settings, now_us=now)
        expected = Counter(
            {
                (email, kind): 1
                for email, p in world.people.items()
                if p["partner"]
                for kind, key in (("tingles", "itch_start"), ("stopped", "legible_at"))
                if p[key] <= now
            }
        )
        # The left-out person's "unpaired" is due at the seal, before every mark's moment.
        expected += Counter({(e, "unpaired"): 1 for e in world.unmatched})
        assert received(smtp_server) == expected


def test_a_4xx_refusal_is_retried_with_backoff_while_others_are_delivered(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    refused = world.matched[0]
    smtp_server.recorder.refuse.add(refused)
    smtp_server.recorder.refusal = "450 4.2.1 mailbox busy, try later"
    settings = settings_for(smtp_server, retry_base_s=60)
    now = world.end + SECOND
    report = deliver_due(store, settings, now_us=now)
    others = Counter({(e, k): 1 for e in world.matched[1:] for k in ("tingles", "stopped")})
    others += Counter({(e, "unpaired"): 1 for e in world.unmatched})
    assert received(smtp_server) == others
    assert report.retrying == 2 and report.failed == 0

    def rows() -> list[NoticeRow]:
        with store.transaction() as s:
            return list(s.scalars(select(NoticeRow).where(NoticeRow.to_addr == refused)))

    assert [(r.status, r.attempts, r.next_attempt_at) for r in rows()] == [
        ("pending", 1, now + MINUTE)
    ] * 2
    assert all("450" in (r.last_error or "") for r in rows())
    deliver_due(store, settings, now_us=now + MINUTE - 1)  # not due again yet
    assert [r.attempts for r in rows()] == [1, 1]
    deliver_due(store, settings, now_us=now + MINUTE)
    assert [(r.attempts, r.next_attempt_at) for r in rows()] == [(2, now + 3 * MINUTE)] * 2
    counts = delivery_counts(store, world.slug)
    assert counts["retrying"] == counts["pending"] == 2

    smtp_server.recorder.refuse.clear()
    deliver_due(store, settings, now_us=now + 3 * MINUTE)
    assert received(smtp_server) == others + Counter(
        {(refused, "tingles"): 1, (refused, "stopped"): 1}
    )
    assert [(r.status, r.attempts, r.last_error) for r in rows()] == [("sent", 3, None)] * 2
    deliver_due(store, settings, now_us=now + 99 * MINUTE)
    assert max(received(smtp_server).values()) == 1


def test_after_max_attempts_a_notice_fails_for_good(
    store: Store, world: World, smtp_server: SmtpServer
) -> None:
    refused = world.matched[0]
    smtp_server.recorder.refuse.add(refused)
    smtp_server.recorder.refusal = "421 4.7.0 try again later"
    settings = settings_for(smtp_server, retry_base_s=1, max_attempts=3)
    now = world.end
    for _ in range(6):
        now += 3600 * SECOND
        deliver_due(store, settings, now_us=now)
    with store.transaction() as s:
        mine = s.scalars(select(NoticeRow).where(NoticeRow.to_addr == refused)).all()
    assert [(r.status, r.attempts) for r in mine] == [("failed", 3)] * 2
    assert delivery_counts(store, world.slug)["failed"] == 2


def test_delivering_twice_or_concurrently_never_sends_twice(
    store: Store, smtp_server: SmtpServer
) -> None:
    names = [f"Person Number {i:03d}" for i in range(60)]
    world = make_world(store, names, slug="crowd")
    settings = settings_for(smtp_server, batch_size=7, connections=3)
    now = world.end + SECOND
    reports = []
    threads = [
        threading.Thread(target=lambda: reports.append(deliver_due(store, settings, now_us=now)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reports.append(deliver_due(store, settings, now_us=now))
    got = received(smtp_server)
    assert max(got.values()) == 1 and len(got) == world.notices == 120
    assert sum(r.sent for r in reports) == 120 and reports[-1].claimed == 0
    ids = Counter(str(m["Message-ID"]) for m in smtp_server.recorder.parsed())
    assert max(ids.values()) == 1


def test_an_unreachable_server_leaves_every_notice_pending_for_a_retry(
    store: Store, world: World
) -> None:
    from notices_support import free_port

    settings = NoticeSettings(smtp_url=f"smtp://127.0.0.1:{free_port()}", timeout_s=2)
    report = deliver_due(store, settings, now_us=world.end + SECOND)
    assert report.sent == 0 and report.retrying == world.notices
    assert "cannot reach the mail server" in report.errors[0]
    counts = delivery_counts(store, world.slug)
    assert counts["retrying"] == world.notices and counts["sent"] == 0

"""Refusals (issue 17 item 6): a permanent 5xx is not retried and suppresses the address for
invitations; a 4xx is retried; the organizer sees counts only.  Against a real local SMTP
server (aiosmtpd) that refuses chosen recipients."""

from __future__ import annotations

from typing import Any

import pytest
from notices_support import Recorder, SmtpServer, running_smtp
from sqlalchemy import func, select

from soulmark.core.times import HOUR, SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings, delivery_counts
from soulmark.notices.suppress import address_hash, suppress
from soulmark.notices.transports import refusal
from soulmark.services import create_world
from soulmark.services.invites import Invitee, invitations, invite
from soulmark.store import Store
from soulmark.store.models import PersonRow
from soulmark.store.notice_models import NoticeRow, SuppressionRow

BASE = "https://soulmark.test"
GONE = "gone@school.example"
HERE = "here@school.example"


def settings_for(server: SmtpServer, **kw: object) -> NoticeSettings:
    return NoticeSettings(smtp_url=server.url, base_url=BASE, **kw)  # type: ignore[arg-type]


def _world(store: Store, slug: str) -> str:
    create_world(
        store, name=f"World {slug}", slug=slug, window_start=10 * HOUR, window_end=20 * HOUR, at=0
    )
    return slug


def _rows(store: Store, to: str) -> list[tuple[str, str, int, str | None]]:
    with store.read() as s:
        rows = s.execute(
            select(NoticeRow.kind, NoticeRow.status, NoticeRow.attempts, NoticeRow.last_error)
            .where(NoticeRow.to_addr == to)
            .order_by(NoticeRow.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _received(server: SmtpServer) -> list[str]:
    return [rcpts[0] for _, rcpts, _ in server.recorder.messages]


def test_permanent_550_is_not_retried_and_suppresses_invitations(
    store: Store, smtp_server: SmtpServer
) -> None:
    smtp_server.recorder.refuse.add(GONE)
    first = _world(store, "first")
    invite(store, world=first, invitees=[Invitee(GONE), Invitee(HERE)], at=0, base_url=BASE)
    settings = settings_for(smtp_server, retry_base_s=1)
    report = deliver_due(store, settings, now_us=SECOND)
    assert (report.sent, report.refused, report.failed, report.retrying) == (1, 1, 1, 0)
    [(kind, status, attempts, error)] = _rows(store, GONE)
    assert (kind, status, attempts) == ("invite", "refused", 1) and "550 5.1.1" in (error or "")
    for hours in (1, 6, 48):  # today it was tried 8 times; now never again
        assert deliver_due(store, settings, now_us=hours * HOUR).claimed == 0
    assert _received(smtp_server) == [HERE]
    assert _rows(store, GONE)[0][2] == 1
    with store.read() as s:
        kept = s.execute(select(SuppressionRow.address_hash, SuppressionRow.reason)).all()
    assert [tuple(k) for k in kept] == [(address_hash(GONE), "refused")]
    assert GONE not in str(kept)  # a hash, never the address

    second = _world(store, "second")
    done = invite(store, world=second, invitees=[Invitee("Gone@School.example")], at=HOUR)
    assert (done.sent, done.skipped, done.suppressed) == (0, 0, 1)
    with store.read() as s:
        people = s.scalar(
            select(func.count()).select_from(PersonRow).where(PersonRow.email_key == GONE)
        )
    assert people == 1  # only the first world's invitee: no second person, no code
    deliver_due(store, settings, now_us=2 * HOUR)
    assert _received(smtp_server) == [HERE]
    assert invitations(store, world=first).to_json() == {
        "sent": 2,
        "claimed": 0,
        "refused": 1,
        "suppressed": 0,
    }
    assert invitations(store, world=second).to_json() == {
        "sent": 0,
        "claimed": 0,
        "refused": 0,
        "suppressed": 1,
    }


def test_a_4xx_stays_retried_and_suppresses_nothing(store: Store, smtp_server: SmtpServer) -> None:
    smtp_server.recorder.refuse.add(GONE)
    smtp_server.recorder.refusal = "450 4.2.1 mailbox busy"
    invite(store, world=_world(store, "w"), invitees=[Invitee(GONE)], at=0, base_url=BASE)
    report = deliver_due(store, settings_for(smtp_server, retry_base_s=1), now_us=SECOND)
    assert (report.retrying, report.refused) == (1, 0)
    assert _rows(store, GONE)[0][:3] == ("invite", "pending", 1)
    smtp_server.recorder.refuse.clear()
    deliver_due(store, settings_for(smtp_server), now_us=HOUR)
    assert _rows(store, GONE)[0][:3] == ("invite", "sent", 2)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(SuppressionRow)) == 0


class Refusing(Recorder):
    """Refuses at MAIL or DATA instead of RCPT, with a chosen reply."""

    def __init__(self, step: str, reply: str) -> None:
        super().__init__()
        self.step, self.reply = step, reply

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802
        if self.step == "MAIL":
            return self.reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return (
            self.reply
            if self.step == "DATA"
            else await super().handle_DATA(server, session, envelope)
        )


@pytest.mark.parametrize(
    ("step", "reply", "status", "suppressed"),
    [
        ("MAIL", "553 5.7.1 sender not allowed", "pending", False),  # this site's fault
        ("DATA", "554 5.7.1 message refused as spam", "refused", False),  # not the address
        ("DATA", "550 5.1.1 no such user here", "refused", True),  # the address, after DATA
    ],
)
def test_what_a_refusal_at_mail_or_data_means(
    store: Store, step: str, reply: str, status: str, suppressed: bool
) -> None:
    with running_smtp(Refusing(step, reply)) as server:
        invite(store, world=_world(store, "w"), invitees=[Invitee(GONE)], at=0, base_url=BASE)
        deliver_due(store, settings_for(server), now_us=SECOND)
    assert _rows(store, GONE)[0][1] == status
    with store.read() as s:
        count = s.scalar(select(func.count()).select_from(SuppressionRow))
    assert count == int(suppressed)


@pytest.mark.parametrize(
    ("step", "code", "message", "outcome", "suppress"),
    [
        (b"RCPT", 550, "5.1.1 User unknown", "refused", True),
        (b"RCPT", 553, "mailbox name not allowed", "refused", True),
        (b"RCPT", 552, "5.3.4 too many recipients", "retry", False),  # RFC 5321: temporary
        (b"RCPT", 451, "4.7.1 greylisted", "retry", False),
        (b"MAIL", 550, "5.7.1 relaying denied", "retry", False),
        (b"DATA", 552, "5.2.2 mailbox full", "refused", True),
        (b"DATA", 554, "5.7.1 spam", "refused", False),
        (b"DATA", 421, "4.3.0 closing", "retry", False),
    ],
)
def test_each_reply_is_sorted_into_retried_or_refused(
    step: bytes, code: int, message: str, outcome: str, suppress: bool
) -> None:
    found = refusal(7, step, code, message)
    assert (found.outcome, found.suppress) == (outcome, suppress)
    assert found.error == f"{code} {message}"


def test_an_invitation_queued_before_its_address_was_suppressed_never_leaves(
    store: Store, smtp_server: SmtpServer
) -> None:
    invite(store, world=_world(store, "w"), invitees=[Invitee(GONE), Invitee(HERE)], at=0)
    with store.transaction() as s:
        suppress(s, [address_hash(GONE)], reason="unsubscribed", at=0)
    report = deliver_due(store, settings_for(smtp_server), now_us=SECOND)
    assert (report.sent, report.suppressed) == (1, 1)
    assert _received(smtp_server) == [HERE]
    assert _rows(store, GONE)[0][1] == "suppressed"
    assert invitations(store, world="w").suppressed == 1
    assert delivery_counts(store, "w")["suppressed"] == 1

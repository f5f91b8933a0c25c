"""The notices table as a queue: written from the marks, claimed, recorded.

A notice is claimed (``pending`` -> ``sending``, attempts + 1) and committed *before*
anything is sent, so two live workers never hold the same notice.  The claim is a lease
(soulmark.notices.lease): its worker renews it while it works, and each notice is recorded
in a short transaction of its own as soon as its SMTP transaction ends.  When a worker dies
its lease runs out and the notices it had not recorded are claimed again: nothing claimed
is lost.  Only the worker holding the claim records an outcome.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from soulmark.core.errors import NotFound
from soulmark.core.times import SECOND, iso
from soulmark.notices.care import unpaired_notices
from soulmark.notices.compose import KEPT, Outgoing, confirmation, render_signin
from soulmark.notices.signins import notice_links
from soulmark.notices.suppress import SUPPRESSED, screen
from soulmark.push.rows import is_push, push_outgoing, round_pushes
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store
from soulmark.store.models import MarkRow, PersonRow, RoundRow, WorldRow
from soulmark.store.notice_models import NoticeRoundRow, NoticeRow

__all__ = [
    "STATUSES",
    "Claimed",
    "SendOutcome",
    "materialise",
    "claim_due",
    "release",
    "outbox_messages",
    "delivery_counts",
    "send_confirmation",
    "queue_confirmation",
    "queue_message",
    "queue_question",
    "queue_many",
    "let_go",
    "queue_depth",
]

STATUSES = ("pending", "sending", "sent", "failed", "refused", SUPPRESSED)
"""``refused``: the server refused it for good (5xx), never retried; ``suppressed``: not sent,
its address suppressed or its person unsubscribed (soulmark.notices.suppress)."""
HELD = "held"
"""A message written by a long write that is not finished yet (an invitation list written in
slices): never claimed until :func:`let_go`, so a list cut short mails nobody."""
ASKED = "asked"
"""A queued question, "mail this address a sign-in link if it joined": never claimed for
sending as it is; soulmark.services.signin.answer_requests makes it a mail or drops it."""
_T = cast(Table, NoticeRow.__table__)
Mail = tuple[str, str, str]
"""To, subject, body."""


@dataclass(frozen=True, slots=True)
class Claimed:
    token: str
    outgoing: list[Outgoing]
    attempts: dict[int, int]
    leased_until: int
    suppressed: int = 0
    """Claimed and not sent: a suppressed address, or a person who unsubscribed."""


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What became of one claimed notice: ``sent``, ``retry`` (surely not sent),
    ``uncertain``, ``failed`` or ``refused`` (a permanent refusal: never retried)."""

    notice_id: int
    outcome: str
    error: str | None = None
    suppress: bool = False
    """A refusal about the address itself: no invitation goes to it again."""


def _insert(session: Session) -> Any:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def _round_notices(s: Session, rnd: RoundRow, kind: str, moment: Any) -> Any:
    # Joins each mark to its own bearer only: the partner's row is never touched here.
    rows = (
        select(
            MarkRow.world_id,
            MarkRow.person_id,
            literal(kind),
            PersonRow.email,
            moment,
            literal("pending"),
            literal(0),
            moment,
        )
        .join(PersonRow, PersonRow.id == MarkRow.person_id)
        # Whoever left (or was erased) has no address to write to any more.
        .where(
            MarkRow.world_id == rnd.world_id,
            MarkRow.round == rnd.number,
            PersonRow.left_at.is_(None),
            PersonRow.email != "",
        )
    )
    cols = ["world_id", "person_id", "kind", "to_addr", "due_at", "status", "attempts"]
    stmt = _insert(s)(_T).from_select([*cols, "next_attempt_at"], rows)
    # RETURNING rather than rowcount, which psycopg leaves at -1 for this statement.
    return stmt.on_conflict_do_nothing().returning(_T.c.id)


def materialise(store: Store, *, now_us: int) -> int:
    """Write the notices of every sealed round not seen yet; returns how many were written.

    Sealing code is not ours to change, so notices are derived here from the marks, which
    never change once sealed (B6): each round is read once, whenever a worker first sees it.
    Notices lie in wait as ``pending`` with ``next_attempt_at`` = their moment.
    """
    written = 0
    with store.transaction() as s:
        fresh = s.scalars(
            select(RoundRow)
            .outerjoin(NoticeRoundRow, NoticeRoundRow.round_id == RoundRow.id)
            .where(RoundRow.sealed_at.is_not(None), NoticeRoundRow.round_id.is_(None))
        ).all()
        for rnd in fresh:
            count = 0
            for kind, moment in (("tingles", MarkRow.itch_start), ("stopped", MarkRow.legible_at)):
                count += len(s.execute(_round_notices(s, rnd, kind, moment)).all())
            count += round_pushes(s, rnd)  # the same moments, to the devices subscribed
            count += unpaired_notices(s, rnd)  # a kind word to whoever it left out
            done = _insert(s)(NoticeRoundRow).values(round_id=rnd.id, notices=count, at=now_us)
            s.execute(done.on_conflict_do_nothing())
            written += count
    return written


def claim_due(
    store: Store, settings: NoticeSettings, *, now_us: int, lease_from: int | None = None
) -> Claimed | None:
    """Take up to ``batch_size`` notices due at ``now_us`` for this worker alone, committed
    before sending, leased for ``lease_s`` from ``lease_from`` (default ``now_us``)."""
    token = secrets.token_hex(16)
    until = (now_us if lease_from is None else lease_from) + int(settings.lease_s * SECOND)
    with store.transaction() as s:
        # SKIP LOCKED lets PostgreSQL workers share the queue; SQLite has one writer anyway.
        ids = s.scalars(
            select(NoticeRow.id)
            .where(NoticeRow.status == "pending", NoticeRow.next_attempt_at <= now_us)
            .order_by(NoticeRow.next_attempt_at, NoticeRow.id)
            .limit(settings.batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        if not ids:
            return None
        s.execute(
            update(NoticeRow)
            .where(NoticeRow.id.in_(ids), NoticeRow.status == "pending")
            .values(
                status="sending",
                claim=token,
                claimed_at=now_us,
                leased_until=until,
                attempts=NoticeRow.attempts + 1,
            )
        )
        return _claimed(s, token, settings, now_us, until)


def _claimed(s: Session, token: str, settings: NoticeSettings, now_us: int, until: int) -> Claimed:
    """The claim's messages, those that must not leave screened out (notices.suppress)."""
    rows = s.execute(
        select(NoticeRow, WorldRow.name, WorldRow.slug, PersonRow.lang)
        .join(WorldRow, WorldRow.id == NoticeRow.world_id)
        .outerjoin(PersonRow, PersonRow.id == NoticeRow.person_id)
        .where(NoticeRow.claim == token)
        .order_by(NoticeRow.id)
    ).all()
    blocked, links = screen(s, [row for row, *_ in rows], base_url=settings.base_url, at=now_us)
    buttons = notice_links(s, [row for row, *_ in rows if row.id not in blocked], settings, now_us)
    out = [
        _outgoing(row, name, slug, lang, settings, links.get(row.id), buttons.get(row.id))
        for row, name, slug, lang in rows
        if row.id not in blocked
    ]
    attempts = {row.id: row.attempts for row, *_ in rows if row.id not in blocked}
    return Claimed(token, out, attempts, until, len(blocked))


def release(store: Store, claimed: Claimed) -> None:
    """Hand back a claim that was never sent (the pass stopped first): safe to claim again."""
    with store.transaction() as s:
        s.execute(
            update(NoticeRow)
            .where(NoticeRow.claim == claimed.token, NoticeRow.status == "sending")
            .values(
                status="pending",
                claim=None,
                claimed_at=None,
                leased_until=None,
                attempts=NoticeRow.attempts - 1,
            )
        )


def _outgoing(
    row: NoticeRow,
    world_name: str,
    slug: str,
    lang: str | None,
    settings: NoticeSettings,
    unsubscribe: str | None,
    signin: str | None = None,
) -> Outgoing:
    if is_push(row.kind):
        return push_outgoing(row, world_name, slug)
    if row.kind in KEPT:
        subject, body = row.subject or "", row.body or ""
        lang = None  # written in the language of whoever asked: not said in the row
    else:
        base, kind = settings.base_url, row.kind
        subject, body = render_signin(
            kind, world_name=world_name, slug=slug, base_url=base, signin=signin, lang=lang
        )
    return Outgoing(row.id, row.to_addr, subject, body, world_name, lang, unsubscribe)


def outbox_messages(
    store: Store, *, world: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Notices delivered to the outbox (no SMTP configured), newest first."""
    query = (
        select(NoticeRow, WorldRow.slug)
        .join(WorldRow, WorldRow.id == NoticeRow.world_id)
        .where(NoticeRow.transport == "outbox", NoticeRow.status == "sent")
        .where(NoticeRow.kind.not_like("push-%"))  # a push is no mail: it went to a device
        .order_by(NoticeRow.sent_at.desc(), NoticeRow.id.desc())
        .limit(limit)
    )
    if world is not None:
        query = query.where(WorldRow.slug == world)
    with store.transaction() as s:
        rows = s.execute(query).all()
    return [
        {
            "id": row.id,
            "world": slug,
            "kind": row.kind,
            "to": row.to_addr,
            "subject": row.subject,
            "body": row.body,
            "sent_at": iso(row.sent_at) if row.sent_at is not None else None,
        }
        for row, slug in rows
    ]


def delivery_counts(store: Store, world_slug: str) -> dict[str, int]:
    """Notices of one world by status: counts only, never who (B2).

    ``pending`` includes notices whose moment has not come yet; ``retrying`` is the part of
    ``pending`` that already failed at least once.
    """
    with store.transaction() as s:
        world_id = s.scalar(select(WorldRow.id).where(WorldRow.slug == world_slug))
        if world_id is None:
            raise NotFound(f"no world called {world_slug!r}")
        rows = s.execute(
            # Grouped by the attempts value itself: few distinct ones, and portable SQL.
            select(NoticeRow.status, NoticeRow.attempts, func.count())
            # A question is not a mail yet: it is answered, or dropped, unseen.
            .where(NoticeRow.world_id == world_id, NoticeRow.status.in_(STATUSES))
            .group_by(NoticeRow.status, NoticeRow.attempts)
        ).all()
    counts = dict.fromkeys((*STATUSES, "retrying"), 0)
    for status, tried, n in rows:
        counts[status] = counts.get(status, 0) + n
        if status == "pending" and tried:
            counts["retrying"] += n
    return counts


def send_confirmation(
    store: Store,
    *,
    to: str,
    world: str,
    link: str,
    at: int | None = None,
    lang: str | None = None,
) -> int:
    """Queue a join confirmation for ``to``; the worker sends it on its next pass.

    Queued rather than sent here so that the web request neither waits on a mail server nor
    needs the SMTP settings.  ``at`` (microseconds) only stamps it: it is due at once.
    Returns the notice id.
    """
    with store.transaction() as s:
        row = s.scalars(select(WorldRow).where(WorldRow.slug == world)).first()
        if row is None:
            raise NotFound(f"no world called {world!r}")
        return queue_confirmation(s, row, to=to, link=link, at=at or 0, lang=lang)


def queue_confirmation(
    s: Session, world: WorldRow, *, to: str, link: str, at: int, lang: str | None = None
) -> int:
    """:func:`send_confirmation` inside the caller's transaction (the join it confirms)."""
    subject, body = confirmation(world_name=world.name, link=link, lang=lang)
    return queue_message(s, world, kind="confirm", to=to, subject=subject, body=body, at=at)


def queue_message(
    s: Session, world: WorldRow, *, kind: str, to: str, subject: str, body: str, at: int
) -> int:
    """Queue a composed one-off message (a confirmation, a sign-in code), due at once."""
    notice = NoticeRow(
        world_id=world.id,
        person_id=None,
        kind=kind,
        to_addr=to,
        due_at=at,
        status="pending",
        attempts=0,
        next_attempt_at=0,
        subject=subject,
        body=body,
    )
    s.add(notice)
    s.flush()
    return notice.id


def queue_many(
    s: Session,
    world: WorldRow,
    *,
    kind: str,
    mails: Sequence[Mail],
    at: int,
    held: str | None = None,
) -> None:
    """Queue composed messages in one statement, due at once; or, with ``held``, kept back
    until :func:`let_go` releases everything held under that key."""
    status = HELD if held else "pending"
    common = {"world_id": world.id, "person_id": None, "kind": kind, "due_at": at}
    common |= {"status": status, "claim": held, "attempts": 0, "next_attempt_at": 0}
    rows = [common | {"to_addr": to, "subject": sub, "body": body} for to, sub, body in mails]
    if rows:
        s.execute(_T.insert(), rows)


def let_go(store: Store, held: str) -> int:
    """Make every message held under ``held`` due, in one short transaction; how many."""
    with store.transaction() as s:
        gone = s.execute(
            update(NoticeRow)
            .where(NoticeRow.claim == held, NoticeRow.status == HELD)
            # The key stays in ``claim`` (a claim overwrites it): one index fewer to touch.
            .values(status="pending")
            .returning(NoticeRow.id)
        )
        return len(gone.all())


def queue_question(s: Session, world: WorldRow, *, to: str, at: int, base_url: str) -> None:
    """Queue the question for ``to``: the same row whoever asks about whom, so asking takes
    the same time for a member and a stranger.  The link's base waits in the body."""
    s.add(
        NoticeRow(
            world_id=world.id,
            person_id=None,
            kind="signin",
            to_addr=to,
            due_at=at,
            status=ASKED,
            attempts=0,
            next_attempt_at=at,
            body=base_url,
        )
    )


def queue_depth(store: Store, *, now_us: int) -> tuple[int, int | None]:
    """The notices due by ``now_us`` and not yet sent (waiting or in a worker's hands), and
    when the oldest of them fell due: for /metrics, counts only."""
    due = NoticeRow.status.in_(("pending", "sending")) & (NoticeRow.next_attempt_at <= now_us)
    with store.read() as s:
        count, oldest = s.execute(select(func.count(), func.min(NoticeRow.due_at)).where(due)).one()
    return int(count), oldest

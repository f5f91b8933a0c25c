"""What a night under faults kept: joins, mails, answers outside the outages, stream changes."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from bench.common import header
from bench.common import table as md_table
from bench.faults_night_clients import Answers, Follower, Joiner, missed_changes
from bench.faults_stack import SmtpSink, Worker
from soulmark.store import open_store
from soulmark.store.notice_models import NoticeRow

__all__ = ["Outcome", "check", "table"]


@dataclass
class Outcome:
    followers: list[Follower]
    answers: Answers
    joiner: Joiner
    outages: list[tuple[int, int]]
    plan: dict[str, Any]
    figures: dict[str, object] = field(default_factory=dict)


def _statuses(url: str) -> Counter[str]:
    store = open_store(url)
    try:
        with store.transaction() as s:
            q = select(NoticeRow.status, func.count()).group_by(NoticeRow.status)
            return Counter({k: int(n) for k, n in s.execute(q).all()})
    finally:
        store.close()


def _rows(url: str) -> Counter[str]:
    store = open_store(url)
    try:
        with store.transaction() as s:
            return Counter(a.lower() for a in s.scalars(select(NoticeRow.to_addr)))
    finally:
        store.close()


def _drain(url: str, worker: Worker, drain_s: float) -> Counter[str]:
    """Wait for the worker to send what is due (a lease left by a kill runs out first)."""
    deadline = time.monotonic() + drain_s
    while True:
        statuses = _statuses(url)
        if not (statuses["pending"] + statuses["sending"]) or time.monotonic() > deadline:
            return statuses
        if not worker.alive():
            worker.start()
        time.sleep(2)


def _final_wrong(o: Outcome) -> int:
    wrong = 0
    for f in o.followers:
        moments = o.plan.get(f.pid, (None, {}))[1] if f.pid else {}
        if not moments:
            continue
        last_key = max(moments, key=lambda k: moments[k])
        data = f.arrivals[-1][1] if f.arrivals else {}
        wrong += (data.get("state"), data.get("strokes")) != last_key
    return wrong


def check(o: Outcome, url: str, sink: SmtpSink, worker: Worker, *, drain_s: float) -> None:
    statuses = _drain(url, worker, drain_s)
    rows, got = _rows(url), sink.received()
    acked = {e.lower() for e in o.joiner.acked}
    due, missed = missed_changes(o.followers, o.plan)
    o.figures = {
        "streams": len(o.followers),
        "stream reconnections": sum(f.reconnects for f in o.followers),
        "answers": len(o.answers.seen),
        "PostgreSQL outages": len(o.outages),
        "5xx outside the outages": len(o.answers.errors_outside(o.outages)),
        "5xx inside them": sum(1 for _, s, _ in o.answers.seen if s >= 500)
        - len(o.answers.errors_outside(o.outages)),
        "joins acknowledged": len(acked),
        "acknowledged joins lost": len(acked - set(rows)),
        "notices and confirmations written": sum(rows.values()),
        "left unsent (pending, sending, failed)": statuses["pending"]
        + statuses["sending"]
        + statuses["failed"],
        "mails lost (written, never received)": sum(max(0, n - got[a]) for a, n in rows.items()),
        "acknowledged joins never mailed": len([a for a in acked if not got[a]]),
        "mails received twice": sum(max(0, got[a] - n) for a, n in rows.items()),
        "stream changes due while open": due,
        "stream changes missed": missed,
        "wrists not at their final state": _final_wrong(o),
    }


def table(o: Outcome, args: dict[str, object]) -> str:
    rows = [[k, f"{v:,}" if isinstance(v, int) else v] for k, v in o.figures.items()]
    settings = ", ".join(f"{k}={v}" for k, v in args.items())
    return header("Reveal night under faults") + f"{settings}\n\n" + md_table(["", ""], rows)

"""What a night under faults kept: joins, mails, answers outside the outages, stream changes."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from bench.common import header
from bench.common import table as md_table
from bench.faults_night_clients import Answers, Changes, Follower, Joiner, stream_changes
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
    kills: list[int]
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


def _by_status(answers: Answers) -> str:
    counts = Counter(f"{what} {status}" for _, status, what in answers.seen)
    return ", ".join(f"{k}: {n:,}" for k, n in sorted(counts.items()))


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


_IN_FLIGHT_US = 2_000_000
"""How long before a kill a message's DATA may have ended and still be unrecorded: the
stall, the reply, and the record's commit on a loaded machine."""


def _twice(rows: Counter[str], ends: dict[str, list[int]], kills: list[int]) -> tuple[int, int]:
    """(copies received twice, how many of them had their first copy's DATA end just before a
    kill: the window SECURITY.md names, where the server has the message and the worker died
    before it could record the reply)."""
    twice = in_flight = 0
    for addr, n in rows.items():
        times = sorted(ends.get(addr, []))
        for first in times[: max(0, len(times) - n)]:
            twice += 1
            in_flight += any(k - _IN_FLIGHT_US <= first <= k for k in kills)
    return twice, in_flight


def _pct(values: list[int], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6:.2f} s"


def _streams(o: Outcome, seen: Changes) -> dict[str, object]:
    inside = sum(1 for m in seen.skipped_at if any(a <= m <= b for a, b in o.outages))
    return {
        "stream changes due while open": seen.due,
        "changes never shown (neither it nor a later state)": seen.never,
        "changes passed over for a later state (the stream was late)": seen.skipped,
        "  of them due inside an outage window": inside,
        "stream lag p50 / p99 / max": " / ".join(_pct(seen.lags_us, q) for q in (0.5, 0.99, 1.0)),
        "wrists not at their final state": _final_wrong(o),
    }


def check(o: Outcome, url: str, sink: SmtpSink, worker: Worker, *, drain_s: float) -> None:
    statuses = _drain(url, worker, drain_s)
    rows, got = _rows(url), sink.received()
    acked = {e.lower() for e in o.joiner.acked}
    twice, in_flight = _twice(rows, sink.ends(), o.kills)
    o.figures = {
        "streams": len(o.followers),
        "stream reconnections": sum(f.reconnects for f in o.followers),
        "answers": len(o.answers.seen),
        "answers by kind and status": _by_status(o.answers),
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
        "worker kills": len(o.kills),
        "mails received twice": twice,
        "  of them in flight at a kill (DATA ended, reply unrecorded)": in_flight,
    } | _streams(o, stream_changes(o.followers, o.plan))


def table(o: Outcome, args: dict[str, object]) -> str:
    rows = [[k, f"{v:,}" if isinstance(v, int) else v] for k, v in o.figures.items()]
    settings = ", ".join(f"{k}={v}" for k, v in args.items())
    return header("Reveal night under faults") + f"{settings}\n\n" + md_table(["", ""], rows)

"""The TLS night's report: stream lags, the two request phases, and /metrics against the
bench's own counts (exact equality for every count the bench made itself)."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from bench.common import header, table
from bench.faults_night_clients import stream_changes

__all__ = ["agreement", "report"]


def _pct(xs: list[int], q: float) -> str:
    if not xs:
        return "–"
    ordered = sorted(xs)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000:.0f} ms"


def _said(requests: Counter[tuple[str, str, str]], route: str) -> Counter[int]:
    """What /metrics says a route answered to GETs, by status."""
    return Counter(
        {int(s): n for (r, m, s), n in requests.items() if r == route and m == "GET" and n}
    )


def agreement(outcome: dict[str, Any]) -> list[list[object]]:
    """Rows ``what | bench counted | /metrics says | agree``."""
    requests, open_now = outcome["metrics"]["requests"], outcome["metrics"]["streams_open"]
    streams = Counter(s for _, s, what in outcome["answers"].seen if what == "stream")
    hello, wrist = outcome["hello"][0], outcome["wrist"][0]
    said_wrist, said_events = _said(requests, "/api/wrist"), _said(requests, "/api/wrist/events")
    pairs: list[tuple[str, int, int]] = [
        ("`GET /api/wrist` answered 200", wrist[200], said_wrist[200]),
        ("`GET /api/wrist` answered otherwise", _answered(wrist) - wrist[200],
         sum(said_wrist.values()) - said_wrist[200]),
        ("`GET /healthz` answered", _answered(hello), sum(_said(requests, "/healthz").values())),
    ]  # fmt: skip
    for status in sorted(set(streams) | set(said_events)):
        pairs.append((f"`GET /api/wrist/events` answered {status}", streams[status],
                      said_events[status]))  # fmt: skip
    pairs.append(("streams open at the end (`soulmark_streams_open`)", 0, sum(open_now.values())))
    return [[w, f"{b:,}", f"{m:,}", "yes" if b == m else "**no**"] for w, b, m in pairs]


def _answered(seen: Counter[int]) -> int:
    """Requests that got an answer (status 0: the connection failed, nothing was counted)."""
    return sum(n for s, n in seen.items() if s)


def _rate(result: tuple[Counter[int], float]) -> str:
    seen, seconds = result
    bad = sum(n for s, n in seen.items() if not 200 <= s < 300)
    n = sum(seen.values())
    return f"{n / seconds:,.0f} req/s ({n:,} in {seconds:.1f} s, {bad} not 2xx)"


def report(outcome: dict[str, Any], args: argparse.Namespace) -> str:
    followers = outcome["followers"]
    changes = stream_changes(followers, outcome["plan"])
    streams = Counter(s for _, s, what in outcome["answers"].seen if what == "stream")
    rows: list[list[object]] = [
        ["streams (one per wrist, https, distinct addresses)", f"{len(followers):,}"],
        ["stream answers", ", ".join(f"{s}: {n:,}" for s, n in sorted(streams.items()))],
        ["streams opened again", f"{sum(f.reconnects for f in followers):,}"],
        ["changes due while streams were open", f"{changes.due:,}"],
        ["changes that never arrived", f"{changes.never:,}"],
        ["changes skipped (a later state came first)", f"{changes.skipped:,}"],
        ["stream lag p50", _pct(changes.lags_us, 0.50)],
        ["stream lag p99", _pct(changes.lags_us, 0.99)],
        ["stream lag max", _pct(changes.lags_us, 1.0)],
        [f"TLS hello (`GET /healthz`), {args.clients} keep-alive clients", _rate(outcome["hello"])],
        [f"`GET /api/wrist`, {args.clients} keep-alive clients", _rate(outcome["wrist"])],
    ]
    settings = ", ".join(f"{k}={v}" for k, v in vars(args).items())
    text = header("Reveal night over TLS, through the documented nginx site")
    text += f"{settings}; 2 instances, the worker, PostgreSQL (private cluster)\n\n"
    text += table(["", ""], rows) + "\n"
    waited = outcome["metrics"]["waited_s"]
    text += f"`/metrics` of both instances at the end (after the phases, {waited:.0f} s more for "
    text += "the dropped streams to close), scraped directly and summed, against the bench's "
    text += "own counts:\n\n"
    return text + table(["", "bench counted", "/metrics says", "agree"], agreement(outcome))

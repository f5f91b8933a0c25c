"""Runs the fault campaigns on each backend and writes bench/results/faults.md."""

from __future__ import annotations

from pathlib import Path

from tests.harness.kills import KillReport, kill_campaign
from tests.harness.seal_race import RaceReport, races_with_server

from bench.common import fresh_db, header, table, write

__all__ = ["run_all"]


def _kill_row(r: KillReport) -> list[object]:
    f = r.final
    opens = f"{r.opened_clean}/{r.kills}"
    return [
        r.backend,
        f"{r.kills} ({r.early} while starting)",
        f"{r.requests - r.unreachable} (+{r.unreachable} refused while down)",
        r.acked,
        f"{r.in_doubt} ({r.in_doubt_landed} had landed)",
        f.rows,
        len(f.lost) + r.lost_at_a_kill,
        len(f.duplicated),
        len(f.stray),
        opens,
        "yes" if r.sealed_after else "NO",
        f"{r.seconds:.0f} s",
    ]


def _race_row(backend: str, r: RaceReport) -> list[object]:
    per = r.contenders // r.races if r.races else 0
    return [backend, r.races, per, r.one_writer, r.one_transcript, r.marks_match, len(r.failures)]


KILL_COLUMNS = [
    "backend",
    "SIGKILLs",
    "join requests that reached a server",
    "acknowledged",
    "in doubt",
    "rows stored",
    "lost",
    "duplicated",
    "stray",
    "opens cleanly",
    "seals after",
    "time",
]
RACE_COLUMNS = [
    "backend",
    "races",
    "sealers per race",
    "exactly one wrote",
    "one transcript",
    "marks = transcript lines, audit clean",
    "failures",
]
NOTES = """
Targets (issue 5): ≥ 100 kills per backend with 0 acknowledged joins lost, 0 duplicated and
the store opening cleanly after every kill; ≥ 50 seal races with exactly one transcript and
identical marks.

- *acknowledged*: a 201 with the person id and token received by the client. *lost* counts
  acknowledged joins missing (or stored with another email or token) right after any kill
  plus at the end. *in doubt*: the server died after the request was sent and before the
  answer arrived; the client sent the same email once more, and a 409 showed the first had
  landed. *stray*: stored emails that no client sent.
- *opens cleanly*: after each kill, SQLite `PRAGMA integrity_check` = ok and the store opens;
  PostgreSQL accepts a connection and the store opens.
- *seals after*: once the campaign is over the world is sealed with every stored join.
- Seal races: two POSTs to `/api/organizer/seal` with `{"round": 1}` on the server, one thread
  of the harness and one separate process calling `services.seal(round=1)`, released by a
  barrier. Exactly one must report `already: false`, all must report the same seed, and the
  stored mark rows must equal the transcript's lines, which must audit clean.
"""


def run_all(backends: list[str], kills: int, races: int, seed: int, folder: Path) -> bool:
    """Run everything; returns True when any check failed."""
    kill_rows, race_rows, failures = [], [], []
    for backend in backends:
        with fresh_db(backend, folder) as url:
            k = kill_campaign(url, backend, kills, workdir=folder, seed=seed)
            r = races_with_server(url, races, seed, folder)
        kill_rows.append(_kill_row(k))
        race_rows.append(_race_row(backend, r))
        failures += [f"{backend}: {x}" for x in k.open_failures + k.final.lost + r.failures]
        failures += [f"{backend}: duplicated {x}" for x in k.final.duplicated]
        if not (k.ok and r.ok):
            failures.append(f"{backend}: kill campaign ok={k.ok}, races ok={r.ok}")
    body = header("Fault injection: SIGKILL under join load, seal races") + f"seed {seed}\n\n"
    body += table(KILL_COLUMNS, kill_rows) + "\n" + table(RACE_COLUMNS, race_rows) + NOTES
    if failures:
        body += "\n### Failures\n\n" + "\n".join(f"- {x}" for x in failures[:50]) + "\n"
    write("faults", body)
    return bool(failures)

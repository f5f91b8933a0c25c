"""B6: a join that was acknowledged survives a crash (SIGKILL at random moments)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from soulmark.core.audit import audit
from soulmark.core.times import DAY, parse_iso
from soulmark.services import create_world, seal, transcript_text
from soulmark.store import open_store
from soulmark.store.models import PersonRow

CHILD = Path(__file__).with_name("crash_joiner.py")
T0 = parse_iso("2030-04-01T00:00:00Z")
KILLS = 10


def _reader(stream, lines: list[str], first_ack: threading.Event) -> None:
    for raw in stream:
        if not raw.endswith("\n"):
            break  # a torn line was never acknowledged
        lines.append(raw.rstrip("\n"))
        if raw.startswith("ack "):
            first_ack.set()


def run_and_kill(url: str, world: str, prefix: str, rng: random.Random) -> list[str]:
    """Start a joiner, SIGKILL it at a random moment, return the ids it acknowledged."""
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), url, world, prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    first_ack = threading.Event()
    reader = threading.Thread(target=_reader, args=(proc.stdout, lines, first_ack), daemon=True)
    reader.start()
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, 0.6))  # sometimes while it is starting or opening the store
    else:
        first_ack.wait(20)
        time.sleep(rng.uniform(0.0, 0.25))  # mid-stream: inside or between transactions
    proc.send_signal(signal.SIGKILL)
    proc.wait(20)
    reader.join(20)
    return [line[4:] for line in lines if line.startswith("ack ")]


@pytest.mark.slow
def test_b6_acknowledged_joins_survive_sigkill(db_url: str) -> None:
    url = db_url  # a SQLite file, or PostgreSQL in the suite's PostgreSQL pass
    store = open_store(url)
    world = create_world(
        store, name="Crash", slug="crash", window_start=T0, window_end=T0 + DAY, at=T0 - DAY
    ).world
    store.close()

    rng = random.Random(int.from_bytes(os.urandom(4), "little"))
    acked: list[str] = []
    started = time.monotonic()
    for k in range(KILLS * 3):
        acked += run_and_kill(url, world, f"k{k}", rng)
        spent = time.monotonic() - started
        # ~12 s, or more on a loaded machine until something was acknowledged (60 s at most)
        if (k + 1 >= KILLS or spent > 12) and (acked or spent > 60):
            break
    assert acked, "the child never acknowledged a join"
    print(f"{len(acked)} acknowledged joins over {k + 1} kills")

    # the store opens cleanly after all those kills ...
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    store = open_store(url)
    try:
        with store.transaction() as s:
            pids = s.scalars(select(PersonRow.pid)).all()
            emails = s.scalars(select(PersonRow.email)).all()
        # ... every acknowledged join is in it, once
        assert set(acked) <= set(pids), set(acked) - set(pids)
        assert len(pids) == len(set(pids))
        assert len(emails) == len(set(emails))
        assert len(acked) == len(set(acked))
        # and it is still a working store
        sealed = seal(store, world=world, at=T0 - 1)
        assert sealed.people == len(pids)
        assert audit(json.loads(transcript_text(store, world=world))) == []
    finally:
        store.close()

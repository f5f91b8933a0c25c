"""B6: two processes sealing the same round at once write one transcript and one set of marks."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from soulmark.core.audit import audit
from soulmark.core.times import DAY, parse_iso
from soulmark.services import create_world, join, transcript_text
from soulmark.store import open_store

T0 = parse_iso("2030-04-01T00:00:00Z")

SEALER = """
import json, os, sys, time
from soulmark.services import seal
from soulmark.store import open_store
url, world, go = sys.argv[1:4]
store = open_store(url)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
print(json.dumps(seal(store, world=world, at=0, round=1).to_json()), flush=True)
"""


@pytest.mark.slow
def test_b6_two_processes_sealing_at_once_make_one_transcript(db_url: str, tmp_path: Path) -> None:
    url = db_url
    store = open_store(url)
    world = create_world(
        store, name="Race", slug="race", window_start=T0, window_end=T0 + DAY, at=T0 - DAY
    ).world
    for i in range(13):
        join(store, world=world, name=f"P{i}", email=f"p{i}@ua.example", at=T0 - DAY)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SEALER, url, world, str(go)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        time.sleep(0.05)
        go.touch()
        out = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
        assert [p.returncode for p in procs] == [0, 0]
        assert sorted(o["already"] for o in out) == [False, True]
        assert out[0]["seed"] == out[1]["seed"] and out[0]["pairs"] == out[1]["pairs"] == 6
        doc = json.loads(transcript_text(store, world=world, round=1))
        assert audit(doc) == []
        with store.transaction() as s:
            assert s.scalar(text("SELECT count(*) FROM marks")) == 12
            assert s.scalar(text("SELECT count(*) FROM rounds")) == 2
            assert s.scalar(text("SELECT count(*) FROM people WHERE round = 2")) == 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        store.close()

"""Issue 17 item 3 (and B6): a disk that fills for real, under a real ``soulmark serve``.

The SQLite file lives on a 4 MB tmpfs mounted for the test (root only, as in CI).  Once a file
fills the disk, a join is refused with a 5xx, the JSON log names the cause in fixed words
("disk full") and holds neither the name nor the address; every join acknowledged before is
still there, and once space is freed a join succeeds without restarting the app."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness.kills import new_world
from tests.harness.server import Server
from tests.net import free_port

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mount") is None, reason="mounting a tmpfs needs root"
)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> Path:
    ballast = disk / "ballast"
    with contextlib.suppress(OSError), ballast.open("wb") as out:
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    return ballast


def _join(client: httpx.Client, slug: str, i: int) -> httpx.Response:
    body = {"name": f"Disk Person {i:03d}", "email": f"disk{i:03d}@full.test"}
    return client.post(f"/api/worlds/{slug}/join", json=body)


def test_i17_a_full_disk_refuses_a_join_names_the_cause_and_recovers(small_disk, tmp_path):
    url = f"sqlite:///{small_disk / 'soulmark.db'}"
    slug, _ = new_world(url)
    log = tmp_path / "serve.log"
    server = Server(url, free_port(), log, args=("--log-json",))
    server.start()
    try:
        server.wait_ready(f"/api/worlds/{slug}")
        with httpx.Client(base_url=server.base, timeout=10) as client:
            acked = [i for i in range(5) if _join(client, slug, i).status_code == 201]
            assert acked == list(range(5))
            ballast = _fill(small_disk)
            refused = [_join(client, slug, 100 + i) for i in range(3)]
            ballast.unlink()
            after = _join(client, slug, 200)
            world = client.get(f"/api/worlds/{slug}").json()
    finally:
        server.kill()
    assert all(r.status_code >= 500 for r in refused), [r.status_code for r in refused]
    assert after.status_code == 201, after.text
    assert world["rounds"][-1]["people"] == 6  # the five acknowledged, and the one after
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    causes = [line.get("cause", "") for line in lines if line["level"] in ("error", "warning")]
    assert any(c.startswith("disk full") for c in causes), causes
    text = log.read_text()
    assert "Disk Person 10" not in text and "full.test" not in text

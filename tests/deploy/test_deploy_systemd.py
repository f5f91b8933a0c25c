"""The systemd units in deploy/ (issue 17) pass ``systemd-analyze verify`` with this
machine's paths filled in, and say what a deployment needs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def _filled(unit: Path, folder: Path, name: str) -> Path:
    soulmark = Path(sys.executable).with_name("soulmark")
    text = unit.read_text().replace("/opt/soulmark/venv/bin/soulmark", str(soulmark))
    text = text.replace("/etc/soulmark/soulmark.env", str(ROOT / "deploy" / "soulmark.env"))
    out = folder / name
    out.write_text(text)
    return out


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_i17_the_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    units = [
        _filled(UNITS / "soulmark@.service", tmp_path, "soulmark@8001.service"),
        _filled(UNITS / "soulmark-worker.service", tmp_path, "soulmark-worker.service"),
    ]
    done = subprocess.run(
        ["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    mine = [line for line in done.stderr.splitlines() if str(tmp_path) in line]
    assert mine == [], "no unknown key, no warning about our units"


def test_i17_instances_send_no_mail_and_share_the_environment() -> None:
    app = (UNITS / "soulmark@.service").read_text()
    assert "--no-notices" in app and "LimitNOFILE=65536" in app
    assert "EnvironmentFile=/etc/soulmark/soulmark.env" in app
    env = (ROOT / "deploy" / "soulmark.env").read_text()
    for needed in ("SOULMARK_SECRET", "SOULMARK_BASE_URL", "SOULMARK_DB", "SOULMARK_MAIL_FROM"):
        assert f"\n{needed}=" in env

"""B1: ``soulmark audit`` and ``/api/audit`` are one use case (services.audit_report) and give
the same report for the same file: a round's transcript, a tampered one, a planet's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from soulmark.cli import app
from soulmark.planet.run import Execution, run_planet


def _both(web: Any, path: Path) -> tuple[dict[str, Any], dict[str, Any], int]:
    cli = CliRunner().invoke(app, ["audit", str(path), "--json"])
    api = web.client.post("/api/audit", content=path.read_bytes())
    assert api.status_code == 200
    return json.loads(cli.stdout), api.json(), cli.exit_code


def test_b1_cli_and_api_give_one_report_for_a_round_transcript(web, tmp_path):
    world = web.world(["A", "B", "C"])
    path = tmp_path / "round.json"
    path.write_text(web.client.get(f"/w/{world.slug}/transcript").text)
    cli, api, code = _both(web, path)
    assert cli == api and code == 0
    assert api["ok"] is True and api["kind"] == "round" and api["people"] == 3
    doc = json.loads(path.read_text())
    doc["roster"].reverse()
    path.write_text(json.dumps(doc))
    cli, api, code = _both(web, path)
    assert cli == api and code == 1 and "roster" in {m["field"] for m in api["mismatches"]}


@pytest.fixture(scope="module")
def planet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("planet")
    run_planet(2_001, out, secret=bytes(32), execution=Execution("local", 1))
    return out / "transcript.json"


def test_b1_b4_cli_and_api_give_one_report_for_a_planet_transcript(web, planet_file, tmp_path):
    cli, api, code = _both(web, planet_file)
    assert cli == api and code == 0
    assert api["ok"] is True and api["kind"] == "planet" and api["people"] == 2_001
    doc = json.loads(planet_file.read_text())
    doc["population"] -= 2
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    cli, api, code = _both(web, tampered)
    assert cli == api and code == 1
    assert [m["field"] for m in api["mismatches"]] == ["population"]

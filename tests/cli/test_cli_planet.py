"""B4 from the command line: `soulmark planet` and `soulmark audit` of its transcript."""

from __future__ import annotations

import json


def test_b4_b1_planet_run_audits_and_a_tampered_population_does_not(cli, tmp_path):
    out = tmp_path / "run"
    run = cli(
        "planet",
        "--population",
        "20000",
        "--out",
        str(out),
        "--engine",
        "local",
        "--quiet",
        "--json",
        db=False,
    )
    assert run.code == 0, run.err
    assert json.loads(run.out)["pairs"] == 10000
    transcript = out / "transcript.json"
    ok = cli("audit", str(transcript), "--json", db=False)
    assert ok.code == 0 and ok.json["ok"] is True
    doc = json.loads(transcript.read_text())
    doc["population"] -= 2
    transcript.write_text(json.dumps(doc))
    bad = cli("audit", str(transcript), "--json", db=False)
    assert bad.code == 1 and [m["field"] for m in bad.json["mismatches"]] == ["population"]

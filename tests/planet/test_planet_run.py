"""B4 and B1 end to end: a small planet run in process and on Dask, its transcript audits and
a tampered one does not, the chunk kernel equals the reference, an interrupted run resumes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from soulmark.core.marks import MarkParams, Window
from soulmark.core.times import parse_iso
from soulmark.planet.chunk import PlanetSpec, pair_digest_ref, run_chunk
from soulmark.planet.cli import app
from soulmark.planet.engine import PlanetKey, derive_words, mix32_ref, unpermute_ref
from soulmark.planet.marks import MarkPlan, lite_ref, mix64_ref, pair_marks_ref
from soulmark.planet.model import PopulationModel
from soulmark.planet.run import Execution, PlanetError, run_planet
from soulmark.planet.transcript import audit_planet

SECRET = bytes(range(32))
M64 = (1 << 64) - 1


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    out = tmp_path_factory.mktemp("planet")
    report = run_planet(
        200_001, out, secret=SECRET, chunk_pairs=16_384, execution=Execution("local", 2)
    )
    return report, json.loads((out / "transcript.json").read_text())


def test_b4_small_planet_report(small_run: tuple[dict[str, Any], dict[str, Any]]) -> None:
    report, transcript = small_run
    assert report["pairs"] == 100_000 and report["unmatched"] == transcript["unmatched"]
    assert report["marks"]["violations"] == 0
    assert report["marks"]["max_legible_gap_hours"] <= report["marks"]["same_day_hours"]
    assert sum(report["marks"]["legible"]) == 200_000
    for name, want in report["expected_shares"].items():
        got = report["shares"][name]
        assert abs(got - want) < 5 * np.sqrt(want / 100_000) + 1e-5, name


def test_b1_b4_planet_transcript_audits(small_run: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert audit_planet(small_run[1]) == []


@pytest.mark.parametrize(
    "field, change",
    [
        ("secret", lambda t: t.update(secret="11" * 32)),
        ("secret spelling", lambda t: t.update(secret=t["secret"].upper())),
        ("population", lambda t: t.update(population=t["population"] + 1)),
        ("window", lambda t: t["world"].update(window_end="2040-01-01T00:00:00.000000Z")),
        ("chunk", lambda t: t["chunk_digests"].__setitem__(2, "00" * 16)),
        ("digest", lambda t: t.update(digest="00" * 32)),
        ("samples", lambda t: t["samples"][0].update(partner=t["samples"][0]["partner"] ^ 1)),
        ("algorithm", lambda t: t.update(algorithm="planet-feistel-r4/blake2b-v1")),
        ("unmatched", lambda t: t.update(unmatched=0)),
    ],
)
def test_b1_b4_tampered_planet_transcript_does_not_audit(
    small_run: tuple[dict[str, Any], dict[str, Any]], field: str, change: Any
) -> None:
    doc = json.loads(json.dumps(small_run[1]))
    change(doc)
    problems = audit_planet(doc)
    assert problems, field


def test_b4_dask_local_cluster_gives_the_same_planet(
    small_run: tuple[dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    run_planet(
        200_001,
        tmp_path,
        secret=SECRET,
        chunk_pairs=16_384,
        execution=Execution("dask", workers=1, processes=False),
    )
    transcript = json.loads((tmp_path / "transcript.json").read_text())
    assert transcript["digest"] == small_run[1]["digest"]
    assert transcript["chunk_digests"] == small_run[1]["chunk_digests"]


def _male_ref(p: int, key: int) -> int:
    folded = (p & 0xFFFFFFFF) ^ (((p >> 32) * 0x9E3779B9) & 0xFFFFFFFF)
    return mix32_ref(folded ^ key)


def test_b4_chunk_kernel_equals_the_plain_python_reference() -> None:
    n = 2_001
    window = Window(parse_iso("2030-01-01"), parse_iso("2031-01-01"))
    model = PopulationModel(school_size=40, countries=(("a", 1.0), ("b", 2.0), ("c", 0.5)))
    spec = PlanetSpec(seed=SECRET, population=n, window=window, model=model, chunk_pairs=600)
    key = PlanetKey.derive(SECRET, n)
    plan = MarkPlan.derive(SECRET, n, MarkParams(), window)
    dkeys = derive_words(SECRET, b"planet/digest", n, 8, "<u8").tolist()
    sex_key = int(derive_words(SECRET, b"planet/model", n, 1)[0])
    bounds = model.country_bounds(n)
    for index in range(spec.chunks):
        got = run_chunk(spec, index)
        k0, k1 = spec.chunk_range(index)
        d0 = d1 = school = country = sex = 0
        for k in range(k0, k1):
            p0, p1 = unpermute_ref(key, 2 * k), unpermute_ref(key, 2 * k + 1)
            a, b = pair_marks_ref(plan, k)
            marks = [
                a.itch_start,
                a.ink_start,
                a.legible_at,
                b.itch_start,
                b.ink_start,
                b.legible_at,
            ]
            h = pair_digest_ref(dkeys, k, (p0, p1), marks)
            d0, d1 = (d0 + h) & M64, (d1 + lite_ref(h ^ dkeys[4])) & M64
            school += p0 // 40 == p1 // 40
            country += np.searchsorted(bounds, p0, "right") == np.searchsorted(bounds, p1, "right")
            male = [_male_ref(p, sex_key) < model.male_threshold() for p in (p0, p1)]
            sex += male[0] == male[1]
        if index == spec.chunks - 1:
            u = unpermute_ref(key, n - 1)
            assert got["unmatched"] == u
            h = mix64_ref(u ^ dkeys[5])
            d0, d1 = (d0 + h) & M64, (d1 + lite_ref(h ^ dkeys[4])) & M64
        want = d0.to_bytes(8, "little") + d1.to_bytes(8, "little")
        assert got["digest"] == want.hex()
        assert (got["same_school"], got["same_country"], got["same_sex"]) == (school, country, sex)
        assert got["pairs"] == k1 - k0


def test_b4_interrupted_run_resumes_from_finished_chunks(tmp_path: Path) -> None:
    out = tmp_path / "run"
    script = (
        "from pathlib import Path; from soulmark.planet.run import run_planet, Execution; "
        f"run_planet(1 << 26, Path({str(out)!r}), secret=bytes(range(32)), chunk_pairs=1 << 17, "
        "execution=Execution('local', 1))"
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    chunks = out / "chunks"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(chunks.glob("*.json"))) < 3:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {p.name: p.stat().st_mtime_ns for p in chunks.glob("*.json")}
    assert 3 <= len(before) < 256 and not (out / "report.json").exists()
    report = run_planet(1 << 26, out, chunk_pairs=1 << 17, execution=Execution("local", 2))
    assert report["pairs"] == 1 << 25
    after = {p.name: p.stat().st_mtime_ns for p in chunks.glob("*.json")}
    assert len(after) == 256 and all(after[name] == t for name, t in before.items())
    assert audit_planet(json.loads((out / "transcript.json").read_text())) == []


def test_b4_a_run_directory_holds_one_run(small_run: Any, tmp_path: Path) -> None:
    run_planet(1_000, tmp_path, execution=Execution("local", 1))
    with pytest.raises(PlanetError, match="different run"):
        run_planet(1_002, tmp_path, execution=Execution("local", 1))


def test_b4_planet_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--population", "1e5", "--out", str(tmp_path), "--engine", "local", "--quiet"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["pairs"] == 50_000 and (tmp_path / "planet.png").stat().st_size > 1000
    bad = runner.invoke(app, ["--population", "1.5", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "whole number" in bad.output
    other = runner.invoke(app, ["--population", "2e5", "--out", str(tmp_path), "--quiet"])
    assert other.exit_code == 1 and "different run" in str(other.exception or other.output)

"""``soulmark exclude`` and CSV groups (R3): private lists, households, seal reports attempts."""

from __future__ import annotations

import csv
import json

W = ["--window-start", "2031-01-01", "--window-end", "2031-06-01", "--at", "2030-12-01"]
AT = ["--at", "2030-12-02"]


def world_of(cli, tmp_path, rows: list[str]) -> tuple[str, dict[str, str]]:
    world = cli("world", "create", "Never", *W, "--json").json["world"]
    source = tmp_path / "people.csv"
    source.write_text("name,email,group\n" + "\n".join(rows) + "\n", encoding="utf-8")
    tokens = tmp_path / "tokens.csv"
    r = cli("join", world, "--from-csv", str(source), "--tokens-out", str(tokens), *AT, "--json")
    assert r.code == 0 and not r.json["errors"], r.out + r.err
    return world, {row["email"]: row["token"] for row in csv.DictReader(tokens.open())}


def test_r3_exclude_adds_lists_and_removes_your_own(cli, tmp_path) -> None:
    _, tokens = world_of(cli, tmp_path, [f"P{i},p{i}@x.test," for i in range(10)])
    me = tokens["p0@x.test"]
    r = cli("exclude", me, "p1@x.test", *AT, "--json")
    assert r.code == 0 and r.json == {
        "addresses": ["p1@x.test"],
        "limit": 3,
        "frozen": False,
        "unhonoured": 0,
    }
    assert cli("exclude", me, "nobody@else.test", *AT, "--json").code == 0
    assert cli("exclude", me, *AT, "--json").json["addresses"] == ["nobody@else.test", "p1@x.test"]
    r = cli("exclude", me, "p1@x.test", "--remove", *AT, "--json")
    assert r.json["addresses"] == ["nobody@else.test"]
    assert "nobody@else.test" in cli("exclude", me, *AT).out


def test_r3_exclude_refusals_are_one_line_without_a_traceback(cli, tmp_path) -> None:
    _, tokens = world_of(cli, tmp_path, [f"P{i},p{i}@x.test," for i in range(4)])
    me = tokens["p0@x.test"]
    assert cli("exclude", me, "p1@x.test", *AT).code == 0
    r = cli("exclude", me, "p2@x.test", *AT)
    assert r.code == 1 and r.err.count("\n") == 1 and "at most 1" in r.err
    assert "Traceback" not in r.err and "p2" not in r.err
    r = cli("exclude", me, "not-an-address", *AT)
    assert r.code == 1 and "Traceback" not in r.err


def test_r3_csv_groups_are_never_paired_and_seal_commits_to_every_entry(cli, tmp_path) -> None:
    rows = [f"P{i},p{i}@x.test,{'home' if i < 3 else ''}" for i in range(10)]
    world, tokens = world_of(cli, tmp_path, rows)
    cli("exclude", tokens["p5@x.test"], "p6@x.test", *AT)
    r = cli("seal", world, *AT, "--json")
    assert r.code == 0, r.err
    assert r.json["attempts"] == 1, "the hidden draws are not counted out loud"
    doc = json.loads(cli("transcript", world).out)
    # Version 2 (issue 22): a commitment for each of the household's three pairs and for the
    # list entry, and no pair of ids anywhere.
    assert doc["algorithm"] == "fisher-yates-excluding/blake2b-v2" and "exclusions" not in doc
    assert len(doc["exclusion_commitments"]) == 3 + 1
    pid = {e: cli("wrist", t, *AT, "--json").json["person"] for e, t in tokens.items()}
    home = [pid[f"p{i}@x.test"] for i in range(3)]
    excluded = {
        tuple(sorted(p)) for p in ((home[0], home[1]), (home[0], home[2]), (home[1], home[2]))
    }
    excluded.add(tuple(sorted((pid["p5@x.test"], pid["p6@x.test"]))))
    drawn = {tuple(sorted(line[:2])) for line in doc["lines"] if line[1] is not None}
    assert not drawn & excluded
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    assert cli("audit", str(path), db=False).code == 0
    frozen = cli("exclude", tokens["p5@x.test"], *AT, "--json").json
    assert frozen == {"addresses": [], "limit": 3, "frozen": True, "unhonoured": 0}


def test_r3_a_household_too_big_for_the_round_is_refused_at_seal_with_nothing_written(
    cli, tmp_path
) -> None:
    rows = [f"P{i},p{i}@x.test,{'home' if i < 4 else ''}" for i in range(6)]
    world, _ = world_of(cli, tmp_path, rows)
    r = cli("seal", world, *AT, "--json")
    assert r.code == 1 and "no pairing" in r.err and "@" not in r.err
    info = cli("world", "show", world, "--json").json
    assert info["open_round"] == 1 and not info["rounds"][0]["sealed"]

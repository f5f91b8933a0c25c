"""The whole cycle from the command line, with --at walking the window."""

from __future__ import annotations

import json
import unicodedata

from soulmark.core.times import iso, parse_iso

START = "2031-03-01T09:00:00Z"
END = "2031-03-01T09:10:00Z"
NAMES = ["Tenya Iida", "Bakugou Katsuki", "爆豪勝己", "Олександра Коваль", "فاطمة الزهراء"]


def _world(cli) -> str:
    made = cli("world", "create", "Class A", "--window-start", START, "--window-end", END, "--json")
    assert made.code == 0, made.err
    assert len(made.json["commitment"]) == 64
    return made.json["world"]


def _join_all(cli, world: str, names: list[str]) -> list[dict]:
    out = []
    for i, name in enumerate(names):
        r = cli("join", world, "--name", name, "--email", f"p{i}@school.test", "--json")
        assert r.code == 0, r.err
        out.append(r.json)
    return out


def test_r11_join_prints_the_name_exactly_as_the_partner_will_see_it(cli):
    world = _world(cli)
    decomposed = unicodedata.normalize("NFD", "Zoë Ó Briain")
    r = cli("join", world, "--name", decomposed, "--email", "z@x.test")
    assert r.code == 0
    assert unicodedata.normalize("NFC", "Zoë Ó Briain") in r.out
    assert "how your name will be written" in r.out
    j = cli("join", world, "--name", "Bakugou Katsuki", "--email", "k@x.test", "--json").json
    assert set(j) >= {"person", "token", "name", "round"} and j["name"] == "Bakugou Katsuki"


def test_cli_wrist_changes_state_exactly_at_the_published_moments(cli):
    world = _world(cli)
    people = _join_all(cli, world, NAMES)
    sealed = cli("seal", world, "--at", START, "--json").json
    assert (sealed["round"], sealed["pairs"], sealed["unmatched"]) == (1, 2, 1)
    lines = {line[0]: line for line in json.loads(cli("transcript", world).out)["lines"]}
    bare = 0
    for p in people:
        _, partner, itch, ink, legible = lines[p["person"]]
        if partner is None:  # R9: the odd one out stays bare all window
            states = [cli("wrist", p["token"], "--at", t, "--json").json for t in (START, END)]
            assert [v["state"] for v in states] == ["bare", "bare"]
            bare += 1
            continue
        expected = [
            (parse_iso(itch) - 1, "bare"),
            (parse_iso(itch), "itching"),
            (parse_iso(ink) - 1, "itching"),
            (parse_iso(ink), "inking"),
            (parse_iso(legible) - 1, "inking"),
            (parse_iso(legible), "covered"),
        ]
        for at, state in expected:
            view = cli("wrist", p["token"], "--at", iso(at), "--json").json
            assert view["state"] == state
            assert "name" not in view and "partner" not in view
            if state == "inking":
                assert 0 <= view["progress"] < 1
    assert bare == 1


def test_r8_r10_look_then_reach_out_from_the_cli(cli):
    world = _world(cli)
    people = _join_all(cli, world, NAMES[:2])
    cli("seal", world, "--at", START)
    a, b = people
    early = cli("look", a["token"], "--at", START)
    assert early.code == 1 and "nothing to read yet" in early.err
    seen = cli("look", a["token"], "--at", END, "--json").json
    assert seen["state"] == "revealed" and seen["name"] == b["name"]
    assert seen["partner"] == b["person"] and seen["person"] == a["person"]
    one = cli("reach-out", a["token"], "--at", END, "--json").json
    assert "contact" not in one
    cli("look", b["token"], "--at", END)
    both = cli("reach-out", b["token"], "--at", END, "--json").json
    assert both["contact"] == "p0@school.test"
    assert cli("wrist", a["token"], "--at", END, "--json").json["contact"] == "p1@school.test"


def test_r9_joining_a_sealed_round_waits_for_the_next(cli):
    world = _world(cli)
    _join_all(cli, world, NAMES[:2])
    cli("seal", world, "--at", START)
    late = cli("join", world, "--name", "Late Comer", "--email", "late@x.test", "--json")
    assert late.code == 0 and late.json["round"] == 2
    assert "wait for round 2" in late.json["note"]


def test_b1_cli_transcript_audits_and_a_tamper_names_its_field(cli, tmp_path):
    world = _world(cli)
    people = _join_all(cli, world, NAMES)
    cli("seal", world, "--at", START)
    path = tmp_path / "t.json"
    assert cli("transcript", world, "-o", str(path)).code == 0
    ok = cli("audit", str(path), "--person", people[0]["person"], "--json", db=False)
    assert ok.code == 0 and ok.json["ok"] is True and ok.json["mismatches"] == []
    assert ok.json["line"][0] == people[0]["person"]
    doc = json.loads(path.read_text())
    i = next(i for i, line in enumerate(doc["lines"]) if line[1] is not None)
    doc["lines"][i][4] = iso(parse_iso(doc["lines"][i][4]) + 1)
    path.write_text(json.dumps(doc))
    bad = cli("audit", str(path), "--json", db=False)
    assert bad.code == 1 and bad.json["ok"] is False
    assert [m["field"] for m in bad.json["mismatches"]] == [f"lines[{i}]"]


def test_b6_sealing_twice_from_the_cli_changes_nothing(cli):
    world = _world(cli)
    _join_all(cli, world, NAMES)
    first = cli("seal", world, "--round", "1", "--json").json
    text = cli("transcript", world).out
    again = cli("seal", world, "--round", "1", "--json").json
    assert again["already"] is True and again["seed"] == first["seed"]
    assert cli("transcript", world).out == text


def test_r9_a_round_of_one_is_not_sealed(cli):
    world = _world(cli)
    _join_all(cli, world, NAMES[:3])
    cli("seal", world, "--at", START)
    again = cli("seal", world, "--at", START)
    assert again.code == 1 and "at least two" in again.err
    assert cli("world", "show", world, "--json").json["open_round"] == 2

"""Issue 5, data lifecycle: export, leave before and after seal, retention and erasure."""

from __future__ import annotations

import io
import json

from soulmark.core.audit import audit, load_transcript

START = "2031-03-01T09:00:00Z"
END = "2031-03-01T09:10:00Z"


def _world(cli, names):
    made = cli("world", "create", "Life", "--window-start", START, "--window-end", END, "--json")
    world = made.json["world"]
    people = [
        cli("join", world, "--name", n, "--email", f"{i}@x.test", "--json").json
        for i, n in enumerate(names)
    ]
    return made.json, people


def test_export_holds_the_person_and_nothing_ahead_of_the_clock(cli):
    world, (a, b) = _world(cli, ["Ana Export", "Bo Export"])
    cli("seal", world["world"], "--at", START)
    early = cli("export", a["token"], "--at", START).json
    assert early["you"]["name"] == "Ana Export" and early["you"]["email"] == "0@x.test"
    assert early["wrist"]["state"] == "bare" and "legible_at" not in early["wrist"]
    assert "Bo Export" not in json.dumps(early, ensure_ascii=False)
    cli("look", a["token"], "--at", END)
    late = cli("export", a["token"], "--at", END).json
    assert late["wrist"]["name"] == "Bo Export" and late["you"]["looked_at"]


def test_leaving_before_seal_removes_the_person(cli):
    world, (a, b, c) = _world(cli, ["Ana", "Bo", "Cy"])
    r = cli("leave", a["token"], "--yes", "--json")
    assert r.code == 0 and r.json["removed"] is True
    assert cli("wrist", a["token"]).code == 1
    sealed = cli("seal", world["world"], "--at", START, "--json").json
    assert sealed["people"] == 2 and sealed["pairs"] == 1


def test_leaving_after_seal_keeps_the_mark_and_never_shares_contact(cli, tmp_path):
    world, (a, b) = _world(cli, ["Ana Stays", "Bo Leaves"])
    cli("seal", world["world"], "--at", START)
    cli("look", a["token"], "--at", END)
    cli("look", b["token"], "--at", END)
    cli("reach-out", b["token"], "--at", END)
    left = cli("leave", b["token"], "--yes", "--json", "--at", END).json
    assert left["removed"] is False
    assert cli("wrist", b["token"], "--at", END).code == 1
    view = cli("reach-out", a["token"], "--at", END, "--json").json
    assert view["name"] == "Bo Leaves" and "contact" not in view
    text = cli("transcript", world["world"]).out
    assert audit(load_transcript(text)) == []


def test_retention_erases_personal_data_and_keeps_the_transcript(cli):
    world, (a, b) = _world(cli, ["Ana Erased", "Bo Erased"])
    cli("seal", world["world"], "--at", START)
    token = world["organizer_token"]
    past = cli("world", "retain", token, "--until", "2031-01-01", "--at", START)
    assert past.code == 1 and "future" in past.err
    assert cli("world", "retain", token, "--until", "2031-04-01", "--at", START).code == 0
    assert cli("purge", "--at", "2031-03-15", "--json").json["erased"] == []
    assert cli("purge", "--at", "2031-04-02", "--json").json["erased"] == [world["world"]]
    assert cli("wrist", a["token"]).code == 1
    text = cli("transcript", world["world"]).out
    assert audit(load_transcript(text)) == []
    assert "Erased" not in text and "x.test" not in text


def test_i9_cli_leave_says_what_it_will_do_and_a_no_changes_nothing(cli, monkeypatch):
    world, (a, b) = _world(cli, ["Ana Asked", "Bo Asked"])
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    r = cli("leave", a["token"])
    assert r.code == 1 and "not in the draw" in r.out and "Traceback" not in r.err
    assert cli("wrist", a["token"]).code == 0


def test_i9_cli_reach_out_passes_the_chosen_contact_and_takes_it_back(cli):
    world, (a, b) = _world(cli, ["Ana Reach", "Bo Reach"])
    cli("seal", world["world"], "--at", START)
    cli("look", a["token"], "--at", END)
    cli("look", b["token"], "--at", END)
    bad = cli("reach-out", a["token"], "--contact", "x" * 100, "--at", END)
    assert bad.code == 1 and "contact" in bad.err and "Traceback" not in bad.err
    mine = cli("reach-out", a["token"], "--contact", "@ana", "--at", END)
    assert mine.code == 0 and "passing: @ana" in mine.out
    back = cli("reach-out", a["token"], "--withdraw", "--at", END, "--json").json
    assert back["reached_out"] is False
    cli("reach-out", a["token"], "--contact", "@ana later", "--at", END)
    both = cli("reach-out", b["token"], "--at", END, "--json").json
    assert both["contact"] == "@ana later"
    late = cli("reach-out", a["token"], "--withdraw", "--at", END)
    assert late.code == 1 and "passed on" in late.err


def test_i9_cli_rename_until_the_seal(cli):
    world, (a, b) = _world(cli, ["Ana Name", "Bo Name"])
    r = cli("rename", a["token"], "Ana Renamed", "--json")
    assert r.code == 0 and r.json == {"name": "Ana Renamed", "editable": True}
    cli("seal", world["world"], "--at", START)
    late = cli("rename", a["token"], "Too Late")
    assert late.code == 1 and "sealed" in late.err and "Traceback" not in late.err
    cli("look", b["token"], "--at", END)
    assert cli("wrist", b["token"], "--at", END, "--json").json["name"] == "Ana Renamed"

"""``soulmark organizer …`` (issue 20): the dashboard's actions from a terminal, through the
same services; one-line errors, and no pair printed (B2)."""

from __future__ import annotations

W = ["--window-start", "2031-01-01", "--window-end", "2031-06-01"]


def _world(cli) -> tuple[str, str]:
    made = cli("world", "create", "Terminal Club", *W, "--json").json
    for i, name in enumerate(("Tenya Iida", "Fake Name", "Ochaco")):
        assert cli("join", made["world"], "--name", name, "--email", f"p{i}@x.test").code == 0
    return made["world"], made["organizer_token"]


def test_organizer_people_lists_names_with_roster_ids_and_remove_takes_one_out(cli):
    _, token = _world(cli)
    roster = cli("organizer", "people", token, "--json")
    assert roster.code == 0, roster.err
    fake = next(p for p in roster.json["people"] if p["name"] == "Fake Name")
    assert fake["person"].startswith("r_")
    done = cli("organizer", "remove", token, fake["person"], "--reason", "Real names only")
    assert done.code == 0 and "removed" in done.out
    names = [p["name"] for p in cli("organizer", "people", token, "--json").json["people"]]
    assert names == ["Ochaco", "Tenya Iida"]


def test_organizer_rename_joins_and_replace_link(cli):
    world, token = _world(cli)
    assert cli("organizer", "rename", token, "Class 2-B", "--json").json["name"] == "Class 2-B"
    assert cli("organizer", "joins", token, "--close", "--json").json["joins_closed"] is True
    refused = cli("join", world, "--name", "Late", "--email", "late@x.test")
    assert refused.code == 1 and "closed" in refused.err and "Traceback" not in refused.err
    fresh = cli("organizer", "replace-link", token, "--json").json["organizer_token"]
    assert cli("organizer", "people", token).code == 1
    assert cli("organizer", "people", fresh).code == 0


def test_organizer_message_and_a_bad_id_fail_in_one_line(cli):
    _, token = _world(cli)
    sent = cli("organizer", "message", token, "Doors open at seven", "--json")
    assert sent.code == 0 and sent.json["sent"] == 3
    bad = cli("organizer", "remove", token, "r_nobody")
    assert bad.code == 1 and len(bad.err.strip().splitlines()) == 1


def test_i20_5_organizer_link_links_log_and_revoke_link(cli):
    _, token = _world(cli)
    made = cli("organizer", "link", token, "Mr Tanaka", "--json")
    assert made.code == 0, made.err
    co = made.json["organizer_token"]
    assert cli("organizer", "rename", co, "Class 2-B").code == 0
    log = cli("organizer", "log", token)
    assert log.code == 0 and "Mr Tanaka  renamed" in log.out and "main  link-made" in log.out
    listed = cli("organizer", "links", token, "--json").json["links"]
    assert [entry["name"] for entry in listed] == ["Mr Tanaka"]
    refused = cli("organizer", "link", co, "Someone")
    assert refused.code == 1 and len(refused.err.strip().splitlines()) == 1
    assert cli("organizer", "revoke-link", token, listed[0]["link"]).code == 0
    assert cli("organizer", "people", co).code == 1


def test_i20_4_9_organizer_reports_and_slips(cli):
    _, token = _world(cli)
    assert cli("organizer", "reports", token, "--json").json["reports"] == []
    bad = cli("organizer", "remove-reported", token, "n_nobody")
    assert bad.code == 1 and "Traceback" not in bad.err
    made = cli("organizer", "slips", token, "--make", "3", "--json").json
    assert len(made["slips"]) == 3 and made["used"] == 0
    assert cli("organizer", "slips", token).out.count("-") >= 6
    too_many = cli("organizer", "slips", token, "--make", "999")
    assert too_many.code == 1 and len(too_many.err.strip().splitlines()) == 1

"""``soulmark join`` into an email-domain world waits for its mailed link, exactly as the web's
join does: one services.join behind both, and behind CSV intake too."""

from __future__ import annotations

from soulmark.services import wrist
from soulmark.services.confirm import confirm
from tests.mailbox import confirmations, signins

W = ["--window-start", "2031-01-01", "--window-end", "2031-06-01"]
AT = ["--at", "2030-12-01T00:00Z"]


def _domain_world(cli) -> str:
    made = cli("world", "create", "Yuei", *W, "--email-domain", "yuei.test", *AT, "--json")
    assert made.code == 0, made.err
    return made.json["world"]


def test_cli_join_in_an_email_domain_world_waits_for_its_link(cli, store, monkeypatch):
    monkeypatch.setenv("SOULMARK_BASE_URL", "https://soulmark.example")
    world = _domain_world(cli)
    r = cli("join", world, "--name", "Iida", "--email", "i@yuei.test", *AT, "--json")
    assert r.code == 0, r.err
    assert r.json["confirmation"] == "sent" and r.json["token"].startswith("w_")
    [mail] = confirmations(store)
    assert mail["to"] == "i@yuei.test" and mail["world"] == world
    assert mail["link"].startswith("https://soulmark.example/confirm/#c_")
    assert wrist(store, token=r.json["token"], at=0).confirmed is False
    confirm(store, token=mail["link"].rsplit("#", 1)[1], at=0)
    assert wrist(store, token=r.json["token"], at=0).confirmed is True


def test_cli_join_outside_the_domain_is_refused_and_nothing_is_mailed(cli, store):
    world = _domain_world(cli)
    r = cli("join", world, "--name", "X", "--email", "x@evil.test", *AT)
    assert r.code == 1 and "yuei.test" in r.err and confirmations(store) == []


def test_membership_cli_join_twice_while_waiting_answers_as_a_join_and_mails_a_sign_in(cli, store):
    # Issue 22: no "already joined" (it told who is in); the address gets a way back instead.
    world = _domain_world(cli)
    cli("join", world, "--name", "Iida", "--email", "i@yuei.test", *AT)
    again = cli("join", world, "--name", "Other", "--email", "I@yuei.test", *AT, "--json")
    assert again.code == 0 and again.json["confirmation"] == "sent"
    assert len(confirmations(store)) == 1
    assert [m["to"] for m in signins(store)] == ["i@yuei.test"]


def test_csv_intake_in_an_email_domain_world_mails_each_joiner(cli, store, tmp_path):
    world = _domain_world(cli)
    source = tmp_path / "people.csv"
    source.write_text("name,email\nA,a@yuei.test\nB,b@elsewhere.test\nC,c@yuei.test\n")
    tokens = tmp_path / "tokens.csv"
    r = cli("join", world, "--from-csv", str(source), "--tokens-out", str(tokens), *AT, "--json")
    assert r.code == 0, r.err
    assert r.json["joined"] == 2 and [e["line"] for e in r.json["errors"]] == [3]
    assert [m["to"] for m in confirmations(store)] == ["a@yuei.test", "c@yuei.test"]
    wrists = [line.split(",")[1] for line in tokens.read_text().split()[1:]]
    assert [wrist(store, token=t, at=0).confirmed for t in wrists] == [False, False]

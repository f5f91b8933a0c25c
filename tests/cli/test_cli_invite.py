"""``soulmark invite WORLD --from-csv FILE`` (issue 9): one service call, clean one-line errors,
no key to any wrist printed to the organizer."""

from __future__ import annotations

import re

from sqlalchemy import create_engine, func, select

from soulmark.store.models import PersonRow

W = ["--window-start", "2031-01-01", "--window-end", "2031-06-01"]


def _people(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(PersonRow)).scalar_one()
    engine.dispose()
    return int(n)


def test_i9_cli_invite_queues_invitations_and_prints_no_key(cli, db_url, tmp_path):
    world = cli("world", "create", "Invites", *W, "--json").json["world"]
    source = tmp_path / "class.csv"
    source.write_text("\ufeffemail,name,group\na@x.test,Tenya Iida,1-A\nb@x.test,,\n")
    r = cli("invite", world, "--from-csv", str(source))
    assert r.code == 0, r.err
    assert "2 invitations queued" in r.out
    assert not re.search(r"\b[wk]_[A-Za-z0-9_-]{16,}", r.out)
    again = cli("invite", world, "--from-csv", str(source), "--json")
    assert again.json == {
        "world": world,
        "sent": 0,
        "skipped": 2,
        "suppressed": 0,
        "duplicates": 0,
    }, "a list is sent once"
    assert _people(db_url) == 2, "inviting again made no second person"


def test_i9_cli_invite_refuses_a_bad_csv_in_one_line(cli, db_url, tmp_path):
    world = cli("world", "create", "Invites", *W, "--json").json["world"]
    source = tmp_path / "bad.csv"
    source.write_text("email\na@x.test\nnot-an-address\n")
    r = cli("invite", world, "--from-csv", str(source))
    assert r.code == 1 and r.err.strip().startswith("error: line 3: not a valid email address")
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    missing = cli("invite", world, "--from-csv", str(tmp_path / "none.csv"))
    assert missing.code == 1 and missing.err.startswith("error: cannot read")
    assert _people(db_url) == 0

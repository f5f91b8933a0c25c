"""Bulk intake from CSV: streamed, per-row errors with line numbers, valid rows kept."""

from __future__ import annotations

import csv

from sqlalchemy import create_engine, select

from soulmark.services.tokens import token_hash
from soulmark.store.models import PersonRow

W = ["--window-start", "2031-01-01", "--window-end", "2031-06-01"]


def test_csv_intake_keeps_valid_rows_and_reports_bad_lines(cli, db_url, tmp_path):
    world = cli("world", "create", "Bulk", *W, "--json").json["world"]
    cli("join", world, "--name", "Early", "--email", "early@x.test")
    source = tmp_path / "people.csv"
    source.write_text(
        "name,email\n"
        "Tenya Iida,t@x.test\n"
        ",empty@x.test\n"
        "Bad Mail,bad\n"
        '"Iida, Tenya (again)",T@X.TEST\n'
        "Early Again,early@x.test\n"
        "爆豪勝己,k@x.test\n"
        "Evil\u202eName,e@x.test\n",
        encoding="utf-8",
    )
    tokens = tmp_path / "tokens.csv"
    r = cli("join", world, "--from-csv", str(source), "--tokens-out", str(tokens), "--json")
    assert r.code == 0, r.err
    assert r.json["joined"] == 2
    assert [e["line"] for e in r.json["errors"]] == [3, 4, 5, 6, 8]
    kept = list(csv.DictReader(tokens.open(encoding="utf-8")))
    assert [row["email"] for row in kept] == ["t@x.test", "k@x.test"]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        names = dict(conn.execute(select(PersonRow.token_hash, PersonRow.name)).all())
    engine.dispose()
    assert names[token_hash(kept[1]["token"])] == "爆豪勝己"
    assert len(names) == 3


def test_csv_without_the_right_header_is_refused(cli, tmp_path):
    world = cli("world", "create", "Bulk", *W, "--json").json["world"]
    source = tmp_path / "people.csv"
    source.write_text("who,where\nA,a@x.test\n")
    r = cli("join", world, "--from-csv", str(source))
    assert (
        r.code == 1
        and r.err.strip() == "error: the CSV needs a header with the columns name and email"
    )

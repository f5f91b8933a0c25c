"""``soulmark demo`` is built by services.build_demo (as ``serve --demo`` is) and runs through."""

from __future__ import annotations


def test_cli_demo_follows_the_first_pair_to_the_reveal_and_audits(cli):
    r = cli("demo", "--speed", "1000", "--yes", "--people", "4")
    assert r.code == 0, r.err
    assert "4 people, 2 pairs, 0 waiting" in r.out
    assert r.out.count("— revealed") >= 2 and "Both reached out" in r.out
    assert "Audit of the transcript" in r.out and "verified" in r.out


def test_i9_cli_demo_uses_its_own_database_file_and_says_which(cli, db_url, monkeypatch):
    monkeypatch.setenv("SOULMARK_DB", db_url)  # the user's own database: left alone
    r = cli("demo", "--speed", "1000", "--yes", "--people", "2", db=False)
    assert r.code == 0, r.err
    path = r.out.split("Demo database: ")[1].split(" ")[0]
    assert "soulmark-demo-" in path and f"--db sqlite:///{path}" in r.out.replace("\n", "")

"""Releases (issue 17 item 5): only ``soulmark migrate`` (or ``--migrate``) migrates; a
database that is behind is refused in one line saying what to run, and an older soulmark on
a newer database says so in one line instead of Alembic's traceback."""

from __future__ import annotations

import importlib

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from soulmark.store.schema import alembic_config, head

cli_serve = importlib.import_module("soulmark.cli.serve")

BEHIND = "0021_sender"
FUTURE = "0099_from_the_future"


def _versions(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = list(conn.scalars(text("SELECT version_num FROM alembic_version")))
    engine.dispose()
    return rows


@pytest.fixture
def behind(empty_db_url: str) -> str:
    """A database an older soulmark migrated: one revision short of this one's head."""
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), BEHIND)
    engine.dispose()
    return empty_db_url


@pytest.fixture
def newer(empty_db_url: str) -> str:
    """A database a newer soulmark migrated, to a revision this one has never heard of."""
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": FUTURE})
    engine.dispose()
    return empty_db_url


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Stands in for uvicorn: records that serve got as far as starting."""
    started: list[object] = []
    monkeypatch.setenv("SOULMARK_SECRET", "ab" * 32)
    monkeypatch.setattr(cli_serve, "run_app", lambda settings, options: started.append(settings))
    return started


def _one_line(r, *needles: str) -> str:
    assert r.code != 0
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err + r.out
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_migrate_brings_a_behind_database_to_the_head_saying_from_and_to_in_one_line(cli, behind):
    r = cli("migrate", "--db", behind, db=False)
    assert r.code == 0, r.err
    assert r.out.strip().splitlines() == [f"Migrated the database: {BEHIND} → {head()}."]
    assert _versions(behind) == [head()]
    again = cli("migrate", "--db", behind, "--json", db=False)
    assert again.json == {"from": [head()], "to": head(), "migrated": False}


def test_migrate_reads_old_branched_rows_in_its_line(cli, behind):
    engine = create_engine(behind)
    with engine.begin() as conn:  # as 0.1 left it: one row per head of its branches
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(
            text("INSERT INTO alembic_version VALUES ('0002'), ('0003'), (:v)"), {"v": BEHIND}
        )
    engine.dispose()
    r = cli("migrate", "--db", behind, db=False)
    assert r.code == 0, r.err
    assert f"0002+0003+{BEHIND} → {head()}" in r.out
    assert _versions(behind) == [head()]


def test_serve_refuses_behind_database_in_one_line(cli, behind, served):
    r = cli("serve", "--port", "9125", "--db", behind, db=False)
    _one_line(r, BEHIND, "run `soulmark migrate`", "or pass --migrate")
    assert served == [] and _versions(behind) == [BEHIND]


def test_serve_with_migrate_migrates_at_start_then_serves(cli, behind, served):
    r = cli("serve", "--port", "9125", "--migrate", "--db", behind, db=False)
    assert r.code == 0, r.err
    assert f"Migrated the database: {BEHIND} → {head()}." in r.err
    assert len(served) == 1 and _versions(behind) == [head()]


def test_worker_refuses_behind_database_in_one_line(cli, behind):
    r = cli("worker", "--once", "--db", behind, db=False)
    _one_line(r, BEHIND, "run `soulmark migrate`", "or pass --migrate")
    assert _versions(behind) == [BEHIND]


def test_worker_with_migrate_migrates_at_start(cli, behind):
    r = cli("worker", "--once", "--migrate", "--json", "--db", behind, db=False)
    assert r.code == 0, r.err
    assert _versions(behind) == [head()]


@pytest.mark.parametrize(
    "args",
    [
        ("world", "show", "nowhere"),
        ("join", "nowhere", "--name", "Izuku", "--email", "izuku@ua.example"),
        ("purge",),
    ],
    ids=lambda a: a[0],
)
def test_a_command_that_opens_the_store_refuses_a_behind_database_in_one_line(cli, behind, args):
    r = cli(*args, "--db", behind, db=False)
    line = _one_line(r, "run `soulmark migrate`")
    assert "--migrate" not in line  # only serve and worker take it
    assert _versions(behind) == [BEHIND]  # nothing migrates implicitly


@pytest.mark.parametrize(
    "args", [("migrate",), ("serve", "--port", "9126"), ("worker", "--once"), ("purge",)]
)
def test_an_older_soulmark_on_a_newer_database_says_so_in_one_line(cli, newer, served, args):
    r = cli(*args, "--db", newer, db=False)
    _one_line(
        r,
        f"this database was migrated by a newer soulmark (revision {FUTURE}); "
        "install that version or newer",
    )
    assert "Can't locate revision" not in r.err and served == []
    assert _versions(newer) == [FUTURE]


def test_an_empty_database_is_created_at_the_head_by_the_first_command(cli, empty_db_url):
    r = cli(
        "world",
        "create",
        "Fresh",
        "--window-start",
        "2031-01-01",
        "--window-end",
        "2031-06-01",
        "--db",
        empty_db_url,
        db=False,
    )
    assert r.code == 0, r.err
    assert _versions(empty_db_url) == [head()]

"""Every database an older soulmark left behind upgrades to the one line of migrations, its data
kept and its schema the same as a new database's (issues 17 and 21).

The old databases are built with the old chain itself, frozen in ``old_chain/migrations``
(not read back from git: the test runs from any checkout or source archive), one revision at a
time, with rows written after each (``old_data.py``).  Then today's ``migrate_store`` runs.
Both backends: ``SOULMARK_TEST_DB=postgresql`` builds each case in a schema of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text

from soulmark.core.looks import look_key
from soulmark.store import migrate_store, open_store
from soulmark.store.schema import SchemaBehind, alembic_config, head, line
from tests.conftest import _backend, pg_schema
from tests.store.old_data import seed

OLD = Path(__file__).parent / "old_chain" / "migrations"
OLD_ORDER = [
    *(f"{n:04d}" for n in range(1, 13)),
    "0013_contact",
    "0014_seal_at",
    "0015_exclusion_receipts",
    "0016_exclusions_dropped",
    "0020_look_key",
    "0021_sender",
    "0022_notice_lease",
]
"""The old revisions in an order each one's parent comes first in."""

_ON_0003 = ("0002", "0003")
MAIN_STATES = [
    ("0001",),
    ("0003",),
    _ON_0003,
    *((*_ON_0003, f"{n:04d}") for n in range(4, 13)),
    (*_ON_0003, "0013_contact"),
    (*_ON_0003, "0014_seal_at"),
    (*_ON_0003, "0015_exclusion_receipts"),
    # 0016 followed 0014 for one commit: both heads were in the table.
    (*_ON_0003, "0015_exclusion_receipts", "0016_exclusions_dropped"),
    (*_ON_0003, "0016_exclusions_dropped"),
    (*_ON_0003, "0020_look_key"),
    (*_ON_0003, "0021_sender"),
    ("0002", "0021_sender", "0022_notice_lease"),
]
"""The ``alembic_version`` rows every commit of main up to 0.2.0 left (its migrations, read
with ``git log --first-parent``), oldest first."""

OTHER_STATES = [
    ("0002",),
    ("0004",),
    ("0002", "0012"),
    ("0003", "0016_exclusions_dropped"),
    ("0002", "0016_exclusions_dropped", "0022_notice_lease"),
    ("0022_notice_lease", "0012"),
]
"""States the old chain allows beside them: a feature branch's, or a head left behind."""


def _old_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(OLD))
    cfg.attributes["connection"] = conn
    return cfg


def _old_applied(heads: tuple[str, ...]) -> set[str]:
    revisions = ScriptDirectory.from_config(_old_config(None)).revision_map  # type: ignore[arg-type]
    return {r.revision for h in heads for r in revisions.iterate_revisions(h, "base")}


def _build_old(url: str, heads: tuple[str, ...]) -> None:
    """A database at ``heads`` of the old chain, with each revision's rows in it."""
    applied = _old_applied(heads)
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = _old_config(conn)
        for rev in OLD_ORDER:
            if rev in applied:
                command.upgrade(cfg, rev)
                seed(conn, rev)
        # The rows exactly as that state held them (the frozen chain has 0016 after 0015).
        conn.execute(text("DELETE FROM alembic_version"))
        for rev in heads:
            conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": rev})
    engine.dispose()


def _rows(url: str) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every row of every table, by primary key."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        found = inspect(conn)
        for table in found.get_table_names():
            key = found.get_pk_constraint(table)["constrained_columns"]
            rows = [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]
            out[table] = {tuple(r[k] for k in key): r for r in rows}
    engine.dispose()
    return out


def _schema(url: str) -> dict[str, Any]:
    """What a schema is made of, in a form two databases can be compared by."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = inspect(conn)
        out: dict[str, Any] = {t: _table(found, t) for t in sorted(found.get_table_names())}
        if conn.dialect.name == "sqlite":  # the statements themselves, triggers included
            out["sqlite_master"] = conn.execute(
                text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
            ).all()
        else:
            out["triggers"] = _pg_triggers(conn)
    engine.dispose()
    return out


def _table(found: Any, table: str) -> dict[str, Any]:
    return {
        "columns": [
            (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
            for c in found.get_columns(table)
        ],
        "pk": found.get_pk_constraint(table)["constrained_columns"],
        "fks": sorted(
            (f["constrained_columns"], f["referred_table"], f["referred_columns"])
            for f in found.get_foreign_keys(table)
        ),
        "indexes": sorted(
            (i["name"], i["column_names"], i["unique"]) for i in found.get_indexes(table)
        ),
        "uniques": sorted(
            (str(u["name"]), u["column_names"]) for u in found.get_unique_constraints(table)
        ),
    }


def _pg_triggers(conn: Connection) -> list[Any]:
    triggers = conn.execute(
        text(
            "SELECT event_object_table, trigger_name, event_manipulation, action_timing,"
            " action_statement FROM information_schema.triggers"
            " WHERE trigger_schema = current_schema() ORDER BY 1, 2, 3"
        )
    ).all()
    functions = conn.execute(
        text(
            "SELECT proname, prosrc FROM pg_proc JOIN pg_namespace n ON n.oid = pronamespace"
            " WHERE nspname = current_schema() ORDER BY 1"
        )
    ).all()
    return [*triggers, *functions]


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The schema of a database soulmark created itself, at its head."""
    if _backend() == "postgresql":
        with pg_schema() as url:
            open_store(url).close()
            yield _schema(url)
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'fresh.db'}"
    open_store(url).close()
    yield _schema(url)


def _kept(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Every row that was there is there, with every value it had."""
    for table, rows in before.items():
        if table == "alembic_version":
            continue
        assert after[table].keys() == rows.keys(), table
        for key, row in rows.items():
            assert {c: after[table][key][c] for c in row} == row, (table, key)


def _data_migrations_ran(url: str, applied: set[str]) -> None:
    """The revisions that rewrite data did so on the rows an old database brought."""
    after = _rows(url)
    if "0010" not in applied:  # the history filled from the rounds: 2 commitments, 1 seal
        assert sorted(r["kind"] for r in after["fate_log"].values()) == [
            "commitment",
            "commitment",
            "seal",
        ]
    if "0020_look_key" not in applied:
        assert after["people"][(1,)]["look_key"] == look_key("Izuku Midoriya")
    if "0003" in applied and "0022_notice_lease" not in applied:  # a claim keeps its hour
        assert after["notices"][(1,)]["leased_until"] == 310 + 3600 * 1_000_000


@pytest.mark.parametrize("heads", MAIN_STATES + OTHER_STATES, ids="+".join)
def test_a_database_at_every_past_revision_upgrades_to_the_line_with_its_data(
    heads: tuple[str, ...], empty_db_url: str, fresh_schema: dict[str, Any]
) -> None:
    _build_old(empty_db_url, heads)
    before = _rows(empty_db_url)
    with pytest.raises(SchemaBehind):  # opening it changes nothing
        open_store(empty_db_url)
    assert _rows(empty_db_url) == before
    found = migrate_store(empty_db_url)
    assert found.rows == tuple(sorted(heads)) and found.kind == "behind"
    after = _rows(empty_db_url)
    assert list(after["alembic_version"]) == [(head(),)]
    _kept(before, after)
    _data_migrations_ran(empty_db_url, _old_applied(heads))
    assert _schema(empty_db_url) == fresh_schema
    assert migrate_store(empty_db_url).kind == "current"  # twice is once


@pytest.mark.parametrize("target", ["0001_worlds_rounds_people_marks", "0012_world_time_zone"])
def test_a_database_on_the_line_upgrades_to_its_head_with_its_data(
    target: str, empty_db_url: str, fresh_schema: dict[str, Any]
) -> None:
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        for rev in line()[: line().index(target) + 1]:
            command.upgrade(alembic_config(conn), rev)
            seed(conn, rev[:4] if rev[:4] <= "0012" else rev)
    engine.dispose()
    before = _rows(empty_db_url)
    assert migrate_store(empty_db_url).rows == (target,)
    _kept(before, _rows(empty_db_url))
    assert _schema(empty_db_url) == fresh_schema


def test_the_migrations_are_one_line_with_one_id_style() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("soulmark.store") / "migrations"))
    scripts = list(reversed(list(ScriptDirectory.from_config(cfg).walk_revisions())))
    assert [s.down_revision for s in scripts] == [None, *(s.revision for s in scripts[:-1])]
    numbers = [int(s.revision[:4]) for s in scripts]
    assert numbers == sorted(set(numbers))
    for s in scripts:
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+", s.revision), s.revision
        assert Path(s.path).stem == s.revision
        assert len(s.revision) <= 32  # alembic_version.version_num is a VARCHAR(32)
    assert "0022_notice_lease" in line() and line()[0] == "0001_worlds_rounds_people_marks"

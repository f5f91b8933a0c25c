"""Migration 0020 (issue 22): the people already in get their look and their normalized
address key, and a world that already held two look-alikes keeps both of them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

from soulmark.core.looks import email_key, look_key
from soulmark.store import open_store
from soulmark.store.models import PersonRow
from soulmark.store.schema import alembic_config

PEOPLE = [
    # name, email as an older version stored it, its old key (a plain case fold)
    ("Anna", "zoe\u0308@ua.example", "zoe\u0308@ua.example"),
    ("\u0410nna", "b@ua.example", "b@ua.example"),
    ("Bo", "bo@b\u00fccher.example", "bo@b\u00fccher.example"),
]


def _old_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0014_seal_at")
        conn.execute(
            text(
                "INSERT INTO worlds (id, slug, name, window_start, window_end, params,"
                " organizer_token_hash, open_round, created_at)"
                " VALUES (1, 'old', 'Old', 0, 10, '{}', 'h', 1, 0)"
            )
        )
        for i, (name, email, key) in enumerate(PEOPLE):
            conn.execute(
                text(
                    "INSERT INTO people (world_id, pid, name, email, email_key, token_hash,"
                    " round, confirmed, joined_at) VALUES (1, :pid, :name, :email, :key,"
                    " :hash, 1, 1, 0)"
                ),
                {"pid": f"p{i}", "name": name, "email": email, "key": key, "hash": f"t{i}"},
            )
    engine.dispose()


def test_issue22_migration_gives_the_people_already_in_their_look_and_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_database(url)
    store = open_store(url, migrate=True)
    try:
        with store.transaction() as s:
            rows = s.execute(
                select(PersonRow.name, PersonRow.look_key, PersonRow.email_key).order_by(
                    PersonRow.id
                )
            ).all()
    finally:
        store.close()
    (anna, anna_look, anna_key), (_, twin_look, _), (_, bo_look, bo_key) = rows
    assert anna_look == look_key("Anna") and bo_look == look_key("Bo")
    assert twin_look is None  # joined before the rule: kept, without a look
    assert anna_key == email_key("zoë@ua.example") and anna == "Anna"
    assert bo_key == "bo@xn--bcher-kva.example"

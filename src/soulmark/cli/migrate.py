"""``soulmark migrate``: bring the database's schema to this soulmark's, explicitly.

Nothing else migrates: ``serve``, ``worker`` and every other command refuse a database that
is behind, in one line, unless ``serve``/``worker`` are given ``--migrate``.  An empty
database is the exception, created at the head by whatever opens it first
(soulmark.store.schema).
"""

from __future__ import annotations

from soulmark.cli.common import DbOpt, JsonOpt, console, db_url, emit, fail
from soulmark.core.errors import SoulmarkError
from soulmark.store import migrate_store
from soulmark.store.schema import SchemaState

__all__ = ["migrate", "migrated_line"]


def migrated_line(found: SchemaState) -> str:
    """What a migration did, in one line: from where to where."""
    if found.kind == "current":
        return f"The database is at {found.head} already: nothing to migrate."
    return f"Migrated the database: {found.at} → {found.head}."


def migrate(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Migrate the database to this version's schema. Back it up first (soulmark backup),
    and stop every server and worker of the older version.

    Example: soulmark migrate --db postgresql+psycopg://soulmark@db/soulmark
    """
    try:
        found = migrate_store(db_url(db))
    except SoulmarkError as exc:
        fail(str(exc))
    data = {"from": list(found.rows), "to": found.head, "migrated": found.kind != "current"}
    emit(as_json, data, lambda: console.print(migrated_line(found)))

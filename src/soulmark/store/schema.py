"""Which revision a database's schema is at, and bringing it to this soulmark's.

The migrations (``soulmark/store/migrations/versions``) are one line, every id ``NNNN_name``.
Up to 0.1.x they were a branched graph whose first twelve ids were bare numbers: ``0002``
(web), ``0003`` (notices) and ``0004`` (the rest) each followed ``0001``, and
``0022_notice_lease`` followed ``0003``.  A database migrated then holds one
``alembic_version`` row per branch head, e.g. ``0002``, ``0021_sender`` and
``0022_notice_lease``.  Such rows are read through the old graph, frozen below: each row, and
everything before it on its branch, is applied.  The line is then walked in its order: a
revision already applied is only recorded, the others run.  The old branches touched
separate tables, so either order gives one schema (``tests/store/test_store_upgrade.py``
checks that at every state the old chain could leave, on both backends).

A single row naming a revision of the line means the line up to it.  The old code never left
one named row: it upgraded every head, and ``0002`` and ``0003`` are older than every name.

Nothing here runs by itself: a process that opens the store only checks (``check``), and
``soulmark migrate`` (or ``--migrate``) upgrades.  An empty database is the exception: it is
created at the head, since there is nothing in it to back up or to break.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from soulmark.core.errors import SoulmarkError

__all__ = [
    "SchemaBehind",
    "SchemaNewer",
    "SchemaState",
    "SchemaUnknown",
    "alembic_config",
    "check",
    "head",
    "line",
    "state_of",
    "upgrade",
]

Kind = Literal["empty", "current", "behind", "newer", "unversioned"]

_RENAMED = {
    "0001": "0001_worlds_rounds_people_marks",
    "0002": "0002_web",
    "0003": "0003_notices",
    "0004": "0004_beacon",
    "0005": "0005_lifecycle",
    "0006": "0006_exclusions",
    "0007": "0007_token_attempts",
    "0008": "0008_language",
    "0009": "0009_signin_codes",
    "0010": "0010_fate_log",
    "0011": "0011_changes",
    "0012": "0012_world_time_zone",
}
"""The old bare ids, and the revision of the line each became."""

_OLD_PARENT = {
    "0002_web": "0001_worlds_rounds_people_marks",
    "0003_notices": "0001_worlds_rounds_people_marks",
    "0004_beacon": "0001_worlds_rounds_people_marks",
    "0022_notice_lease": "0003_notices",
}
"""Where the old graph was not the line: the revision each of these followed then."""

_LAST_OLD = "0022_notice_lease"
"""The old graph ends here: later revisions were only ever on the line."""

_SOULMARK_TABLES = ("worlds", "people", "rounds", "marks")
"""Tables the first revision makes: a database holding one of them is soulmark's."""


class SchemaBehind(SoulmarkError):
    """The database is older than this soulmark: ``soulmark migrate`` brings it up."""


class SchemaNewer(SoulmarkError):
    """A newer soulmark migrated this database: this one cannot know its tables."""


class SchemaUnknown(SoulmarkError):
    """The database holds soulmark's tables but no revision: nothing safe to do with it."""


@dataclass(frozen=True)
class SchemaState:
    rows: tuple[str, ...]
    """The database's ``alembic_version`` rows, sorted (several only before 0.2.0)."""
    head: str
    """The revision this soulmark's migrations end at."""
    kind: Kind

    @property
    def at(self) -> str:
        """Where the database is, in one word: its revision(s), or ``empty``."""
        return "+".join(self.rows) or "empty"

    @property
    def unknown(self) -> tuple[str, ...]:
        """Rows this soulmark has no migration for: a newer one wrote them."""
        known = set(line()) | set(_RENAMED)
        return tuple(r for r in self.rows if r not in known)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the store's migrations, run on ``connection``
    (soulmark.store.migrations.env)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("soulmark.store") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


@cache
def line() -> tuple[str, ...]:
    """Every revision, oldest first."""
    newest_first = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return tuple(reversed([script.revision for script in newest_first]))


def head() -> str:
    return line()[-1]


def state_of(conn: Connection) -> SchemaState:
    """Read where the database is; changes nothing."""
    found = inspect(conn)
    rows: tuple[str, ...] = ()
    if found.has_table("alembic_version"):
        rows = tuple(sorted(conn.scalars(text("SELECT version_num FROM alembic_version"))))
    state = SchemaState(rows, head(), "current")
    if not rows:
        ours = any(found.has_table(name) for name in _SOULMARK_TABLES)
        return SchemaState(rows, head(), "unversioned" if ours else "empty")
    if state.unknown:
        return SchemaState(rows, head(), "newer")
    return state if rows == (head(),) else SchemaState(rows, head(), "behind")


def check(state: SchemaState) -> None:
    """Refuse, in one line, a database this soulmark should not run on as it is."""
    if state.kind == "newer":
        raise SchemaNewer(
            f"this database was migrated by a newer soulmark (revision {state.unknown[0]}); "
            "install that version or newer"
        )
    if state.kind == "unversioned":
        raise SchemaUnknown(
            "this database holds soulmark's tables but no revision (alembic_version is "
            "empty); restore it from a backup"
        )
    if state.kind == "behind":
        raise SchemaBehind(
            f"the database is at revision {state.at}, older than this soulmark's "
            f"{state.head}: run `soulmark migrate`"
        )


def upgrade(conn: Connection) -> SchemaState:
    """Bring the database to the head, inside the caller's transaction (which holds the
    database's write lock, so two processes never migrate at once); returns where it was."""
    before = state_of(conn)
    if before.kind in ("newer", "unversioned"):
        check(before)
    if before.kind == "current":
        return before
    cfg = alembic_config(conn)
    if _legacy(before.rows):
        _relink(conn, cfg, _applied(before.rows))
    command.upgrade(cfg, "head")
    return before


def _legacy(rows: tuple[str, ...]) -> bool:
    """Rows written by the branched chain: several heads, or an id without a name."""
    return len(rows) > 1 or any(r in _RENAMED for r in rows)


def _applied(rows: tuple[str, ...]) -> set[str]:
    """The revisions of the line an old database holds: its rows and what preceded each of
    them in the old graph."""
    old = line()[: line().index(_LAST_OLD) + 1]
    parent: dict[str, str] = dict(zip(old[1:], old, strict=False))
    parent.update(_OLD_PARENT)
    applied: set[str] = set()
    for row in rows:
        rev: str | None = _RENAMED.get(row, row)
        while rev is not None and rev not in applied:
            applied.add(rev)
            rev = parent.get(rev)
    return applied


def _relink(conn: Connection, cfg: Config, applied: set[str]) -> None:
    """Walk an old database onto the line: the revisions it lacks run, in the line's order,
    and those it has are only recorded.  What follows the last of those is left to the
    upgrade to the head."""
    order = line()
    start = next((i for i, rev in enumerate(order) if rev not in applied), len(order))
    _record(conn, order[start - 1])  # every old database holds 0001
    missing: str | None = None
    for rev in order[start:]:
        if rev not in applied:
            missing = rev
            continue
        if missing is not None:
            command.upgrade(cfg, missing)
            missing = None
        _record(conn, rev)


def _record(conn: Connection, rev: str) -> None:
    conn.execute(text("DELETE FROM alembic_version"))
    conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:rev)"), {"rev": rev})

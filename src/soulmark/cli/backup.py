"""``soulmark backup`` and ``soulmark restore``: a consistent copy of a running site, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from soulmark.cli.common import DbOpt, JsonOpt, console, db_url, emit, fail
from soulmark.core.errors import SoulmarkError
from soulmark.store import backup as backups

__all__ = ["backup", "restore"]

PathArg = Annotated[Path, typer.Argument(help="The backup file.")]


def backup(path: PathArg, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Copy the database while the site runs (SQLite's backup API, or pg_dump).

    Example: soulmark backup /var/backups/soulmark/2027-03-01.db
    """
    try:
        done = backups.backup(db_url(db), path)
    except SoulmarkError as exc:
        fail(str(exc))
    emit(
        as_json,
        done.to_json(),
        lambda: console.print(f"Backed up to {done.path} ({done.bytes:,} bytes)."),
    )


def restore(
    path: PathArg,
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the database without asking.")
    ] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace the database by a backup. Stop every server and worker first.

    Example: soulmark restore /var/backups/soulmark/2027-03-01.db --yes
    """
    if not yes:
        fail("restoring replaces everything in the database; stop the site, then add --yes")
    try:
        done = backups.restore(db_url(db), path)
    except SoulmarkError as exc:
        fail(str(exc))
    emit(as_json, done.to_json(), lambda: console.print(f"Restored from {done.path}."))

"""What every command shares: options, the store, output, and clean one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

# typer (pinned) vendors click: the current command's context holds its settings.
from typer._click.globals import get_current_context

from soulmark.core.errors import SoulmarkError
from soulmark.core.times import now_us, parse_iso
from soulmark.settings import DEFAULT_BASE_URL, Config, read_config
from soulmark.store import Store, default_url, open_store

__all__ = [
    "AtOpt",
    "BeaconOpt",
    "DbOpt",
    "JoinsCloseOpt",
    "JsonOpt",
    "RelayOpt",
    "WindowEndOpt",
    "WindowStartOpt",
    "config",
    "console",
    "db_url",
    "fail",
    "now_or",
    "opened",
    "emit",
]

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AtOpt = Annotated[
    str | None,
    typer.Option("--at", metavar="ISO", help="Act as if it were this moment (default: now, UTC)."),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Database URL (default: $SOULMARK_DB, else a SQLite file in your data directory).",
    ),
]

RelayOpt = Annotated[
    list[str] | None,
    typer.Option(
        metavar="URL",
        help="A drand HTTP relay to fetch the beacon from (repeatable; default: "
        "$SOULMARK_BEACON_RELAYS, comma-separated).",
    ),
]

WindowStartOpt = Annotated[str, typer.Option(metavar="ISO", help="When marks may begin.")]
WindowEndOpt = Annotated[
    str, typer.Option(metavar="ISO", help="When every mark is done (a date: its end).")
]
BeaconOpt = Annotated[
    str | None,
    typer.Option(
        metavar="quicknet:ROUND|quicknet@ISO",
        help="A drand round published after joins close; its value will seed fate.",
    ),
]
JoinsCloseOpt = Annotated[
    str | None,
    typer.Option(
        metavar="ISO",
        help="With beacon relays configured: when joins close (default: the window's "
        "start); fate then waits for the first drand round after it.",
    ),
]


def config() -> Config:
    """The settings this command runs with, read from the environment once per command
    (kept on its context); a bad value is one line and exit 1."""
    ctx = get_current_context(silent=True)
    meta = ctx.find_root().meta if ctx is not None else {}
    if "soulmark.config" not in meta:
        try:
            meta["soulmark.config"] = read_config()
        except SoulmarkError as exc:
            fail(str(exc))
    found: Config = meta["soulmark.config"]
    return found


def base_url() -> str:
    """Where the site is served: confirmation links mailed by ``soulmark join`` start here."""
    return config().base_url or DEFAULT_BASE_URL


def db_url(db: str | None) -> str:
    """The database a command opens: ``--db``, else ``SOULMARK_DB``, else the default file."""
    return default_url(db or config().db)


def fail(message: str, code: int = 1) -> NoReturn:
    errors.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)


def now_or(at: str | None) -> int:
    """The moment a command acts at, in microseconds."""
    if at is None:
        return now_us()
    try:
        return parse_iso(at)
    except ValueError as exc:
        fail(str(exc))


@contextmanager
def opened(db: str | None) -> Iterator[Store]:
    """The store for one command; domain errors become a one-line message and exit 1."""
    store: Store | None = None
    try:
        store = open_store(db_url(db))
        yield store
    except SoulmarkError as exc:
        fail(str(exc))
    finally:
        if store is not None:
            store.close()


@contextmanager
def clean_errors() -> Iterator[None]:
    try:
        yield
    except SoulmarkError as exc:
        fail(str(exc))


def emit(as_json: bool, data: dict[str, Any], human: Callable[[], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        human()

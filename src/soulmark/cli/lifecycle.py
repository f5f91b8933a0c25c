"""A person's data and its end, from the command line: export, leave, retention, purge."""

from __future__ import annotations

from typing import Annotated

import typer

from soulmark.cli.common import AtOpt, DbOpt, JsonOpt, console, emit, fail, now_or, opened
from soulmark.core.times import parse_iso
from soulmark.services import lifecycle

__all__ = ["export", "leave", "retain", "purge"]

TokenArg = Annotated[str, typer.Argument(help="Your private wrist token.")]


def export(token: TokenArg, at: AtOpt = None, db: DbOpt = None) -> None:
    """Print, as JSON, everything soulmark holds about you.

    Example: soulmark export w_Abc... > my-soulmark.json
    """
    with opened(db) as store:
        data = lifecycle.export_person(store, token=token, at=now_or(at))
    emit(True, data, lambda: None)


def leave(
    token: TokenArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask again.")] = False,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Leave a world. Before fate is sealed you are removed; after, your name stays on your
    soulmate's wrist but your address is erased and contact is never shared.

    Example: soulmark leave w_Abc... --yes
    """
    with opened(db) as store:
        if not yes:
            ask = lifecycle.ASK[lifecycle.leave_outcome(store, token=token, at=now_or(at))]
            if not typer.confirm(f"{ask}\nLeave this world? This cannot be undone.", default=False):
                fail("nothing was changed")
        result = lifecycle.leave(store, token=token, at=now_or(at))
    emit(as_json, result, lambda: console.print(result["message"]))


def retain(
    organizer_token: Annotated[str, typer.Argument(help="The world's organizer token.")],
    until: Annotated[str, typer.Option(metavar="ISO", help="Erase personal data after this.")],
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set when a world's personal data is erased (only transcripts of opaque ids remain).

    Example: soulmark world retain o_Abc... --until 2028-01-01
    """
    try:
        moment = parse_iso(until)
    except ValueError as exc:
        fail(str(exc))
    with opened(db) as store:
        result = lifecycle.set_retention(
            store, organizer_token=organizer_token, until=moment, at=now_or(at)
        )
    emit(as_json, result, lambda: console.print(f"{result['world']}: erased after {until}."))


def purge(at: AtOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Erase the personal data of every world past its retention date (run it daily).

    Example: soulmark purge
    """
    with opened(db) as store:
        erased = lifecycle.erase_expired(store, at=now_or(at))
    emit(
        as_json, {"erased": erased}, lambda: console.print(f"Erased: {', '.join(erased) or 'none'}")
    )

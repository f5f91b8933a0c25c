"""``soulmark exclude TOKEN [EMAIL]``: your private "never with" list (R3)."""

from __future__ import annotations

from typing import Annotated

import typer

from soulmark.cli.common import AtOpt, DbOpt, JsonOpt, console, emit, now_or, opened
from soulmark.services.exclusions import (
    Exclusions,
    add_exclusion,
    list_exclusions,
    remove_exclusion,
)

__all__ = ["exclude"]


def exclude(
    token: Annotated[str, typer.Argument(help="Your private wrist token.")],
    email: Annotated[
        str | None,
        typer.Argument(help="The address they joined with (none: list yours)."),
    ] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Take EMAIL off your list.")] = False,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Never be paired with someone: up to 3 people, named by the address they joined with.

    Nobody is told, and an address that is not in the world is kept without a word.
    Examples: soulmark exclude w_Abc... ex@example.org; soulmark exclude w_Abc... (your list)
    """
    moment = now_or(at)
    with opened(db) as store:
        if email is None:
            shown = list_exclusions(store, token=token, at=moment)
        elif remove:
            shown = remove_exclusion(store, token=token, email=email, at=moment)
        else:
            shown = add_exclusion(store, token=token, email=email, at=moment)
    emit(as_json, shown.to_json(), lambda: _show(shown))


def _show(shown: Exclusions) -> None:
    if shown.frozen:
        console.print("Your never-with list is frozen with your round's fate, and kept private.")
        if shown.unhonoured:
            console.print(
                f"Fate could not keep {shown.unhonoured} of your entries in this draw: a draw "
                "leaves everyone at least half of the round as possible partners, and the "
                "earliest entries were kept."
            )
        return
    if not shown.addresses:
        console.print(f"You have named no one (you may name up to {shown.limit}).")
        return
    console.print(f"Never with ({len(shown.addresses)} of {shown.limit}), known only to you:")
    for address in shown.addresses:
        console.print(f"  {address}")

"""Reaching out from the command line: the contact you choose to pass, and taking it back."""

from __future__ import annotations

from typing import Annotated

import typer

from soulmark import services
from soulmark.cli.commands import TokenArg, show_wrist
from soulmark.cli.common import AtOpt, DbOpt, JsonOpt, emit, fail, now_or, opened

__all__ = ["reach_out"]


def reach_out(
    token: TokenArg,
    contact: Annotated[
        str | None,
        typer.Option(help="What to pass them: a handle or an address (default: your address)."),
    ] = None,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Take it back (until they reach out too).")
    ] = False,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Say you would like to meet. Your contact passes only once you both have.

    Example: soulmark reach-out w_Abc... --contact "@ochaco on the school chat"
    """
    if withdraw and contact is not None:
        fail("--withdraw takes no --contact")
    with opened(db) as store:
        if withdraw:
            view = services.withdraw(store, token=token, at=now_or(at))
        else:
            view = services.reach_out(store, token=token, at=now_or(at), contact=contact)
    emit(as_json, view.to_json(), lambda: show_wrist(view))

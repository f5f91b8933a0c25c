"""A bearer's wrist from the command line: seeing it (its moments in the world's zone),
looking, and reaching out with the contact you choose to pass, or taking it back."""

from __future__ import annotations

from typing import Annotated

import typer

from soulmark import services
from soulmark.cli.common import AtOpt, DbOpt, JsonOpt, console, emit, fail, now_or, opened
from soulmark.core.times import in_zone
from soulmark.services import naming
from soulmark.services.worlds import zone_of
from soulmark.services.wrist_read import snapshot
from soulmark.services.wrist_view import WristView

__all__ = ["look", "reach_out", "rename", "show_wrist", "wrist"]


def show_wrist(view: WristView, tz: str = "UTC") -> None:
    """A wrist for people, its moments in the world's zone ``tz``."""
    console.print(f"[bold]{view.world_name}[/bold] — round {view.round}, you are {view.person}")
    console.print(view.message)
    if view.state == "inking" and view.progress is not None:
        filled = "▮" * (view.strokes or 0) + "▯" * (view.strokes_total - (view.strokes or 0))
        console.print(f"[magenta]{filled}[/magenta] {view.progress:.0%}")
    if view.state == "covered":
        console.print(
            f"Legible since {in_zone(view.legible_at, tz)}. Run `soulmark look TOKEN` to read it."
        )
    if view.state == "revealed":
        console.print(f"\n    [bold magenta]{view.name}[/bold magenta]\n")
        legible, looked = in_zone(view.legible_at, tz), in_zone(view.looked_at, tz)
        console.print(f"Legible at {legible}; you looked at {looked}.")
        console.print(
            f"Your id {view.person}, your soulmate's id {view.partner} (check the transcript)."
        )
        if view.contact:
            console.print(f"You both reached out. Contact: [bold]{view.contact}[/bold]")
        elif view.reached_out:
            console.print(f"You reached out, passing: {view.my_contact}")


TokenArg = Annotated[str, typer.Argument(help="Your private wrist token.")]


def wrist(token: TokenArg, at: AtOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Show your wrist as it is now (or --at a moment).

    Example: soulmark wrist w_Abc... --at 2027-03-01T12:00Z
    """
    moment = now_or(at)
    with opened(db) as store:
        snap = snapshot(store, token=token, at=moment)
    view = snap.view(moment)
    emit(as_json, view.to_json(), lambda: show_wrist(view, snap.zone))


def look(token: TokenArg, at: AtOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Lift the bandage and read the name. This is recorded and cannot be undone.

    Example: soulmark look w_Abc...
    """
    with opened(db) as store:
        view = services.look(store, token=token, at=now_or(at))
        tz = zone_of(store, slug=view.world)
    emit(as_json, view.to_json(), lambda: show_wrist(view, tz))


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
        tz = zone_of(store, slug=view.world)
    emit(as_json, view.to_json(), lambda: show_wrist(view, tz))


def rename(
    token: TokenArg,
    name: Annotated[str, typer.Argument(help="Your name, as your soulmate will read it.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change your name until your round is sealed.

    Example: soulmark rename w_Abc... "Iida Tenya"
    """
    with opened(db) as store:
        own = naming.rename(store, token=token, name=name, at=now_or(None))
    emit(as_json, own.to_json(), lambda: console.print(f"Your soulmate will read: {own.name}"))

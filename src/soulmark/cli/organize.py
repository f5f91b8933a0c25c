"""``soulmark organizer …``: the dashboard's actions from a terminal, by organizer token.

Each calls the service the web calls; none shows a pair (B2).

    soulmark organizer people o_…                 # names not drawn yet, with roster ids
    soulmark organizer remove o_… r_… --reason "…" # before the draw
    soulmark organizer message o_… "Doors at 7" [--unconfirmed]
    soulmark organizer rename o_… "Class 2-B"
    soulmark organizer joins o_… --close | --open
    soulmark organizer replace-link o_…
    soulmark organizer link o_… "Mr Tanaka"         # a co-organizer link; links, revoke-link
    soulmark organizer log o_…                     # which link did what, and when
    soulmark organizer reports o_…                 # reported names; remove-reported o_… n_…
    soulmark organizer slips o_… --make 30         # join slips for a class without email
"""

from __future__ import annotations

from typing import Annotated

import typer

from soulmark.cli.common import AtOpt, DbOpt, JsonOpt, base_url, console, emit, now_or, opened
from soulmark.services import broadcast, co_organizers, moderation, reports, slips, world_admin

__all__ = ["organizer_app"]

organizer_app = typer.Typer(
    help="An organizer's actions: the roster, removing a name, a message to everyone, the world.",
    no_args_is_help=True,
)
TokenArg = Annotated[str, typer.Argument(help="The organizer token (o_…).")]


@organizer_app.command("people")
def people(token: TokenArg, at: AtOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """The names no draw has taken yet, by name, with their roster ids.

    Example: soulmark organizer people o_…
    """
    with opened(db) as store:
        found = moderation.roster(store, token=token, at=now_or(at))

    def show() -> None:
        for p in found.people:
            console.print(f"{p['person']}  {p['name']}  ({p['status']})", markup=False)
        if not found.people:
            console.print("nobody is waiting for a draw")

    emit(as_json, found.to_json(), show)


@organizer_app.command("remove")
def remove(
    token: TokenArg,
    person: Annotated[str, typer.Argument(help="The roster id (r_…) from `organizer people`.")],
    reason: Annotated[str | None, typer.Option(help="One line mailed to them.")] = None,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove one name before the draw.

    Example: soulmark organizer remove o_… r_… --reason "Please use your real name"
    """
    with opened(db) as store:
        done = moderation.remove_person(
            store, token=token, person=person, at=now_or(at), reason=reason
        )
    told = " and mailed the reason" if done.told else ""
    emit(as_json, done.to_json(), lambda: console.print(f"removed from {done.world}{told}"))


@organizer_app.command("message")
def message(
    token: TokenArg,
    text: Annotated[str, typer.Argument(help="The words everyone receives alike.")],
    unconfirmed: Annotated[
        bool, typer.Option(help="Only those who have not confirmed their address.")
    ] = False,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mail one message to everyone in the world (a few a day).

    Example: soulmark organizer message o_… "Doors open at seven"
    """
    audience = "unconfirmed" if unconfirmed else "all"
    with opened(db) as store:
        done = broadcast.send_to_everyone(
            store, token=token, text=text, at=now_or(at), audience=audience
        )
    emit(as_json, done.to_json(), lambda: console.print(f"{done.sent} messages queued"))


@organizer_app.command("rename")
def rename(
    token: TokenArg,
    name: Annotated[str, typer.Argument(help="The world's new name.")],
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give the world a new name (the next draw gets a new commitment).

    Example: soulmark organizer rename o_… "Class 2-B"
    """
    with opened(db) as store:
        info = world_admin.rename_world(store, token=token, name=name, at=now_or(at))
    emit(as_json, info.to_json(), lambda: console.print(f"renamed: {info.name}", markup=False))


@organizer_app.command("joins")
def joins(
    token: TokenArg,
    close: Annotated[bool, typer.Option("--close/--open", help="Close or reopen joining.")],
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close joining, or open it again.

    Example: soulmark organizer joins o_… --close
    """
    with opened(db) as store:
        info = world_admin.set_joins(store, token=token, closed=close, at=now_or(at))
    said = "closed" if info.joins_closed else "open"
    emit(as_json, info.to_json(), lambda: console.print(f"joining is {said}"))


@organizer_app.command("replace-link")
def replace_link(
    token: TokenArg, at: AtOpt = None, db: DbOpt = None, as_json: JsonOpt = False
) -> None:
    """A new organizer link; the one given stops working now.

    Example: soulmark organizer replace-link o_…
    """
    with opened(db) as store:
        done = world_admin.replace_organizer_link(
            store, token=token, base_url=base_url(), at=now_or(at)
        )
    emit(as_json, done.to_json(), lambda: console.print(done.organizer_url, markup=False))


@organizer_app.command("link")
def make_link(
    token: TokenArg,
    name: Annotated[str, typer.Argument(help="Who the link is for, as the log names it.")],
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a named co-organizer link (with the world's own organizer token only).

    Example: soulmark organizer link o_… "Mr Tanaka"
    """
    with opened(db) as store:
        done = co_organizers.make_link(
            store, token=token, name=name, at=now_or(at), base_url=base_url()
        )
    emit(as_json, done.to_json(), lambda: console.print(done.organizer_url, markup=False))


@organizer_app.command("revoke-link")
def revoke_link(
    token: TokenArg,
    link: Annotated[str, typer.Argument(help="The link id (l_…) from `organizer links`.")],
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a co-organizer link: it opens nothing from now on.

    Example: soulmark organizer revoke-link o_… l_…
    """
    with opened(db) as store:
        done = co_organizers.revoke_link(store, token=token, link=link, at=now_or(at))
    emit(as_json, done.to_json(), lambda: console.print(f"revoked {link}", markup=False))


@organizer_app.command("links")
def links(token: TokenArg, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """The world's co-organizer links, working and revoked.

    Example: soulmark organizer links o_…
    """
    with opened(db) as store:
        found = co_organizers.organizer_links(store, token=token)

    def show() -> None:
        for entry in found.links:
            state = f"revoked {entry['revoked']}" if entry["revoked"] else "working"
            console.print(f"{entry['link']}  {entry['name']}  ({state})", markup=False)

    emit(as_json, found.to_json(), show)


@organizer_app.command("log")
def log(token: TokenArg, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """What organizers did, newest first: which link, what, and when (never whom).

    Example: soulmark organizer log o_…
    """
    with opened(db) as store:
        found = co_organizers.action_log(store, token=token)

    def show() -> None:
        for a in found.actions:
            console.print(f"{a['at']}  {a['actor']}  {a['action']}", markup=False)

    emit(as_json, found.to_json(), show)


@organizer_app.command("reports")
def list_reports(token: TokenArg, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Names bearers reported after the draw, with report ids (never who reported).

    Example: soulmark organizer reports o_…
    """
    with opened(db) as store:
        found = reports.reports(store, token=token)

    def show() -> None:
        for r in found.reports:
            gone = " (removed)" if r["removed"] else ""
            console.print(f"{r['report']}  {r['name']}{gone}", markup=False)

    emit(as_json, found.to_json(), show)


@organizer_app.command("remove-reported")
def remove_reported(
    token: TokenArg,
    report: Annotated[str, typer.Argument(help="The report id (n_…) from `organizer reports`.")],
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove the person a report names: their contact is never passed; marks stay.

    Example: soulmark organizer remove-reported o_… n_…
    """
    with opened(db) as store:
        done = reports.remove_reported(store, token=token, report=report, at=now_or(at))
    emit(as_json, done.to_json(), lambda: console.print(f"removed ({done.report})"))


@organizer_app.command("slips")
def list_slips(
    token: TokenArg,
    make: Annotated[int, typer.Option(help="Make this many new join slips first.")] = 0,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The unused join slips of a class sheet (school mode, no email), one code a line.

    Example: soulmark organizer slips o_… --make 30
    """
    with opened(db) as store:
        if make:
            found = slips.make_slips(store, token=token, count=make, at=now_or(at))
        else:
            found = slips.slips(store, token=token)

    def show() -> None:
        for entry in found.slips:
            console.print(entry["code"], markup=False)
        console.print(f"({found.used} used)")

    emit(as_json, found.to_json(), show)

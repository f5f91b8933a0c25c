"""The participant's and organizer's commands: each opens the store and calls one service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from soulmark import services
from soulmark.cli.bulk import bulk_join
from soulmark.cli.common import (
    AtOpt,
    BeaconOpt,
    DbOpt,
    JoinsCloseOpt,
    JsonOpt,
    RelayOpt,
    WindowEndOpt,
    WindowStartOpt,
    base_url,
    clean_errors,
    config,
    console,
    emit,
    fail,
    now_or,
    opened,
)
from soulmark.core.beacon import parse_spec
from soulmark.core.errors import SoulmarkError
from soulmark.core.times import in_zone, parse_iso
from soulmark.services import organizer
from soulmark.services.audit import AuditReport, audit_report
from soulmark.services.world_opening import WorldAsked, WorldOpened, open_world

ZoneOpt = Annotated[
    str | None,
    typer.Option(
        metavar="IANA",
        help="The world's zone: dates and times without an offset "
        "are in it, and the CLI speaks it (default UTC).",
    ),
]


world_app = typer.Typer(help="Open and inspect worlds.", no_args_is_help=True)


SealAtOpt = Annotated[
    str | None,
    typer.Option(
        metavar="ISO",
        help="Draw fate on its own at this moment (in the world's zone); the organizer "
        "page can change or clear it until then.",
    ),
]
OrganizerEmailOpt = Annotated[
    str | None,
    typer.Option(metavar="EMAIL", help="Mail the organizer's links to this address."),
]


@world_app.command("create")
def world_create(
    name: Annotated[str, typer.Argument(help="The world's name, e.g. 'Class of 2027'.")],
    window_start: WindowStartOpt,
    window_end: WindowEndOpt,
    slug: Annotated[str | None, typer.Option(help="Short id used in links.")] = None,
    email_domain: Annotated[str | None, typer.Option(help="Only this domain may join.")] = None,
    beacon: BeaconOpt = None,
    joins_close: JoinsCloseOpt = None,
    relay: RelayOpt = None,
    time_zone: ZoneOpt = None,
    seal_at: SealAtOpt = None,
    organizer_email: OrganizerEmailOpt = None,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open a world and publish the commitment to its fate.

    Example: soulmark world create "Class of 2027" --window-start 2026-09-01 --window-end 2027-06-30
    """
    asked = WorldAsked(
        name=name,
        window_start=window_start,
        window_end=window_end,
        time_zone=time_zone,
        email_domain=email_domain,
        beacon=beacon,
        joins_close=joins_close,
        slug=slug,
        organizer_email=organizer_email,
        seal_at=seal_at,
    )
    relays = relay or config().beacon_relays
    with opened(db) as store:
        made = open_world(store, asked, at=now_or(at), base_url=base_url(), relays=relays)
    emit(as_json, made.to_json(), lambda: _show_created(made))


def window_line(start: str, end: str, tz: str | None) -> str:
    return f"Window: {in_zone(start, tz)} → {in_zone(end, tz)}"


def _show_created(opened: WorldOpened) -> None:
    made = opened.created
    console.print(f"World [bold]{made.name}[/bold] is open as [cyan]{made.world}[/cyan].")
    console.print(window_line(made.window_start, made.window_end, made.time_zone))
    console.print(f"Fate commitment (round 1): {made.commitment}")
    if made.beacon:
        b = made.beacon
        console.print(
            f"Fate waits for drand {b['chain']} round {b['round']} ({b['published_at']}): "
            "joins after that moment wait for the next round."
        )
    if opened.seal_at:
        console.print(
            f"Fate will be drawn on its own at {in_zone(opened.seal_at, made.time_zone)}."
        )
    console.print(f"Share this join link: {opened.join_url}")
    console.print(f"Your organizer link (keep it secret): {opened.organizer_url}")
    if opened.mailed_to:
        console.print(f"Your links were mailed to {opened.mailed_to}.")


@world_app.command("show")
def world_show(
    world: Annotated[str, typer.Argument(help="The world's slug.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a world's public face: window, commitment, rounds.

    Example: soulmark world show class-of-2027-ab12
    """
    with opened(db) as store:
        info = services.world_info(store, slug=world)

    def human() -> None:
        console.print(f"[bold]{info.name}[/bold] ({info.world})")
        console.print(window_line(info.window_start, info.window_end, info.time_zone))
        console.print(f"Commitment for round {info.open_round}: {info.commitment}")
        table = Table("round", "people", "pairs", "sealed at")
        for r in info.rounds:
            table.add_row(
                str(r["round"]), str(r["people"]), str(r["pairs"] or "-"), r["sealed_at"] or "open"
            )
        console.print(table)

    emit(as_json, info.to_json(), human)


@world_app.command("window")
def world_window(
    organizer_token: Annotated[str, typer.Argument(help="The world's organizer token.")],
    window_start: WindowStartOpt,
    window_end: WindowEndOpt,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give the open round a new window, when too little of the old one is left to seal.

    The open round gets a fresh commitment; sealed rounds keep theirs.
    Example: soulmark world window o_… --window-start 2027-09-01 --window-end 2028-06-30
    """
    with opened(db) as store:
        info = organizer.organizer_window(
            store,
            token=organizer_token,
            window_start=window_start,
            window_end=window_end,
            at=now_or(at),
        )

    def human() -> None:
        console.print(f"Round {info.open_round} of {info.world} now has its own window:")
        console.print(window_line(info.window_start, info.window_end, info.time_zone))
        console.print(f"Fate commitment (round {info.open_round}): {info.commitment}")

    emit(as_json, info.to_json(), human)


def join(
    world: Annotated[str, typer.Argument(help="The world's slug.")],
    name: Annotated[
        str | None, typer.Option(help="Your name as it will be written on a wrist.")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Where notices reach you.")] = None,
    from_csv: Annotated[
        Path | None,
        typer.Option(
            help="Organizers: join every row of a name,email CSV; an optional group column "
            "(a household) keeps people of the same group from being paired."
        ),
    ] = None,
    tokens_out: Annotated[
        Path | None, typer.Option(help="With --from-csv: write email,token here to mail out.")
    ] = None,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Join a world's open round (or bulk-join a CSV with --from-csv).

    Example: soulmark join class-of-2027-ab12 --name "Bakugou Katsuki" --email k@example.org
    """
    if from_csv is not None:
        bulk_join(world, from_csv, tokens_out, now_or(at), db, as_json)
        return
    if name is None or email is None:
        fail("give --name and --email (or --from-csv FILE)", code=2)
    with opened(db) as store:
        joined = services.join(
            store, world=world, name=name, email=email, at=now_or(at), base_url=base_url()
        )

    emit(as_json, joined.to_json(), lambda: _show_joined(joined))


def _show_joined(joined: services.Joined) -> None:
    console.print("This is how your name will be written on your soulmate's wrist:")
    console.print(f"\n    [bold]{joined.name}[/bold]\n")
    console.print(f"Your opaque id: {joined.person} — {joined.note}.")
    if joined.commitment:
        # B1: the transcript of this round must audit against it (soulmark audit --commitment).
        console.print(f"Your round's commitment (keep it to audit fate): {joined.commitment}")
    console.print(f"Your private wrist token (only you should see it): {joined.token}")


def seal(
    world: Annotated[str, typer.Argument(help="The world's slug.")],
    round: Annotated[
        int | None, typer.Option(help="Round to seal (default: the open one).")
    ] = None,
    beacon_signature: Annotated[
        str | None, typer.Option(metavar="HEX", help="The awaited drand round's signature.")
    ] = None,
    next_beacon: Annotated[
        str | None,
        typer.Option(metavar="quicknet:ROUND", help="The beacon the next round will wait for."),
    ] = None,
    relay: RelayOpt = None,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Seal fate for a round: freeze its roster, reveal the seed, publish the transcript.

    Sealing a sealed round changes nothing and reports it again.
    Example: soulmark seal class-of-2027-ab12 --beacon-signature b75c69d0…
    """
    try:
        upcoming = parse_spec(next_beacon, parse_moment=parse_iso) if next_beacon else None
    except SoulmarkError as exc:
        fail(str(exc))
    with opened(db) as store:
        done = services.seal(
            store,
            world=world,
            at=now_or(at),
            round=round,
            beacon_signature=beacon_signature,
            next_beacon=upcoming,
            relays=relay or config().beacon_relays,
        )

    emit(as_json, done.to_json(), lambda: _show_sealed(done))


def _show_sealed(done: services.Sealed) -> None:
    verb = "was already sealed" if done.already else "is sealed"
    console.print(
        f"Round {done.round} of {done.world} {verb}: {done.people} people, "
        f"{done.pairs} pairs, {done.unmatched} waiting for the next round."
    )
    console.print(f"Seed: {done.seed}")
    if done.attempts > 1:
        console.print(f"Fate drew {done.attempts} times to avoid every exclusion.")


def transcript(
    world: Annotated[str, typer.Argument(help="The world's slug.")],
    round: Annotated[int | None, typer.Option(help="Round (default: latest sealed).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a sealed round's transcript (JSON) for anyone to audit.

    Example: soulmark transcript class-of-2027-ab12 -o round1.json
    """
    with opened(db) as store:
        text = services.transcript_text(store, world=world, round=round)
    if out is None:
        print(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    emit(as_json, {"written": str(out)}, lambda: console.print(f"Transcript written to {out}"))


def audit_file(
    file: Annotated[Path, typer.Argument(help="A transcript file, or - for stdin.")],
    person: Annotated[str | None, typer.Option(help="Also show this opaque id's line.")] = None,
    commitment: Annotated[
        str | None, typer.Option(help="The commitment published when the round opened.")
    ] = None,
    salt: Annotated[
        str | None, typer.Option(help="Your receipt's salt for a never-with entry (--person).")
    ] = None,
    named: Annotated[
        str | None, typer.Option(help="The address that entry named (with --salt).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-run fate from a transcript (a round's or a planet's) and report every mismatch.

    Example: soulmark audit round1.json --person 3f9a0c1d2b4e5f60
    """
    if (salt is None) != (named is None):
        fail("--salt and --named go together: your receipt's salt and the address you named")
    receipt = (salt, named) if salt is not None and named is not None else None
    try:
        raw = typer.get_text_stream("stdin").read() if str(file) == "-" else file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    with clean_errors():
        report = audit_report(raw, commitment=commitment, person=person, receipt=receipt)
    emit(as_json, report.to_json(), lambda: _show_audit(report))
    if not report.ok:
        raise typer.Exit(1)


def _show_audit(report: AuditReport) -> None:
    for m in report.mismatches:
        console.print(f"[red]mismatch[/red] {m.field}: {m.message}")
    if report.ok:
        console.print(
            f"[green]verified[/green]: round {report.round} of {report.world}, "
            f"{report.people} ids, {report.pairs} pairs recomputed from the transcript."
        )
    if report.ok and not report.commitment_checked:
        console.print(
            "[yellow]no commitment was checked[/yellow]: the transcript agrees with itself, "
            "but a re-draw with a new secret would too. Give --commitment with the one "
            "published when the round opened."
        )
    if report.ok and report.kind == "round" and not report.beacon:
        console.print(
            "[yellow]no public beacon[/yellow]: this draw is only as trustworthy as its "
            "organizer, who knew the secret while people joined."
        )
    if report.line:
        console.print(f"Your line: {json.dumps(report.line, ensure_ascii=False)}")

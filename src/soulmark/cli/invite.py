"""``soulmark invite WORLD --from-csv FILE``: mail each address a one-time link to join."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from soulmark import services
from soulmark.cli.common import (
    AtOpt,
    DbOpt,
    JsonOpt,
    base_url,
    config,
    console,
    emit,
    fail,
    now_or,
    opened,
)
from soulmark.core.times import DAY
from soulmark.i18n import pick
from soulmark.services.invites import INVITE_TTL, read_invitees

__all__ = ["invite"]


def invite(
    world: Annotated[str, typer.Argument(help="The world's slug.")],
    from_csv: Annotated[
        Path,
        typer.Option(
            help="A CSV with an email column (name and group optional): each address is mailed "
            "its own link to join, valid seven days, used once."
        ),
    ],
    lang: Annotated[str | None, typer.Option(help="The invitations' language (en, ja).")] = None,
    inviter: Annotated[
        str | None, typer.Option(help='Your name, as the mails say who invites ("Ms Sato").')
    ] = None,
    at: AtOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Invite people by mail; you never see a key to their wrists.

    Example: soulmark invite class-of-2027-ab12 --from-csv class.csv
    """
    try:
        text = from_csv.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {from_csv}: {getattr(exc, 'strerror', None) or exc}")
    with opened(db) as store:
        done = services.invite(
            store,
            world=world,
            invitees=read_invitees(text),
            at=now_or(at),
            base_url=base_url(),
            lang=pick(lang),
            quotas=config().quotas,
            inviter=inviter,
        )

    emit(as_json, done.to_json(), lambda: _show(done))


def _show(done: services.Invited) -> None:
    days = INVITE_TTL // DAY
    console.print(
        f"{done.sent} invitations queued for {done.world} (each link works once, {days} days)."
    )
    if done.skipped:
        console.print(f"{done.skipped} skipped: already joined, or already holding invitations.")
    if done.suppressed:
        console.print(
            f"{done.suppressed} not sent: their address refused mail before or unsubscribed."
        )

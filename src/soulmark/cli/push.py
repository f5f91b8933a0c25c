"""``soulmark push keys``: the instance's VAPID key pair, made once (docs/push.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from soulmark.cli.common import JsonOpt, config, console, emit, fail
from soulmark.core.errors import SoulmarkError
from soulmark.push.keys import default_key_path, ensure_keys

__all__ = ["push_app"]

push_app = typer.Typer(help="Web Push: the key pushes are signed with.", no_args_is_help=True)


@push_app.command("keys")
def keys(as_json: JsonOpt = False) -> None:
    """Make the instance's VAPID key pair if it has none, and print its public half.

    The file (SOULMARK_PUSH_KEY, else vapid-private.pem in the data folder) is never
    replaced: every subscribed browser holds its public key.
    Example: soulmark push keys --json
    """
    path = Path(config().push_key or default_key_path())
    try:
        made = ensure_keys(path)
    except SoulmarkError as exc:
        fail(str(exc))
    data = {"path": str(made.path), "public_key": made.public_key, "made": made.made}
    said = "made" if made.made else "kept"

    def show() -> None:
        console.print(f"push key {said}: {made.path}")
        console.print(f"public key: {made.public_key}", soft_wrap=True)

    emit(as_json, data, show)

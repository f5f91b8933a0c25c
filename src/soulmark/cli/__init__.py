"""The ``soulmark`` command line: a thin client of :mod:`soulmark.services`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

# typer (pinned) vendors click; its usage errors are caught here to print one line.
from typer._click import exceptions as click_exc

from soulmark import __version__
from soulmark.cli import commands, lifecycle, wrist
from soulmark.cli.backup import backup, restore
from soulmark.cli.demo import demo
from soulmark.cli.exclude import exclude
from soulmark.cli.invite import invite
from soulmark.cli.migrate import migrate
from soulmark.cli.organize import organizer_app
from soulmark.cli.push import push_app
from soulmark.cli.serve import serve, worker
from soulmark.cli.show_config import show_config
from soulmark.planet.cli import planet_command

__all__ = ["app", "main"]

app = typer.Typer(
    name="soulmark",
    help="soulmark: the soulmate mark, made real. Worlds, fate rounds, wrists.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(show: bool) -> None:
    if show:
        typer.echo(f"soulmark {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """soulmark: the soulmate mark, made real. Worlds, fate rounds, wrists."""


app.add_typer(commands.world_app, name="world")
app.add_typer(organizer_app, name="organizer")
app.command("join")(commands.join)
app.command("seal")(commands.seal)
app.command("invite")(invite)
app.command("wrist")(wrist.wrist)
app.command("look")(wrist.look)
app.command("reach-out")(wrist.reach_out)
app.command("rename")(wrist.rename)
app.command("exclude")(exclude)
app.command("transcript")(commands.transcript)
app.command("audit")(commands.audit_file)
app.command("demo")(demo)
app.command("export")(lifecycle.export)
app.command("leave")(lifecycle.leave)
app.command("purge")(lifecycle.purge)
commands.world_app.command("retain")(lifecycle.retain)
app.command("serve")(serve)
app.command("backup")(backup)
app.command("restore")(restore)
app.command("migrate")(migrate)
app.command("worker")(worker)
app.command("config")(show_config)
app.add_typer(push_app, name="push")
app.command("planet")(planet_command)


def main() -> None:
    """Entry point: usage errors become one line on stderr, exit 2, no traceback."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        sys.stderr.write("aborted\n")
        sys.exit(130)
    except click_exc.ClickException as exc:
        sys.stderr.write(f"error: {exc.format_message()}\n")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    if isinstance(code, int):
        sys.exit(code)

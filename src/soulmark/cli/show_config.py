"""``soulmark config``: the settings in effect, as this process reads them, secrets masked."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from soulmark.cli.common import JsonOpt, config, console, emit
from soulmark.settings.reference import Shown, effective, reference

__all__ = ["show_config"]

ReferenceOpt = Annotated[
    bool,
    typer.Option("--reference", help="Print the settings reference (docs/settings.md) instead."),
]


def _table(shown: list[Shown]) -> Table:
    table = Table("variable", "value", "from", title="soulmark settings in effect")
    for one in shown:
        table.add_row(one.variable, one.text, "environment" if one.from_environment else "default")
    return table


def show_config(as_json: JsonOpt = False, as_reference: ReferenceOpt = False) -> None:
    """Print the settings in effect (from the SOULMARK_* environment), secrets masked.

    Example: soulmark config --json
    """
    if as_reference:
        sys.stdout.write(reference())
        return
    shown = effective(config())
    data = {
        "settings": {one.variable: one.value for one in shown},
        "from_environment": [one.variable for one in shown if one.from_environment],
    }
    emit(as_json, data, lambda: console.print(_table(shown)))

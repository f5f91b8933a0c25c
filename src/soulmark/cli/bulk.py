"""``soulmark join WORLD --from-csv FILE``: streaming intake with a progress bar."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rich.progress import wrap_file

from soulmark.cli.common import console, emit, fail, opened
from soulmark.services.intake import join_csv

__all__ = ["bulk_join"]


def bulk_join(
    world: str, source: Path, tokens_out: Path | None, at: int, db: str | None, as_json: bool
) -> None:
    try:
        size = source.stat().st_size
        raw = source.open("rb")
        out = tokens_out.open("x", newline="", encoding="utf-8") if tokens_out else None
    except OSError as exc:
        fail(f"cannot open {exc.filename}: {exc.strerror}")
    writer = csv.writer(out) if out else None
    if writer:
        writer.writerow(["email", "token"])

    def keep(pairs: list[tuple[str, str]]) -> None:
        if writer and out:
            writer.writerows(pairs)
            out.flush()

    progress = wrap_file(raw, size, description="joining", console=console, transient=as_json)
    with raw, opened(db) as store, progress as f:
        text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
        report = join_csv(store, world=world, source=text, at=at, on_joined=keep)
    if out:
        out.close()

    def human() -> None:
        console.print(f"{report.joined} joined round {report.round} of {world}.")
        for e in report.errors[:50]:
            console.print(f"[red]line {e.line}[/red]: {e.message}")
        if len(report.errors) > 50:
            console.print(f"… and {len(report.errors) - 50} more rejected rows")
        if not tokens_out:
            console.print("Wrist tokens were not kept; use --tokens-out FILE to mail them out.")

    emit(as_json, report.to_json(), human)

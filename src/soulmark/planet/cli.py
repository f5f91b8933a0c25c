"""The ``soulmark planet`` command (B4).

Mount it with ``app.command("planet")(planet_command)``; ``app`` below also runs on its own
(``python -m soulmark.planet.cli --population 1e6``).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from soulmark.planet.model import PopulationModel, load_countries
from soulmark.planet.version import DEFAULT_WINDOW

__all__ = ["app", "planet_command", "parse_population"]

app = typer.Typer(add_completion=False, help="Pair and schedule a simulated planet.")


def parse_population(text: str) -> int:
    """``8e9``, ``8000000000`` or ``8_000_000_000``: an exact whole number of people."""
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        raise typer.BadParameter(f"not a number: {text!r}") from None
    if value != value.to_integral_value() or not 2 <= value <= 2**62:
        raise typer.BadParameter("the population must be a whole number from 2 to 2**62")
    return int(value)


def _model(school_size: int, male_share: float, countries: str) -> PopulationModel:
    try:
        return PopulationModel(school_size, male_share, load_countries(countries))
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None


def _summary(console: Console, report: dict[str, Any], out: Path) -> None:
    shares, expected = report["shares"], report["expected_shares"]
    console.print(f"{report['pairs']:,} pairs in {report['wall_seconds']} s")
    for name in ("same_school", "same_country", "same_sex"):
        label = name.replace("_", " ")
        console.print(f"  {label:<13} {shares[name]:.3e}  (uniform matching: {expected[name]:.3e})")
    console.print(f"report {out / 'report.json'} · transcript {out / 'transcript.json'}")
    console.print(f"plot {out / 'planet.png'}")


@app.command("planet")
def planet_command(
    population: Annotated[str, typer.Option(help="People on the planet, e.g. 8e9.")] = "8e9",
    out: Annotated[Path, typer.Option(help="Run directory; an existing one resumes.")] = Path(
        "planet-run"
    ),
    window_start: Annotated[str, typer.Option(help="ISO 8601, UTC.")] = DEFAULT_WINDOW[0],
    window_end: Annotated[str, typer.Option(help="ISO 8601, UTC.")] = DEFAULT_WINDOW[1],
    school_size: Annotated[int, typer.Option(min=1)] = 1000,
    male_share: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.5025,
    countries: Annotated[str, typer.Option(help="world, uniform:N or a JSON file.")] = "world",
    secret: Annotated[str | None, typer.Option(help="32-byte hex secret.")] = None,
    chunk_pairs: Annotated[int, typer.Option(min=1)] = 1 << 25,
    engine: Annotated[str, typer.Option(help="dask or local (threads).")] = "dask",
    scheduler: Annotated[str | None, typer.Option(help="tcp://HOST:PORT of a cluster.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local workers.")] = None,
    malloc_trim: Annotated[bool, typer.Option(help="Dask's MALLOC_TRIM_THRESHOLD_.")] = True,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Pair and schedule a whole planet in chunks; report how often soulmates already share a
    school or a country, the share of same-sex pairs, and the marks over the window.

    Example: soulmark planet --population 1e6 --out planet-run
    """
    report = _run_with_progress(
        out,
        quiet,
        population=parse_population(population),
        window=(window_start, window_end),
        model=_model(school_size, male_share, countries),
        secret=_secret(secret),
        chunk_pairs=chunk_pairs,
        execution=(engine, workers, scheduler, malloc_trim),
    )
    if as_json:
        typer.echo(json.dumps(report, indent=1))
    else:
        _summary(Console(), report, out)


def _secret(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise typer.BadParameter("--secret must be hex") from None
    if len(key) != 32:
        raise typer.BadParameter("--secret must be 32 bytes (64 hex digits)")
    return key


def _run_with_progress(out: Path, quiet: bool, **kwargs: Any) -> dict[str, Any]:
    """``run_planet`` under a rich progress bar; one-line errors, a resumable interrupt."""
    from soulmark.planet.run import Execution, PlanetError, run_planet  # numba: load on use

    engine, workers, scheduler, malloc_trim = kwargs.pop("execution")
    kwargs["execution"] = Execution(engine, workers, scheduler, True, malloc_trim)
    columns = (TextColumn("planet"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    progress = Progress(*columns, console=Console(stderr=True, quiet=quiet), disable=quiet)
    task = progress.add_task("chunks", total=None)
    state = {"done": 0, "total": 0}

    def tick(done: int, total: int) -> None:
        state.update(done=done, total=total)
        progress.update(task, completed=done, total=total)

    try:
        with progress:
            return run_planet(kwargs.pop("population"), out, tick=tick, **kwargs)
    except PlanetError as exc:
        raise SystemExit(f"error: {exc}") from None
    except KeyboardInterrupt:
        raise SystemExit(
            f"interrupted: {state['done']} of {state['total']} chunks are saved in {out}; "
            "run the same command again to resume"
        ) from None


if __name__ == "__main__":
    app()

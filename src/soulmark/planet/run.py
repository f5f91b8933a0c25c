"""``soulmark planet``: pair and schedule a whole planet in chunks, and say what it looks like.

A run lives in an output directory: ``run.json`` (its inputs, secret included), one
``chunks/NNNNNN.json`` per finished chunk, and at the end ``report.json``,
``transcript.json`` and ``planet.png``.  Chunk files are written atomically as results
arrive, so an interrupted run started again with the same directory computes only the
chunks it is missing.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from soulmark.core.marks import MarkParams, Window
from soulmark.core.times import iso, parse_iso
from soulmark.planet.chunk import PlanetSpec, run_chunk
from soulmark.planet.model import PopulationModel
from soulmark.planet.report import aggregate, plot
from soulmark.planet.transcript import build_transcript, planet_seed
from soulmark.planet.version import DEFAULT_WINDOW

__all__ = ["PlanetError", "Execution", "run_planet", "DEFAULT_WINDOW"]


class PlanetError(Exception):
    """A planet run that cannot start or continue; the message is for the user."""


@dataclass(frozen=True)
class Execution:
    """Where chunks run: ``"local"`` (threads in this process; the kernels release the GIL)
    or ``"dask"`` (a ``LocalCluster`` of ``workers`` processes, or ``scheduler``)."""

    engine: str = "dask"
    workers: int | None = None
    scheduler: str | None = None
    processes: bool = True
    malloc_trim: bool = True
    """Keep dask's default ``MALLOC_TRIM_THRESHOLD_`` for workers (False: glibc's own)."""
    profile: bool = False
    """Dask's statistical profiler in local workers (off: see :func:`_cluster`)."""


def _inputs(spec: PlanetSpec) -> dict[str, Any]:
    return {
        "population": spec.population,
        "window": [iso(spec.window.start), iso(spec.window.end)],
        "params": spec.params.to_json(),
        "model": spec.model.to_json(),
        "chunk_pairs": spec.chunk_pairs,
        "bins": spec.bins,
        "algorithm": f"planet-feistel-r{spec.rounds}/blake2b-v1",
    }


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _open_run(out: Path, spec: PlanetSpec, secret: bytes | None) -> tuple[PlanetSpec, bytes]:
    """Start a run in ``out`` or take up the one there; refuse a different run's directory."""
    manifest = out / "run.json"
    wanted = _inputs(spec)
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        differ = [k for k, v in wanted.items() if saved["inputs"].get(k) != v]
        if differ:
            raise PlanetError(f"{out} holds a different run ({', '.join(differ)} differ)")
        stored = bytes.fromhex(saved["secret"])
        if secret is not None and secret != stored:
            raise PlanetError(f"{out} holds a run with another secret")
        secret = stored
    else:
        secret = secret or secrets.token_bytes(32)
        (out / "chunks").mkdir(parents=True, exist_ok=True)
        _write_json(manifest, {"inputs": wanted, "secret": secret.hex()})
    return replace(spec, seed=planet_seed(secret, spec.population)), secret


def _chunk_path(out: Path, index: int) -> Path:
    return out / "chunks" / f"{index:06d}.json"


def _finished(out: Path, spec: PlanetSpec) -> dict[int, dict[str, Any]]:
    done = {}
    for index in range(spec.chunks):
        path = _chunk_path(out, index)
        if path.exists():
            done[index] = json.loads(path.read_text())
    return done


def _local(spec: PlanetSpec, pending: list[int], ex: Execution) -> Iterable[dict[str, Any]]:
    workers = ex.workers or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_chunk, spec, i) for i in pending]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def _cluster(ex: Execution) -> AbstractContextManager[Any]:
    import dask
    from distributed import LocalCluster

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    if not ex.malloc_trim:
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    # A chunk is one long numba call: the worker's 10 ms stack sampler has nothing to show
    # for it and costs CPU next to it.
    config = {
        "distributed.nanny.pre-spawn-environ": environ,
        "distributed.worker.profile.enabled": ex.profile,
    }
    with dask.config.set(config):
        return LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=ex.workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=ex.processes,
            dashboard_address=None,
        )


def _dask(spec: PlanetSpec, pending: list[int], ex: Execution) -> Iterable[dict[str, Any]]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    cluster = nullcontext(ex.scheduler) if ex.scheduler else _cluster(ex)
    with cluster as address, Client(address) as client:  # type: ignore[no-untyped-call]
        futures = client.map(run_chunk, [spec] * len(pending), pending, pure=False)
        try:
            for future in dask_completed(futures):  # type: ignore[no-untyped-call]
                yield future.result()
        finally:
            client.cancel(futures)


def _execute(
    out: Path, spec: PlanetSpec, ex: Execution, tick: Callable[[int, int], None]
) -> dict[int, dict[str, Any]]:
    done = _finished(out, spec)
    tick(len(done), spec.chunks)
    pending = [i for i in range(spec.chunks) if i not in done]
    if pending:
        runner = {"local": _local, "dask": _dask}.get(ex.engine)
        if runner is None:
            raise PlanetError(f"unknown engine {ex.engine!r} (local or dask)")
        for result in runner(spec, pending, ex):
            _write_json(_chunk_path(out, result["index"]), result)
            done[result["index"]] = result
            tick(len(done), spec.chunks)
    return done


def _spec(
    population: int,
    window: tuple[str, str],
    params: MarkParams | None,
    model: PopulationModel | None,
    chunk_pairs: int,
    bins: int,
) -> PlanetSpec:
    """The run's inputs, checked; the seed is filled in once the secret is known."""
    if population < 2:
        raise PlanetError("a planet needs at least two people")
    if chunk_pairs < 1 or bins < 1:
        raise PlanetError("chunk_pairs and bins must be positive")
    try:
        return PlanetSpec(
            seed=bytes(32),
            population=population,
            window=Window(parse_iso(window[0]), parse_iso(window[1])),
            params=params or MarkParams(),
            model=model or PopulationModel(),
            chunk_pairs=chunk_pairs,
            bins=bins,
        )
    except ValueError as exc:
        raise PlanetError(str(exc)) from None


def run_planet(
    population: int,
    out: Path,
    *,
    window: tuple[str, str] = DEFAULT_WINDOW,
    params: MarkParams | None = None,
    model: PopulationModel | None = None,
    secret: bytes | None = None,
    chunk_pairs: int = 1 << 25,
    bins: int = 120,
    execution: Execution | None = None,
    tick: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run (or resume) a planet in ``out``; returns the report, also written to disk.

    ``tick(done, total)`` is called as chunks finish (for a progress bar)."""
    began = time.perf_counter()
    spec = _spec(population, window, params, model, chunk_pairs, bins)
    out.mkdir(parents=True, exist_ok=True)
    spec, secret = _open_run(out, spec, secret)
    results = _execute(out, spec, execution or Execution(), tick or (lambda done, total: None))
    ordered = [results[i] for i in range(spec.chunks)]
    transcript = build_transcript(
        spec, secret, [r["digest"] for r in ordered], ordered[-1]["unmatched"]
    )
    report = aggregate(spec, ordered)
    report.update(wall_seconds=round(time.perf_counter() - began, 3))
    _write_json(out / "transcript.json", transcript)
    _write_json(out / "report.json", report)
    plot(report, out / "planet.png")
    return report

"""What a planet looks like: sums over chunks, the shares a uniform matching predicts, a plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from soulmark.core.marks import scaled
from soulmark.core.times import HOUR, iso
from soulmark.planet.chunk import PlanetSpec

__all__ = ["aggregate", "expected_shares", "plot"]

_SUMMED = ("pairs", "same_school", "same_country", "same_sex", "male_male", "female_female")


def _pair_share(sizes: np.ndarray, n: int) -> float:
    """Chance that a uniformly random partner is in one's own group, averaged over people."""
    sizes = sizes.astype(np.float64)
    return float((sizes * (sizes - 1)).sum() / (n * (n - 1.0)))


def expected_shares(spec: PlanetSpec) -> dict[str, float]:
    """The shares a uniformly random perfect matching gives this population model."""
    n, size = spec.population, spec.model.school_size
    schools = np.full(n // size, size, dtype=np.int64)
    if n % size:
        schools = np.append(schools, n % size)
    males = spec.model.male_share * n
    return {
        "same_school": _pair_share(schools, n),
        "same_country": _pair_share(np.diff(spec.model.country_bounds(n)), n),
        "same_sex": _pair_share(np.array([males, n - males]), n),
    }


def aggregate(spec: PlanetSpec, chunks: list[dict[str, Any]]) -> dict[str, Any]:
    totals = {f: sum(int(c[f]) for c in chunks) for f in _SUMMED}
    pairs = max(1, totals["pairs"])
    p = scaled(spec.params, spec.window)
    edges = np.linspace(spec.window.start, spec.window.end, spec.bins + 1).astype(np.int64)
    return {
        "format": "soulmark-planet-report",
        "version": 1,
        "population": spec.population,
        "pairs": totals["pairs"],
        "unmatched": chunks[-1]["unmatched"],
        "algorithm": f"planet-feistel-r{spec.rounds}/blake2b-v1",
        "window": [iso(spec.window.start), iso(spec.window.end)],
        "model": spec.model.to_json(),
        "counts": totals,
        "shares": {f: totals[f] / pairs for f in _SUMMED[1:]},
        "expected_shares": expected_shares(spec),
        "marks": {
            "violations": sum(int(c["violations"]) for c in chunks),
            "same_day_hours": p.same_day / HOUR,
            "max_legible_gap_hours": max(int(c["max_legible_gap"]) for c in chunks) / HOUR,
            "itch_lead_hours": [
                min(int(c["min_itch_lead"]) for c in chunks) / HOUR,
                max(int(c["max_itch_lead"]) for c in chunks) / HOUR,
            ],
            "bin_edges": [iso(int(e)) for e in edges],
            "legible": np.sum([c["hist_legible"] for c in chunks], axis=0).tolist(),
            "itch": np.sum([c["hist_itch"] for c in chunks], axis=0).tolist(),
        },
        "chunks": spec.chunks,
        "chunk_pairs": spec.chunk_pairs,
        "compute_seconds": round(sum(float(c["seconds"]) for c in chunks), 3),
    }


def plot(report: dict[str, Any], path: Path) -> None:
    """Marks over the window and the shares against a uniform matching's, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    marks = report["marks"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), layout="constrained")
    edges = np.array([np.datetime64(e.rstrip("Z")) for e in marks["bin_edges"]])
    top.stairs(marks["legible"], edges, label="names legible", fill=True, alpha=0.5)
    top.stairs(marks["itch"], edges, label="itches start")
    top.set_title(f"{report['population']:,} people, {report['pairs']:,} pairs: mark moments")
    top.set_ylabel("people per bin")
    top.legend()
    names = ["same_school", "same_country", "same_sex"]
    x = np.arange(len(names))
    top_shares = [max(report["shares"][k], 1e-12) for k in names]
    bottom.bar(x - 0.2, top_shares, 0.4, label="observed")
    bottom.bar(x + 0.2, [report["expected_shares"][k] for k in names], 0.4, label="uniform")
    bottom.set_xticks(x, [n.replace("_", " ") for n in names])
    bottom.set_yscale("log")
    bottom.set_ylabel("share of pairs")
    bottom.legend()
    fig.savefig(path, dpi=100)
    plt.close(fig)

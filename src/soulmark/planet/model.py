"""A simple planet: who goes to which school, lives in which country, and their sex.

Nothing is stored per person; every attribute is a function of the person's index:

* Countries are contiguous index ranges in proportion to their weights, cut on school
  boundaries so a school never straddles a border.
* ``school(i) = i // school_size``: people of one school are consecutive indices.  Fate does
  not see indices as neighbours (the permutation is keyed), so this costs no generality.
* Sex is a keyed hash: ``male(i) = mix32(lo32(i) ^ hi32(i) * 0x9E3779B9 ^ K) < T`` (mod 2^32,
  ``mix32`` as in :mod:`soulmark.planet.engine`) with ``T = round(male_share * 2^32)`` and
  ``K`` the first u32 of ``BLAKE2b(key=seed, person=b"planet/model")``, so it is independent
  of the index ranges above and of fate.  32 bits: it vectorises twice as wide as 64.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["PopulationModel", "WORLD_COUNTRIES", "load_countries"]

# Shares of the world's population, UN World Population Prospects 2024 (rounded); the
# remainder is spread evenly over 175 smaller countries.
WORLD_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("India", 17.8),
    ("China", 17.6),
    ("United States", 4.2),
    ("Indonesia", 3.5),
    ("Pakistan", 3.1),
    ("Nigeria", 2.8),
    ("Brazil", 2.6),
    ("Bangladesh", 2.2),
    ("Russia", 1.8),
    ("Ethiopia", 1.6),
    ("Mexico", 1.6),
    ("Japan", 1.5),
    ("Egypt", 1.4),
    ("Philippines", 1.4),
    ("DR Congo", 1.3),
    ("Vietnam", 1.2),
    ("Iran", 1.1),
    ("Turkey", 1.1),
    ("Germany", 1.0),
    ("Thailand", 0.9),
) + tuple((f"country-{i:03d}", (100.0 - 69.9) / 175) for i in range(175))


def load_countries(spec: str) -> tuple[tuple[str, float], ...]:
    """``world`` (the table above), ``uniform:N``, or a JSON file of ``{name: weight}``."""
    if spec == "world":
        return WORLD_COUNTRIES
    if spec.startswith("uniform:"):
        count = int(spec.split(":", 1)[1])
        if count < 1:
            raise ValueError("uniform:N needs N >= 1")
        return tuple((f"country-{i:03d}", 1.0) for i in range(count))
    data = json.loads(Path(spec).read_text())
    if not isinstance(data, dict) or not data:
        raise ValueError("a countries file must be a non-empty JSON object of name: weight")
    return tuple((str(k), float(v)) for k, v in data.items())


@dataclass(frozen=True)
class PopulationModel:
    school_size: int = 1000
    male_share: float = 0.5025
    """101 boys per 100 girls, roughly the world's sex ratio at school age."""
    countries: tuple[tuple[str, float], ...] = field(default=WORLD_COUNTRIES)

    def __post_init__(self) -> None:
        if self.school_size < 1:
            raise ValueError("a school needs at least one pupil")
        if not 0.0 <= self.male_share <= 1.0:
            raise ValueError("the male share must be between 0 and 1")
        if not self.countries or any(w < 0 for _, w in self.countries):
            raise ValueError("country weights must be non-negative")
        if sum(w for _, w in self.countries) <= 0:
            raise ValueError("country weights must not all be zero")

    def country_bounds(self, n: int) -> np.ndarray:
        """``bounds[c] <= i < bounds[c + 1]`` for people of country ``c`` (length C + 1)."""
        schools = -(-n // self.school_size)
        weights = np.array([w for _, w in self.countries], dtype=np.float64)
        cum = np.concatenate(([0.0], np.cumsum(weights) / weights.sum()))
        cuts = np.minimum(np.round(cum * schools).astype(np.int64) * self.school_size, n)
        cuts[-1] = n
        return cuts

    def male_threshold(self) -> int:
        return round(self.male_share * 2**32)

    def to_json(self) -> dict[str, object]:
        return {
            "school_size": self.school_size,
            "male_share": self.male_share,
            "countries": [[name, w] for name, w in self.countries],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PopulationModel:
        countries = tuple((str(c[0]), float(c[1])) for c in data["countries"])  # type: ignore[attr-defined]
        return cls(
            school_size=int(data["school_size"]),  # type: ignore[call-overload]
            male_share=float(data["male_share"]),  # type: ignore[arg-type]
            countries=countries,
        )

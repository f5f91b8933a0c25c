"""Planet mode: fate and marks for billions, evaluated per person, never held in memory (B4)."""

from __future__ import annotations

from soulmark.core.fate import register_algorithm
from soulmark.planet.engine import ALGORITHM, ROUNDS, PlanetFate, PlanetKey, partner

__all__ = ["ALGORITHM", "ROUNDS", "PlanetFate", "PlanetKey", "partner"]

register_algorithm(PlanetFate())

"""Planet mode: fate and marks for billions, evaluated per person, never held in memory (B4).

Importing the package registers the planet engine with :mod:`soulmark.core.fate` for rosters
of ``MIN_ROSTER`` and more: the services import it, the core knows no engine but its own.
The engine itself (numba, compiled kernels) loads on first use, so commands that never touch
a planet do not pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soulmark.core.fate import register_algorithm
from soulmark.planet.version import ALGORITHM, MIN_ROSTER, ROUNDS

__all__ = ["ALGORITHM", "ROUNDS", "PlanetFate", "PlanetKey", "partner"]


class _Registered:
    """Stands in the core's registry for :class:`~soulmark.planet.engine.PlanetFate`."""

    version = ALGORITHM

    def order(self, seed: bytes, n: int) -> Sequence[int]:
        from soulmark.planet.engine import PlanetFate

        return PlanetFate(ROUNDS).order(seed, n)  # type: ignore[return-value]


register_algorithm(_Registered(), min_roster=MIN_ROSTER)


def __getattr__(name: str) -> Any:
    if name in ("PlanetFate", "PlanetKey", "partner"):
        from soulmark.planet import engine

        return getattr(engine, name)
    raise AttributeError(name)

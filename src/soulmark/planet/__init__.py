"""Planet mode: fate and marks for billions, evaluated per person, never held in memory (B4).

:func:`fate_engines` gives the core's engines with the planet engine for rosters of
``MIN_ROSTER`` and more: the services hand them to every seal and audit, and the core knows no
engine but its own.  Importing the package changes nothing anywhere.
The engine itself (numba, compiled kernels) loads on first use, so commands that never touch
a planet do not pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soulmark.core.fate import CORE_ENGINES, Engines
from soulmark.planet.version import ALGORITHM, MIN_ROSTER, ROUNDS

__all__ = ["ALGORITHM", "ROUNDS", "PlanetFate", "PlanetKey", "fate_engines", "partner"]


class _Planet:
    """Stands among the engines for :class:`~soulmark.planet.engine.PlanetFate` (loaded when
    it first draws)."""

    version = ALGORITHM

    def order(self, seed: bytes, n: int) -> Sequence[int]:
        from soulmark.planet.engine import PlanetFate

        return PlanetFate(ROUNDS).order(seed, n)  # type: ignore[return-value]


_ENGINES = CORE_ENGINES.with_engine(_Planet(), min_roster=MIN_ROSTER)


def fate_engines() -> Engines:
    """What soulmark seals and audits with: the exact shuffle, and the planet engine for
    rosters of ``MIN_ROSTER`` and more."""
    return _ENGINES


def __getattr__(name: str) -> Any:
    if name in ("PlanetFate", "PlanetKey", "partner"):
        from soulmark.planet import engine

        return getattr(engine, name)
    raise AttributeError(name)

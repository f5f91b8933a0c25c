"""The planet engine's name, importable without numba (the CLI starts faster)."""

from __future__ import annotations

ROUNDS = 12
"""Chosen by tests/planet/test_planet_uniformity.py (chi-square z over seeds 0, 1, ...): on
30 people and 300,000 seeds 4 rounds give z = 423 and 8 rounds z = 10.6 (the joint law of
two people's partners), 12 rounds |z| < 2; at n = 2^20 and 100,000 seeds 4 rounds give z = 128
(the pair's low Feistel part) and 12 rounds |z| < 1.2.  10 rounds passed at 10^6 seeds on 30
people; 12 keep a margin of two rounds over that."""

FORMAT = "soulmark-planet-transcript"
VERSION = 1
"""The planet transcript's format and version (docs/fate.md)."""

ALGORITHM = f"planet-feistel-r{ROUNDS}/blake2b-v1"
MIN_ROSTER = 1 << 20
"""Round rosters this large are drawn by the planet engine (soulmark.planet.fate_engines)."""
DEFAULT_WINDOW = ("2027-09-01T00:00:00Z", "2039-07-01T00:00:00Z")
"""Twelve school years."""

"""B4 / R3: the planet engine's matching is uniform, and the round count is chosen by test.

The two slots of a pair differ in one bit of the part the last Feistel round XORs, so the
first inverse round cannot tell them apart and too few rounds leave structure behind.  These
tests show it: with 4 rounds the structure is gross, with 8 it still shows on 30 people, and
with the engine's ``ROUNDS`` nothing does.  Keys are derived exactly as the engine derives
them, from seeds 0, 1, 2, ...; the statistics are chi-square z-scores (about N(0, 1) when
uniform), so "uniform" means every |z| < 4.5 and "structured" means some z > 6.
"""

from __future__ import annotations

import numpy as np
import pytest

from soulmark.planet.engine import ROUNDS, PlanetKey, derive_words
from tests.planet.stats import chi_z, partners_many, round_keys

UNIFORM, STRUCTURED = 4.5, 6.0


def test_b4_fast_round_keys_are_the_engines_round_keys() -> None:
    keys = round_keys(30, ROUNDS, 3, first_seed=7)
    for s in range(3):
        seed = (7 + s).to_bytes(32, "little")
        assert keys[s].tolist() == PlanetKey.derive(seed, 30).keys.tolist()
        assert keys[s].tolist() == derive_words(seed, b"planet/feistel", 30, ROUNDS).tolist()


def _thirty_people_z(rounds: int, keys: int = 300_000) -> list[float]:
    """Who is paired with whom, who sits in which slot, and the joint law of two people's
    partners, over ``keys`` seeds."""
    n = 30
    partner, slot = partners_many(round_keys(n, rounds, keys), n, np.arange(n))
    people = np.tile(np.arange(n), keys)
    pairs = np.bincount(people * n + partner.ravel(), minlength=n * n).reshape(n, n)
    z_pairs = chi_z(pairs[np.triu_indices(n, 1)], keys / (n - 1), 435 - 30)
    slots = np.bincount(people * n + slot.ravel(), minlength=n * n)
    z_slots = chi_z(slots, np.full(n * n, keys / n), (n - 1) ** 2)
    apart = partner[:, 0] != 1
    joint = np.bincount(partner[apart, 0] * n + partner[apart, 1], minlength=n * n).reshape(n, n)
    cells = np.ones((n, n), bool)
    cells[:2], cells[:, :2] = False, False
    np.fill_diagonal(cells, False)
    z_joint = chi_z(joint[cells], np.full(cells.sum(), apart.sum() / cells.sum()), cells.sum() - 1)
    return [z_pairs, z_slots, z_joint]


@pytest.mark.parametrize("rounds", [4, 8])
def test_b4_r3_too_few_rounds_are_not_uniform_on_30_people(rounds: int) -> None:
    assert max(_thirty_people_z(rounds)) > STRUCTURED


def test_b4_r3_chosen_rounds_are_uniform_on_30_people() -> None:
    assert max(abs(z) for z in _thirty_people_z(ROUNDS)) < UNIFORM


def _planet_z(rounds: int, n: int, keys: int = 100_000) -> list[float]:
    """Structure at n >= 2^20 over ``keys`` seeds, for people 0..255:

    * one person's partner: its top five bits (uniform over the population), and how often
      its low Feistel part equals the person's own with the last bit flipped — the trace of
      the inverse round that cannot separate a pair;
    * co-occurrence: the low-part XOR of every partnership, and how many partnerships fall
      inside the group of 256 (about 256 * 255 / 2 / (n - 1) per key if uniform)."""
    group = np.arange(256)
    partner, _ = partners_many(round_keys(n, rounds, keys), n, group)
    bits = (n - 1).bit_length()
    low = (1 << (bits // 2)) - 1
    expected = keys / (low + 1)
    z_flip = ((partner[:, 0] & low) == 1).sum() - expected
    edges = np.minimum(np.arange(33) << (bits - 5), n)
    sizes = np.diff(edges).astype(np.float64)
    sizes[0] -= 1
    top = np.bincount(partner[:, 0] >> (bits - 5), minlength=32)[sizes > 0]
    z_top = chi_z(top, sizes[sizes > 0] / sizes.sum() * keys, int((sizes > 0).sum()) - 1)
    xor = np.bincount(((partner ^ group) & low).ravel(), minlength=low + 1)
    z_xor = chi_z(xor, np.full(low + 1, partner.size / (low + 1)), low)
    inside, mean = (partner < 256).sum() / 2, keys * 256 * 255 / 2 / (n - 1)
    return [z_flip / np.sqrt(expected), z_top, z_xor, (inside - mean) / np.sqrt(mean)]


@pytest.mark.parametrize("n", [1 << 20, 1_500_000])
def test_b4_structural_uniformity_at_planet_scale_fails_with_4_rounds(n: int) -> None:
    assert max(_planet_z(4, n)) > STRUCTURED


@pytest.mark.parametrize("n", [1 << 20, 1_500_000])
def test_b4_structural_uniformity_at_planet_scale_passes_with_chosen_rounds(n: int) -> None:
    assert max(abs(z) for z in _planet_z(ROUNDS, n)) < UNIFORM

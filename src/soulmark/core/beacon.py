"""Public randomness that nobody can grind (drand; the idea of RFC 3797).

When a world opens, its organizer names a drand round that will be published only after
joins close.  The commitment binds that choice; at seal the round's signature is entered,
verified against the chain's public key, and its randomness (``sha256(signature)``) is mixed
into the seed.  Until the round is published nobody — the organizer included — can know the
pairing, so adding fake joiners to steer it is pointless.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import drand_verify

from soulmark.core.errors import InvalidInput
from soulmark.core.times import SECOND

__all__ = ["CHAINS", "Chain", "BeaconSpec", "randomness", "verify_signature", "parse_spec"]


@dataclass(frozen=True, slots=True)
class Chain:
    name: str
    chain_hash: str
    genesis: int
    """Unix seconds of round 1."""
    period: int
    public_key: str

    def published_at(self, round_no: int) -> int:
        """When ``round_no`` is published, in microseconds."""
        return (self.genesis + (round_no - 1) * self.period) * SECOND

    def first_round_at_or_after(self, moment_us: int) -> int:
        elapsed = max(0, moment_us - self.genesis * SECOND)
        return 1 + -(-elapsed // (self.period * SECOND))


QUICKNET = Chain(
    name="quicknet",
    chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    genesis=1692803367,
    period=3,
    public_key=(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
        "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
        "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
    ),
)
CHAINS = {QUICKNET.name: QUICKNET}
_SIGNATURE = re.compile(r"^[0-9a-f]{96}$")


@dataclass(frozen=True, slots=True)
class BeaconSpec:
    """Which public value a round waits for: fixed (and committed) when the round opens."""

    chain: str
    round: int

    @property
    def published_at(self) -> int:
        return CHAINS[self.chain].published_at(self.round)

    def to_json(self) -> dict[str, Any]:
        return {"chain": self.chain, "round": self.round}

    @classmethod
    def from_json(cls, data: Any) -> BeaconSpec:
        if not isinstance(data, dict) or not isinstance(data.get("chain"), str):
            raise ValueError("unknown beacon chain")
        if data["chain"] not in CHAINS:
            raise ValueError("unknown beacon chain")
        if type(data.get("round")) is not int or data["round"] < 1:
            raise ValueError("beacon round must be a positive integer")
        return cls(data["chain"], data["round"])


def parse_spec(text: str, *, parse_moment: Any = None) -> BeaconSpec:
    """``quicknet:ROUND``, or ``quicknet@ISO`` for the first round published at that moment."""
    chain, at, moment = text.partition("@")
    if at and chain in CHAINS and parse_moment is not None:
        try:
            return BeaconSpec(chain, CHAINS[chain].first_round_at_or_after(parse_moment(moment)))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
    chain, _, rest = text.partition(":")
    # isascii: str.isdigit() also takes '²', which int() refuses; 18 digits fit any round.
    digits = rest.isascii() and rest.isdigit() and len(rest) <= 18
    if chain not in CHAINS or not digits or int(rest) < 1:
        raise InvalidInput(f"a beacon is quicknet:ROUND or quicknet@ISO, not {text!r}")
    return BeaconSpec(chain, int(rest))


def randomness(signature_hex: str) -> bytes:
    return hashlib.sha256(bytes.fromhex(signature_hex)).digest()


def verify_signature(spec: BeaconSpec, signature_hex: str) -> bytes:
    """The round's randomness if ``signature_hex`` is that round's valid signature."""
    sig = signature_hex.strip().lower()
    # The verifier panics on malformed input, so its shape is checked here first.
    if not _SIGNATURE.match(sig):
        raise InvalidInput("a quicknet signature is 96 hex characters")
    chain = CHAINS[spec.chain]
    try:
        drand_verify.verify_quicknet(spec.round, sig, chain.public_key)
    except (ValueError, RuntimeError):
        raise InvalidInput(f"not the signature of {spec.chain} round {spec.round}") from None
    return randomness(sig)

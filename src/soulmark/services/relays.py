"""Fetching a drand round from HTTP relays, so nobody has to paste its signature (B1).

Relays speak drand's HTTP API: ``GET {relay}/{chain_hash}/public/{round}`` answers
``{"round": …, "randomness": "…", "signature": "…"}``.  A relay is only a courier: what it
sends is verified against the chain's public key exactly as a pasted signature is, and a relay
that is down, slow, or sends anything else is skipped for the next.  The list comes from
``$SOULMARK_BEACON_RELAYS`` (soulmark.settings) or ``--relay``.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from soulmark.core.beacon import CHAINS, BeaconSpec, verify_signature
from soulmark.core.errors import SoulmarkError

__all__ = ["fetch_signature", "default_beacon"]
TIMEOUT_S = 5.0
MAX_BODY = 4096


def _one(client: httpx.Client, relay: str, spec: BeaconSpec) -> str | None:
    url = f"{relay.rstrip('/')}/{CHAINS[spec.chain].chain_hash}/public/{spec.round}"
    try:
        answer = client.get(url)
        if answer.status_code != 200 or len(answer.content) > MAX_BODY:
            return None
        data = answer.json()
    except (httpx.HTTPError, ValueError):
        return None
    signature = data.get("signature") if isinstance(data, dict) else None
    if not isinstance(signature, str) or data.get("round") != spec.round:
        return None
    try:
        verify_signature(spec, signature)
    except SoulmarkError:
        return None
    return signature.strip().lower()


def fetch_signature(spec: BeaconSpec, relays: Sequence[str]) -> str | None:
    """The round's verified signature from the first relay that has it; None if none does."""
    with httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, trust_env=False) as client:
        for relay in relays:
            signature = _one(client, relay, spec)
            if signature is not None:
                return signature
    return None


def default_beacon(*, joins_close: int, at: int) -> BeaconSpec | None:
    """The first quicknet round published at or after ``joins_close`` (None if that is past)."""
    if joins_close <= at:
        return None
    chain = CHAINS["quicknet"]
    return BeaconSpec(chain.name, chain.first_round_at_or_after(joins_close))

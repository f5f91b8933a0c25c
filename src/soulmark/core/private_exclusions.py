"""Fate with exclusions that reveal nothing: ``fisher-yates-excluding/blake2b-v2``.

Version 1 (:mod:`soulmark.core.exclusions`) published the excluded pairs of opaque ids, and
every attempt it rejected could be re-run from the public seed.  Anyone holding one id of
a pair — an organizer who grouped a target with an address of their own, a stranger who
named a victim — read the other id off the transcript, and with it the partner and mark
moments of the person they named (issue 22).  Version 2 publishes none of that:

* each entry (a never-with list entry, or a pair two members of one group make) becomes a
  salted SHA-256 commitment; the transcript lists the commitments, sorted, and the seed
  binds their digest;
* the draw is the rejection sampling of version 1, but attempt ``k`` is keyed by a 32-byte
  key drawn at seal and never published (:func:`attempt_key`), so no rejected attempt can
  be re-run by anyone; the transcript gives only the winning attempt's key (``draw_key``),
  from which anyone re-runs the winning shuffle and, with the seed, every mark;
* a list entry's author is handed its salt (their receipt, on their wrist only): with it
  they recompute their own commitment from their own id and the address they typed, and
  find it in the transcript.  The commitment holds no one else's id, so the salt lets them
  test nothing they did not already know.

docs/fate-exclusions.md specifies every byte, with vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from soulmark.core.exclusions import MAX_ATTEMPTS, DrawExhausted, _attempt
from soulmark.core.looks import email_key
from soulmark.core.validate import clean_email

__all__ = [
    "PRIVATE",
    "SEED_LABEL",
    "Private",
    "address_key",
    "attempt_key",
    "check_entry",
    "commitments_digest",
    "commitments_problem",
    "draw_key_problem",
    "group_commitment",
    "hidden_draw",
    "never_commitment",
]

PRIVATE = "fisher-yates-excluding/blake2b-v2"
SEED_LABEL = b"soulmark/seed/x2"
NEVER_LABEL = b"soulmark/never/x2"
GROUP_LABEL = b"soulmark/group/x2"
DRAW_LABEL = b"soulmark/draw/x2"
SALT_BYTES = 32


@dataclass(frozen=True, slots=True)
class Private:
    """What a seal of version 2 is given: the pairs to avoid (never published), the
    commitments to publish, and the key that hides every attempt (forgotten after it)."""

    pairs: Sequence[tuple[str, str]]
    commitments: Sequence[bytes]
    hidden: bytes


def never_commitment(salt: bytes, author: str, named_key: str) -> bytes:
    """A never-with entry: ``SHA-256("soulmark/never/x2" || salt || author || 0x0A || key)``.

    ``key`` is the named address as soulmark keys it (the author's own knowledge); no id but
    the author's own is inside, so the author holding the salt can test nothing new.
    """
    body = NEVER_LABEL + salt + author.encode("ascii") + b"\n" + named_key.encode("utf-8")
    return hashlib.sha256(body).digest()


def group_commitment(salt: bytes, a: str, b: str) -> bytes:
    """A pair two members of one group make, ``a < b``; its salt is given to nobody."""
    return hashlib.sha256(
        GROUP_LABEL + salt + a.encode("ascii") + b"\n" + b.encode("ascii")
    ).digest()


def commitments_digest(commitments: Sequence[bytes]) -> bytes:
    """SHA-256 of the commitments' raw 32 bytes, in sorted order, concatenated."""
    return hashlib.sha256(b"".join(sorted(commitments))).digest()


def attempt_key(hidden: bytes, seed: bytes, k: int) -> bytes:
    """Attempt ``k``'s stream key: ``BLAKE2b-256(key=hidden, "soulmark/draw/x2" || seed ||
    u64le(k))``.  Without ``hidden`` no attempt, rejected or not, can be computed."""
    data = DRAW_LABEL + seed + k.to_bytes(8, "little")
    return hashlib.blake2b(data, digest_size=32, key=hidden).digest()


def hidden_draw(
    hidden: bytes, seed: bytes, n: int, excluded: set[int], *, limit: int = MAX_ATTEMPTS
) -> tuple[list[int], bytes, int]:
    """The first attempt whose matching avoids every excluded pair: its order, its key and
    its number.  Each attempt is the exact shuffle on ``Stream(attempt_key(k), b"fate", 0)``."""
    for k in range(limit):
        key = attempt_key(hidden, seed, k)
        order = _attempt(key, n, 0, excluded)
        if order is not None:
            return order, key, k
    raise DrawExhausted(
        f"no allowed pairing came up in {limit:,} draws: the exclusions are too tight; "
        "loosen them before sealing"
    )


def _hex32(value: Any) -> bytes | None:
    """32 bytes written in lower-case hex, the one spelling a transcript may use."""
    if not isinstance(value, str) or len(value) != 64:
        return None
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        return None
    return raw if raw.hex() == value else None


def commitments_problem(value: Any) -> tuple[list[bytes], str | None]:
    """The commitments of a transcript, and what is wrong with them (None: nothing)."""
    if not isinstance(value, list) or not value:
        return [], "not a non-empty list of commitments"
    raw = [_hex32(c) for c in value]
    if any(c is None for c in raw):
        return [], "not 32-byte lower-case hex commitments"
    if value != sorted(set(value)):
        return [c for c in raw if c is not None], "not sorted and unique"
    return [c for c in raw if c is not None], None


def draw_key_problem(value: Any) -> tuple[bytes | None, str | None]:
    key = _hex32(value)
    return key, None if key is not None else "not a 32-byte lower-case hex key"


def address_key(address: str) -> str:
    """An address as soulmark keys it (and as a never-with commitment holds it): cleaned
    (trimmed, NFC, the domain IDNA-mapped), then :func:`soulmark.core.looks.email_key`: the
    local part case-folded and NFC again, the domain as its A-label (docs/names.md)."""
    return email_key(clean_email(address))


def check_entry(doc: dict[str, Any], *, author: str, address: str, salt: str) -> str | None:
    """An author's own check of their receipt against a transcript: None when their entry
    (their id and the address they named) is among its commitments, else why not.

    Run :func:`soulmark.core.audit.audit` too: it checks that the seed binds the list.
    """
    named_key = address_key(address)
    raw_salt = _hex32(salt)
    if raw_salt is None:
        return "the salt is not 32 bytes of lower-case hex"
    if author not in doc.get("roster", []):
        return "your id is not in this round's roster"
    mine = never_commitment(raw_salt, author, named_key).hex()
    if mine not in doc.get("exclusion_commitments", []):
        return "your entry's commitment is not in this transcript"
    return None

"""The random stream behind every draw soulmark makes.

Specified so that another implementation can reproduce it byte for byte:

* A stream is named by ``(key, domain, nonce)``: ``key`` is 32 bytes (a round's seed),
  ``domain`` an ASCII label of at most 16 bytes (``b"fate"``, ``b"marks"``), and ``nonce``
  an unsigned 64-bit integer (0 for fate, the pair index for marks).
* Block ``j`` (j = 0, 1, 2, ...) is ``BLAKE2b(digest_size=64, key=key, person=domain,
  data=u64le(nonce) || u64le(j))``: 64 bytes, read as eight little-endian unsigned 64-bit
  words.  Words are consumed in order, block after block.
* ``below(n)`` for ``1 <= n <= 2**64`` draws a word ``u`` and accepts it when
  ``u < 2**64 - (2**64 mod n)``, returning ``u mod n``; otherwise it draws again.  It always
  consumes at least one word, so the sequence of draws does not depend on ``n`` being 1.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator

__all__ = ["Stream", "STREAM_SPEC"]

STREAM_SPEC = "blake2b-512-keyed-counter/u64le/rejection-v1"

_TWO64 = 1 << 64
_WORDS = struct.Struct("<8Q")


class Stream:
    """A deterministic stream of unbiased bounded integers."""

    __slots__ = ("_words",)

    def __init__(self, key: bytes, domain: bytes, nonce: int = 0) -> None:
        if len(key) != 32:
            raise ValueError("stream key must be 32 bytes")
        if not 0 < len(domain) <= 16:
            raise ValueError("stream domain must be 1..16 bytes")
        if not 0 <= nonce < _TWO64:
            raise ValueError("stream nonce must fit in 64 bits")
        self._words = _generate(key, domain, nonce.to_bytes(8, "little"))

    def word(self) -> int:
        """The next raw unsigned 64-bit word."""
        return next(self._words)

    def below(self, n: int) -> int:
        """An unbiased integer in ``[0, n)``."""
        if not 1 <= n <= _TWO64:
            raise ValueError("bound must be in [1, 2**64]")
        limit = _TWO64 - (_TWO64 % n)
        words = self._words
        u = next(words)
        while u >= limit:
            u = next(words)
        return u % n

    @property
    def words(self) -> Iterator[int]:
        """The raw words, for hot loops that inline :meth:`below` (same state as it)."""
        return self._words


def _generate(key: bytes, person: bytes, nonce: bytes) -> Iterator[int]:
    blake2b = hashlib.blake2b
    unpack = _WORDS.unpack
    block = 0
    while True:
        digest = blake2b(
            nonce + block.to_bytes(8, "little"), digest_size=64, key=key, person=person
        )
        yield from unpack(digest.digest())
        block += 1

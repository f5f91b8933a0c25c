"""RFC 8291 message encryption (``aes128gcm``, RFC 8188), one record per push.

pywebpush does the same through http_ece, with about three times the Python per message;
at 10,000 wrists whose itches fall due together that difference is the minute a push may
take (bench.push).  The tests decrypt every push with http_ece itself (tests/push_service.py).
"""

from __future__ import annotations

import base64
import os
import struct
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Receiver", "encrypt", "receiver"]

_RS = 4096
"""The record size a push service reads: one record holds a payload of fixed 1,024 bytes."""
_CURVE = ec.SECP256R1()
_POINT = (serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


@dataclass(frozen=True, slots=True)
class Receiver:
    """A browser's subscription keys, parsed once: its P-256 key and its auth secret."""

    key: ec.EllipticCurvePublicKey
    raw: bytes
    auth: bytes


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=65536)
def receiver(p256dh: str, auth: str) -> Receiver:
    """The keys of a subscription (ValueError if they are no P-256 point and secret)."""
    raw = _unb64(p256dh)
    return Receiver(ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, raw), raw, _unb64(auth))


def _hkdf(salt: bytes, info: bytes, length: int, ikm: bytes) -> bytes:
    return HKDF(hashes.SHA256(), length, salt, info).derive(ikm)


def encrypt(plaintext: bytes, to: Receiver) -> bytes:
    """One push body: the RFC 8188 header (salt, record size, a fresh ECDH key) and the
    single record, padded by its delimiter only (the plaintext has one fixed size already)."""
    own = ec.generate_private_key(_CURVE)
    own_raw = own.public_key().public_bytes(*_POINT)
    secret = own.exchange(ec.ECDH(), to.key)
    ikm = _hkdf(to.auth, b"WebPush: info\x00" + to.raw + own_raw, 32, secret)
    salt = os.urandom(16)
    cek = _hkdf(salt, b"Content-Encoding: aes128gcm\x00", 16, ikm)
    nonce = _hkdf(salt, b"Content-Encoding: nonce\x00", 12, ikm)
    record = AESGCM(cek).encrypt(nonce, plaintext + b"\x02", None)
    return salt + struct.pack("!IB", _RS, len(own_raw)) + own_raw + record

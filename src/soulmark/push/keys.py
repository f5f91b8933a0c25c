"""The instance's VAPID key pair: made once, kept in a file beside its settings.

Every push a server sends is signed with this key (RFC 8292), and every browser subscribed
it with the public half: a new key would orphan every subscription, so the file is made
only when it is missing, never replaced.  Two processes starting together on a fresh
instance race to create it; the loser reads the winner's.
"""

from __future__ import annotations

import base64
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from platformdirs import user_data_dir
from py_vapid import Vapid02

from soulmark.core.errors import SoulmarkError

__all__ = ["VapidKeys", "default_key_path", "ensure_keys", "load_keys"]

KEY_FILE = "vapid-private.pem"


@dataclass(frozen=True)
class VapidKeys:
    path: Path
    vapid: Vapid02
    public_key: str
    """The application server key as browsers take it: the uncompressed P-256 point,
    base64url without padding (``applicationServerKey``)."""
    made: bool = False
    """Whether this call made the file (the first start)."""


def default_key_path() -> Path:
    """Where the key lives when ``SOULMARK_PUSH_KEY`` is unset: the data folder."""
    return Path(user_data_dir("soulmark", appauthor=False)) / KEY_FILE


def _public(vapid: Vapid02) -> str:
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _create(path: Path) -> bool:
    """Write a fresh key at ``path`` unless one is there; whether this call wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # fails if another process made it first: theirs stands
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)


@lru_cache(maxsize=8)
def _load(path: Path, _stamp: float) -> VapidKeys:
    try:
        vapid = Vapid02.from_file(str(path))
    except Exception as exc:  # py_vapid raises bare exceptions for a bad file
        raise SoulmarkError(f"the push key {path} cannot be read: {exc}") from None
    return VapidKeys(path, vapid, _public(vapid))


def load_keys(path: Path) -> VapidKeys:
    """The key pair in ``path``, which must exist."""
    try:
        stamp = path.stat().st_mtime
    except OSError as exc:
        raise SoulmarkError(f"no push key at {path}: run `soulmark push keys`") from exc
    return _load(path, stamp)


def ensure_keys(path: Path) -> VapidKeys:
    """The key pair in ``path``, made first if there is none (``soulmark push keys``, and
    every start of ``serve`` and ``worker``)."""
    made = False
    if not path.exists():
        try:
            made = _create(path)
        except OSError as exc:
            raise SoulmarkError(f"cannot write the push key {path}: {exc}") from None
    keys = load_keys(path)
    return VapidKeys(keys.path, keys.vapid, keys.public_key, made)

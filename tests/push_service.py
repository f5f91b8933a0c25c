"""A push service on loopback implementing what RFC 8030 asks of one, for the tests.

It takes ``POST /push/<device>`` with a ``TTL``, ``Content-Encoding: aes128gcm`` and a VAPID
``Authorization`` (RFC 8292) whose ES256 signature, audience, expiry, contact and key it
checks; it answers 201 and keeps the body, or whatever a test queued for that device
(404, 410, 500...).  The test holds each device's browser-side keys (an ECDH P-256 pair and
an auth secret, as a browser makes them) and decrypts with http_ece, as a browser would.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

__all__ = ["Browser", "PushService", "b64", "unb64"]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One device's side of a subscription: what PushManager.subscribe() makes."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(raw)

    def subscription(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": b64(self.auth)}}

    def decrypt(self, body: bytes) -> bytes:
        return bytes(
            http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        )


@dataclass
class Push:
    device: str
    body: bytes
    headers: dict[str, str]


class PushService:
    def __init__(self, public_key: str | None = None) -> None:
        self.public_key = public_key
        """The VAPID key every push must be signed with (None: any valid signature)."""
        self.pushes: list[Push] = []
        self.refused: list[tuple[str, int, str]] = []
        self.answers: dict[str, deque[int]] = defaultdict(deque)
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                service._post(self)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, device: str) -> str:
        return f"{self.origin}/push/{device}"

    def browser(self, device: str) -> Browser:
        return Browser(self.endpoint(device))

    def answer(self, device: str, *statuses: int) -> None:
        """The next answers for ``device``, before it goes back to 201."""
        with self.lock:
            self.answers[device].extend(statuses)

    def to(self, device: str) -> list[Push]:
        with self.lock:
            return [p for p in self.pushes if p.device == device]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _post(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length)
        device = req.path.removeprefix("/push/")
        why = self._refusal(req, body)
        with self.lock:
            status = (
                400 if why else (self.answers[device].popleft() if self.answers[device] else 201)
            )
            if why:
                self.refused.append((device, status, why))
            elif status == 201:
                self.pushes.append(
                    Push(device, body, {k.lower(): v for k, v in req.headers.items()})
                )
        req.send_response(status)
        if status == 201:
            req.send_header("Location", f"{self.origin}/message/{len(self.pushes)}")
        req.send_header("Content-Length", "0")
        req.end_headers()

    def _refusal(self, req: BaseHTTPRequestHandler, body: bytes) -> str | None:
        """Why this request is not a valid push (RFC 8030, 8291, 8292), or None."""
        ttl = req.headers.get("TTL")
        if ttl is None or not ttl.isdigit():
            return "no TTL"
        if req.headers.get("Content-Encoding") != "aes128gcm" or not body:
            return "not aes128gcm"
        return self._vapid(req.headers.get("Authorization", ""))

    def _vapid(self, header: str) -> str | None:
        scheme, _, rest = header.partition(" ")
        if scheme.lower() != "vapid":
            return "no VAPID"
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        token, key = parts.get("t", ""), parts.get("k", "")
        if self.public_key is not None and key != self.public_key:
            return "signed with another key"
        head, claims, sig = token.split(".")
        raw = unb64(sig)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
        try:
            public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "bad signature"
        said = json.loads(unb64(claims))
        if said.get("aud") != self.origin:
            return "wrong audience"
        if not time.time() < said.get("exp", 0) <= time.time() + 24 * 3600:
            return "expired or too long"
        if not str(said.get("sub", "")).startswith(("mailto:", "https:")):
            return "no contact"
        return None

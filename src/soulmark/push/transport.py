"""Sending claimed pushes to the browsers' push services (RFC 8030), beside the mail.

:func:`with_push` wraps the mail transport of a pass: a batch's push rows go to
:class:`PushTransport`, the rest to the mail as before, each recorded as soon as its answer is
in.  What a push service answers decides what becomes of the row:

* 201 (any 2xx): sent;
* 404 or 410: the service no longer knows the device; the subscription is deleted, with its
  pushes still waiting, and the row is failed;
* 408, 429 or 5xx, or no connection: nothing was taken, so it is retried later;
* a connection lost after the request went out: maybe delivered, so not retried (never
  twice beats twice, as for mail);
* any other 4xx: failed (trying again would be refused the same way).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy import select

from soulmark.core.errors import SoulmarkError
from soulmark.notices.compose import Outgoing
from soulmark.notices.queue import SendOutcome
from soulmark.notices.transports import Done, Going, Transport
from soulmark.push.cipher import encrypt, receiver
from soulmark.push.keys import VapidKeys, load_keys
from soulmark.push.rows import ADDRESS, forget_device, is_push
from soulmark.push.words import base_kind, payload
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store
from soulmark.store.push_models import PushSubscriptionRow

__all__ = ["PushTransport", "Dispatch", "with_push"]

log = logging.getLogger("soulmark.push")

LANES = 64
"""Requests in flight at once: push services answer in milliseconds, one connection each."""
TTL_S = 12 * 3600
"""How long a push service keeps a push for a device that is away (RFC 8030 TTL)."""
_VAPID_S = 12 * 3600
"""A VAPID token's life; RFC 8292 allows at most 24 hours."""
_HEADERS = {
    "TTL": str(TTL_S),
    "Content-Encoding": "aes128gcm",
    "Content-Type": "application/octet-stream",
    "Urgency": "normal",
}
_RETRY = {408, 429}
_GONE = {404, 410}


@dataclass(frozen=True, slots=True)
class _Device:
    id: int
    endpoint: str
    p256dh: str
    auth: str
    lang: str


class PushTransport:
    name = "push"

    def __init__(self, store: Store, settings: NoticeSettings) -> None:
        self.store = store
        self.settings = settings
        self.contact = settings.push_contact
        self._keys: VapidKeys | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tokens: dict[str, tuple[float, dict[str, str]]] = {}
        self._timeout = aiohttp.ClientTimeout(total=settings.timeout_s)

    def _vapid(self, endpoint: str) -> dict[str, str]:
        """The Authorization header for ``endpoint``'s push service, made once per origin
        for half its life."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        made = self._tokens.get(audience)
        if made is None or made[0] < now + _VAPID_S / 2:
            assert self._keys is not None
            claims = {"aud": audience, "exp": int(now + _VAPID_S), "sub": self.contact}
            made = (now + _VAPID_S, dict(self._keys.vapid.sign(claims)))
            self._tokens[audience] = made
        return made[1]

    async def send(
        self, batch: list[Outgoing], *, now_us: int, done: Done, going: Going
    ) -> list[SendOutcome]:
        why = await self._load_keys()
        if why is not None:  # the pushes wait for a key; the mail beside them goes on
            left = [SendOutcome(o.notice_id, "retry", why) for o in batch]
            await done(left)
            return left
        devices = await asyncio.to_thread(self._devices, batch)
        queue = deque(batch)
        results: list[SendOutcome] = []
        lanes = range(min(LANES, len(batch)))
        await asyncio.gather(*(self._lane(queue, devices, results, done, going) for _ in lanes))
        left = [SendOutcome(o.notice_id, "retry", "the claim's lease could run out") for o in queue]
        await done(left)
        return results + left

    async def _load_keys(self) -> str | None:
        """Why no push can be signed now, or None once the key is loaded."""
        if self._keys is not None:
            return None
        if self.settings.push_key is None:
            return "no push key is set"
        try:
            self._keys = await asyncio.to_thread(load_keys, Path(self.settings.push_key))
        except SoulmarkError as exc:
            log.warning("pushes wait: %s", exc)
            return str(exc)
        return None

    def _devices(self, batch: Sequence[Outgoing]) -> dict[int, _Device]:
        ids = [int(o.to.removeprefix(ADDRESS)) for o in batch]
        with self.store.read() as s:
            rows = s.scalars(select(PushSubscriptionRow).where(PushSubscriptionRow.id.in_(ids)))
            return {r.id: _Device(r.id, r.endpoint, r.p256dh, r.auth, r.lang) for r in rows}

    async def _lane(
        self,
        queue: deque[Outgoing],
        devices: dict[int, _Device],
        results: list[SendOutcome],
        done: Done,
        going: Going,
    ) -> None:
        while queue and going():
            out = queue.popleft()
            device = devices.get(int(out.to.removeprefix(ADDRESS)))
            if device is None:
                result = SendOutcome(out.notice_id, "failed", "the device was removed")
            else:
                result = await self._push(out, device)
            results.append(result)
            await done([result])  # recorded before this lane starts another

    async def _push(self, out: Outgoing, device: _Device) -> SendOutcome:
        world = json.loads(out.body)
        data = payload(base_kind(out.subject), lang=device.lang, **world)
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=LANES), timeout=self._timeout
            )
        try:
            body = encrypt(data, receiver(device.p256dh, device.auth))
            headers = {**self._vapid(device.endpoint), **_HEADERS}
        except Exception as exc:  # keys the browser gave that no cipher takes: never reachable
            return SendOutcome(out.notice_id, "failed", f"cannot push to this device: {exc}")
        try:
            async with self._session.post(device.endpoint, data=body, headers=headers) as answer:
                await answer.read()
                status = answer.status
        except aiohttp.ClientConnectorError as exc:  # no connection: nothing went out
            return SendOutcome(out.notice_id, "retry", f"cannot reach the push service: {exc}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            # The request may have reached the service: maybe delivered, not sent again.
            return SendOutcome(
                out.notice_id, "uncertain", f"lost while pushing: {type(exc).__name__}"
            )
        return await self._answered(out, device, status)

    async def _answered(self, out: Outgoing, device: _Device, status: int) -> SendOutcome:
        if 200 <= status < 300:
            return SendOutcome(out.notice_id, "sent")
        if status in _GONE:
            await asyncio.to_thread(self._forget, device.id)
            return SendOutcome(
                out.notice_id, "failed", f"the push service forgot this device ({status})"
            )
        if status in _RETRY or status >= 500:
            return SendOutcome(out.notice_id, "retry", f"the push service answered {status}")
        return SendOutcome(out.notice_id, "failed", f"the push service refused it ({status})")

    def _forget(self, sub_id: int) -> None:
        with self.store.transaction() as s:
            forget_device(s, sub_id)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class Dispatch:
    """The pass's transport: pushes to :class:`PushTransport`, everything else to the mail."""

    def __init__(self, mail: Transport, push: PushTransport) -> None:
        self.mail = mail
        self.push = push
        self.name = mail.name

    async def send(
        self, batch: list[Outgoing], *, now_us: int, done: Done, going: Going
    ) -> list[SendOutcome]:
        pushes = [o for o in batch if _is_push(o)]
        if not pushes:
            return await self.mail.send(batch, now_us=now_us, done=done, going=going)
        mails = [o for o in batch if not _is_push(o)]
        sends: list[Any] = [self.push.send(pushes, now_us=now_us, done=done, going=going)]
        if mails:
            sends.append(self.mail.send(mails, now_us=now_us, done=done, going=going))
        parts = await asyncio.gather(*sends)
        return [r for part in parts for r in part]

    async def close(self) -> None:
        try:
            await self.push.close()
        finally:
            await self.mail.close()


def _is_push(out: Outgoing) -> bool:
    return out.to.startswith(ADDRESS) and is_push(out.subject)


def with_push(mail: Transport, store: Store, settings: NoticeSettings) -> Transport:
    return Dispatch(mail, PushTransport(store, settings))

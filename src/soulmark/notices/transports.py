"""Where claimed notices go: an SMTP server over a few reused connections, or the outbox.

An SMTP failure is sorted by what the server can have seen.  A reply refusing MAIL, RCPT
or DATA means nothing was accepted.  A temporary one (4xx) is retried later, and so is any
refusal of MAIL, which refuses the sender (this site's settings), not the message.  A
permanent refusal (5xx) of RCPT or DATA is that message's answer for good: it is
``refused``, never retried, and when it is about the address (at RCPT, or a 5.1.x/5.2.x
status) the address is suppressed for invitations (soulmark.notices.suppress).  A
connection lost before DATA is retried.  A connection lost or timed out *during* DATA is
uncertain — the server may have taken the message — so it is not retried: never twice
beats twice.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol
from urllib.parse import urlsplit

import aiosmtplib

from soulmark.notices.compose import Outgoing
from soulmark.notices.dkim import Signer, open_signer
from soulmark.notices.mime import Letterhead, public_domain, to_bytes
from soulmark.notices.queue import SendOutcome
from soulmark.settings.mail import NoticeSettings, SmtpTarget

__all__ = ["Transport", "SmtpTransport", "OutboxTransport", "open_transport", "refusal"]

log = logging.getLogger("soulmark.notices")
outbox_log = logging.getLogger("soulmark.notices.outbox")

_NETWORK = (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError)

Done = Callable[[Sequence[SendOutcome]], Awaitable[None]]
"""Records outcomes; a message's own record is awaited before the next message starts."""
Going = Callable[[], bool]
"""Whether another message may start (the claim's lease holds, records still work)."""
_LEASE_GONE = "the claim's lease could run out before it went: left for the next pass"


class Transport(Protocol):
    name: str

    async def send(
        self, batch: list[Outgoing], *, now_us: int, done: Done, going: Going
    ) -> list[SendOutcome]: ...

    async def close(self) -> None: ...


class OutboxTransport:
    """Development: the notice is kept in the table (``transport='outbox'``) and logged."""

    name = "outbox"

    async def send(
        self, batch: list[Outgoing], *, now_us: int, done: Done, going: Going
    ) -> list[SendOutcome]:
        # The outbox is the table itself: the record is the delivery, one transaction.
        for out in batch:
            outbox_log.info("to %s: %s\n%s", out.to, out.subject, out.body)
        results = [SendOutcome(out.notice_id, "sent") for out in batch]
        await done(results)
        return results

    async def close(self) -> None:
        return None


class SmtpTransport:
    """Up to ``settings.connections`` connections, opened lazily and kept for the whole pass."""

    name = "smtp"

    def __init__(
        self, settings: NoticeSettings, target: SmtpTarget, signer: Signer | None = None
    ) -> None:
        self.settings = settings
        self.target = target
        self.signer = signer
        self.sender_bytes = b"<%s>" % _address(settings.from_addr).encode()
        self.head = Letterhead(
            settings.from_addr,
            public_domain(settings.base_url, settings.from_addr),
            settings.reply_to,
            urlsplit(settings.base_url).hostname or "",
        )
        self.clients: list[aiosmtplib.SMTP | None] = [None] * settings.connections

    async def send(
        self, batch: list[Outgoing], *, now_us: int, done: Done, going: Going
    ) -> list[SendOutcome]:
        queue = deque(batch)
        results: list[SendOutcome] = []
        errors: list[str] = []
        lanes = range(min(len(self.clients), len(batch)))
        await asyncio.gather(
            *(self._lane(i, queue, results, errors, now_us, done, going) for i in lanes)
        )
        # Left over when no connection could be opened, or the lease went: surely not sent.
        why = _LEASE_GONE if not going() else errors[-1] if errors else "no mail server"
        left = [SendOutcome(out.notice_id, "retry", why) for out in queue]
        await done(left)
        return results + left

    async def _lane(
        self,
        i: int,
        queue: deque[Outgoing],
        results: list[SendOutcome],
        errors: list[str],
        now: int,
        done: Done,
        going: Going,
    ) -> None:
        while queue and going():
            out = queue.popleft()
            client = await self._client(i, errors)
            if client is None:
                queue.appendleft(out)  # another lane may still reach the server
                return
            result = await self._send_one(i, client, out, now)
            if result is None:  # the connection had gone stale before MAIL: one fresh try
                client = await self._client(i, errors)
                result = (
                    await self._send_one(i, client, out, now)
                    if client
                    else SendOutcome(out.notice_id, "retry", errors[-1])
                )
            result = result or SendOutcome(out.notice_id, "retry", "connection lost")
            results.append(result)
            await done([result])  # recorded before the next message starts

    async def _client(self, i: int, errors: list[str]) -> aiosmtplib.SMTP | None:
        client = self.clients[i]
        if client is not None and client.is_connected:
            return client
        t = self.target
        client = aiosmtplib.SMTP(
            hostname=t.host,
            port=t.port,
            username=t.username,
            password=t.password,
            use_tls=t.use_tls,
            start_tls=t.start_tls,
            validate_certs=t.validate_certs,
            timeout=self.settings.timeout_s,
        )
        try:
            await client.connect()
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
        except _NETWORK as exc:
            errors.append(f"cannot reach the mail server {t.host}:{t.port}: {_text(exc)}")
            return None
        self.clients[i] = client
        return client

    async def _send_one(
        self, i: int, client: aiosmtplib.SMTP, out: Outgoing, now_us: int
    ) -> SendOutcome | None:
        """The outcome, or None when the connection broke before the message began."""
        utf8 = not out.to.isascii()
        if utf8 and not client.supports_extension("smtputf8"):
            return SendOutcome(out.notice_id, "failed", "the mail server cannot take this address")
        message = to_bytes(out, self.head, now_us=now_us)
        if self.signer is not None:
            message = self.signer.sign(message)
        step = b"MAIL"
        try:
            # One deadline for the whole message instead of one per command: aiosmtplib's
            # per-command wait_for costs a task each, a third of the client's time.
            async with asyncio.timeout(self.settings.timeout_s):
                await _command(client, step, b"FROM:" + self.sender_bytes, utf8, (250,))
                step = b"RCPT"
                await _command(client, step, b"TO:<%s>" % out.to.encode(), utf8, (250, 251))
                step = b"DATA"
                await client.data(message, timeout=None)
        except aiosmtplib.SMTPResponseException as exc:
            # The server said no, so it holds nothing: never "uncertain".
            await self._reset(i, client)
            return refusal(out.notice_id, step, exc.code, exc.message)
        except _NETWORK as exc:
            self._drop(i, client)
            if step == b"DATA":
                return SendOutcome(out.notice_id, "uncertain", f"lost during DATA: {_text(exc)}")
            return None
        return SendOutcome(out.notice_id, "sent")

    async def _reset(self, i: int, client: aiosmtplib.SMTP) -> None:
        try:
            await client.rset()
        except _NETWORK:
            self._drop(i, client)

    def _drop(self, i: int, client: aiosmtplib.SMTP) -> None:
        client.close()
        self.clients[i] = None

    async def close(self) -> None:
        for i, client in enumerate(self.clients):
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except _NETWORK:
                    client.close()
            self.clients[i] = None


def open_transport(settings: NoticeSettings, signer: Signer | None = None) -> Transport:
    """The outbox, or SMTP (DKIM-signed by ``signer``, else as the settings ask)."""
    target = settings.smtp
    if target is None:
        return OutboxTransport()
    return SmtpTransport(settings, target, signer or open_signer(settings))


_ABOUT_ADDRESS = re.compile(r"\s*5\.[12]\.\d{1,3}\b")
"""Enhanced status codes (RFC 3463) about the address: 5.1.x bad address, 5.2.x mailbox."""


def refusal(notice_id: int, step: bytes, code: int, message: str) -> SendOutcome:
    """What a refusing reply means for one message (see the module's docstring)."""
    why = f"{code} {message}"
    # 552 to RCPT is "too many recipients" whatever its class (RFC 5321 4.5.3.1.10).
    if code < 500 or step == b"MAIL" or (step == b"RCPT" and code == 552):
        return SendOutcome(notice_id, "retry", why)
    about_address = step == b"RCPT" or _ABOUT_ADDRESS.match(message) is not None
    return SendOutcome(notice_id, "refused", why, suppress=about_address)


def _address(from_addr: str) -> str:
    return email.utils.parseaddr(from_addr)[1] or from_addr


async def _command(
    client: aiosmtplib.SMTP, verb: bytes, arg: bytes, utf8: bool, ok: tuple[int, ...]
) -> None:
    """MAIL or RCPT without aiosmtplib's address re-parsing (a fifth of the client's time):
    our addresses were checked at join, so ``<address>`` is all the quoting they need."""
    extra = [b"SMTPUTF8"] if utf8 and verb == b"MAIL" else []
    response = await client.execute_command(verb, arg, *extra, timeout=None)
    if response.code not in ok:
        raise aiosmtplib.SMTPResponseException(response.code, response.message)


def _text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__

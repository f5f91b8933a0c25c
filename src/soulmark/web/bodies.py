"""Request bodies are refused while they stream in once they pass their path's cap.

Starlette reads a body whole before a route can look at its size, so a 300 MB body grew the
process by as much (issue 13, failure 3).  This ASGI layer answers 413 at once when the
declared length is too large, and stops reading (413) when the streamed bytes pass the cap.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from soulmark.core.errors import SoulmarkError

__all__ = ["BodyCap", "DEFAULT_CAP", "TooLarge"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_CAP = 8 * 1024 * 1024
"""Any form or JSON body but a transcript's."""


class TooLarge(SoulmarkError):
    """Raised from ``receive``: a route reading the body answers it as a JSON 413."""


async def _refuse(send: Send) -> None:
    body = json.dumps({"error": "the request body is too large"}).encode()
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _declared(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyCap:
    def __init__(self, app: ASGIApp, *, caps: dict[str, int], default: int = DEFAULT_CAP) -> None:
        self.app, self.caps, self.default = app, caps, default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.caps.get(scope["path"], self.default)
        declared = _declared(scope)
        if declared is not None and declared > cap:
            await _refuse(send)
            return
        seen, started = 0, False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > cap:
                raise TooLarge("the request body is too large")
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except TooLarge:
            if not started:
                await _refuse(send)

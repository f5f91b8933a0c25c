"""A real server in a thread (event streams need one: the test client waits for a response
to end) and a reader that turns an event stream into a queue of messages."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

WAIT_S = 20.0
"""How long a test waits for something that must come (a safety net, not a measure)."""


@dataclass
class Message:
    event: str
    id: int
    data: dict[str, Any]
    raw: bytes


class Server:
    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        for _ in range(int(WAIT_S * 100)):
            if self.server.started:
                break
            self.thread.join(0.01)
        sock = self.server.servers[0].sockets[0]
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(WAIT_S)


class Stream:
    """Reads one event stream in a thread; ``items`` holds Messages and "beat" strings."""

    def __init__(self, url: str, token: str | None, headers: dict[str, str] | None = None):
        self.items: queue.Queue[Message | str] = queue.Queue()
        self.status = 0
        self.body = b""
        self.raw = bytearray()
        self._ready = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(WAIT_S, read=None))
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        self._args = (url, {**auth, **(headers or {})})
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(WAIT_S)

    def _run(self) -> None:
        url, headers = self._args
        try:
            with self._client.stream("GET", url, headers=headers) as r:
                self.status = r.status_code
                if r.status_code != 200:
                    self.body = r.read()
                    self._ready.set()
                    return
                self._ready.set()
                self._read(r)
        except httpx.HTTPError:
            pass
        finally:
            self._ready.set()
            self.items.put("end")

    def _read(self, r: httpx.Response) -> None:
        block: list[str] = []
        for line in r.iter_lines():
            self.raw += line.encode() + b"\n"
            if line:
                block.append(line)
            elif block:
                self._emit(block)
                block = []

    def _emit(self, block: list[str]) -> None:
        if all(line.startswith(":") for line in block):
            self.items.put("beat")
            return
        fields = dict(line.split(": ", 1) for line in block if not line.startswith(":"))
        if "data" in fields:
            msg = Message(
                fields["event"],
                int(fields["id"]),
                json.loads(fields["data"]),
                b"\n".join(line.encode() for line in block),
            )
            self.items.put(msg)

    def next(self) -> Message:
        """The next message (heartbeats skipped); fails if the stream ends first, or if
        none comes within WAIT_S (heartbeats alone do not keep it waiting)."""
        deadline = time.monotonic() + WAIT_S
        while True:
            item = self.items.get(timeout=max(0.0, deadline - time.monotonic()))
            if isinstance(item, Message):
                return item
            assert item != "end", "the stream ended"

    def quiet(self, beats: int = 2) -> None:
        """Wait for ``beats`` heartbeats; no message may come meanwhile."""
        seen = 0
        while seen < beats:
            item = self.items.get(timeout=WAIT_S)
            assert not isinstance(item, Message), f"unexpected message {item.data}"
            assert item != "end", "the stream ended"
            seen += 1

    def until(self, test: Callable[[dict[str, Any]], bool]) -> Message:
        """Messages until one whose data passes ``test``."""
        while not test((msg := self.next()).data):
            pass
        return msg

    def settle(self, beats: int = 2) -> Message | None:
        """Read until ``beats`` heartbeats in a row; the last message read, if any."""
        last, seen = None, 0
        while seen < beats:
            item = self.items.get(timeout=WAIT_S)
            assert item != "end", "the stream ended"
            if isinstance(item, Message):
                last, seen = item, 0
            else:
                seen += 1
        return last

    def ended(self) -> bool:
        """True once the server ended the stream (messages before the end are skipped)."""
        while True:
            item = self.items.get(timeout=WAIT_S)
            if item == "end":
                return True

    def close(self) -> None:
        self._client.close()
        self._thread.join(WAIT_S)


@contextmanager
def stream(url: str, token: str | None, **kw: Any) -> Iterator[Stream]:
    s = Stream(url, token, **kw)
    try:
        yield s
    finally:
        s.close()

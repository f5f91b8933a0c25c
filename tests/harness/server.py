"""A real ``soulmark serve`` process to SIGKILL, and a bounded join load against it.

Everything here talks to loopback only; every loop is bounded in count and in time.
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.net import free_port

__all__ = ["Ack", "Load", "Server", "free_port"]

HOST = "127.0.0.1"


class Server:
    """``soulmark serve`` in its own process group, so SIGKILL takes it down whole."""

    def __init__(
        self,
        db_url: str,
        port: int,
        log: Path,
        *,
        args: tuple[str, ...] = (),
        nofile: int | None = None,
    ) -> None:
        """``args``: more options for ``serve``; ``nofile``: its soft and hard descriptor
        limit (a machine with few descriptors to give)."""
        self.db_url, self.port, self.log = db_url, port, log
        self.args, self.nofile = args, nofile
        self.base = f"http://{HOST}:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def start(self) -> None:
        cmd = [sys.executable, "-m", "soulmark", "serve", "--db", self.db_url]
        cmd += ["--host", HOST, "--port", str(self.port), "--no-notices", *self.args]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=self._limit if self.nofile else None,
            )
        self.started = time.monotonic()

    def _limit(self) -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def wait_ready(self, probe: str, timeout: float = 60.0) -> float:
        """Poll ``probe`` until it answers 200; returns the seconds since start."""
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.base, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.proc.returncode}: {self.log}")
                try:
                    if client.get(probe).status_code == 200:
                        return time.monotonic() - self.started
                except httpx.TransportError:
                    pass
                time.sleep(0.02)
        raise TimeoutError(f"the server did not answer {probe} in {timeout} s: {self.log}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no handler runs, nothing is flushed."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):  # it died by itself: wait() reaps it
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self.proc = None


@dataclass(frozen=True)
class Ack:
    email: str
    person: str
    token: str


@dataclass
class Load:
    """Threads that POST joins with unique emails and keep every 2xx acknowledgement.

    A join that could not connect is sent again once a server is back.  A join whose answer
    never arrived (the server died mid-request) is *in doubt*: it is sent once more with the
    same email, as a person pressing "join" again would; a 409 then shows the first landed.
    """

    base: str
    slug: str
    prefix: str
    threads: int = 4
    max_requests: int = 1_000_000
    deadline: float = 3600.0
    acked: list[Ack] = field(default_factory=list)
    attempted: set[str] = field(default_factory=set)
    in_doubt: set[str] = field(default_factory=set)
    conflicts: list[str] = field(default_factory=list)
    refused: dict[int, int] = field(default_factory=dict)
    requests: int = 0
    unreachable: int = 0
    """Requests refused at connect while no server listened (they never reached one)."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self._until = time.monotonic() + self.deadline
        for n in range(self.threads):
            worker = threading.Thread(target=self._run, args=(n,), daemon=True)
            worker.start()
            self._workers.append(worker)

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(30)

    def snapshot(self) -> list[Ack]:
        with self._lock:
            return list(self.acked)

    def attempted_snapshot(self) -> set[str]:
        with self._lock:
            return set(self.attempted)

    def acks(self) -> int:
        with self._lock:
            return len(self.acked)

    def _running(self) -> bool:
        return (
            not self._stop.is_set()
            and time.monotonic() < self._until
            and self.requests < self.max_requests
        )

    def _run(self, n: int) -> None:
        retry: list[str] = []
        i = 0
        with httpx.Client(base_url=self.base, timeout=30.0) as client:
            while self._running():
                if retry:
                    email = retry.pop()
                else:
                    email, i = f"{self.prefix}-{n}-{i}@faults.test", i + 1
                if not self._post(client, email):
                    retry.append(email)
                    time.sleep(0.01 + random.random() * 0.02)  # the server is down: back off

    def _post(self, client: httpx.Client, email: str) -> bool:
        """One join; False when the caller should send the same email again."""
        with self._lock:
            self.attempted.add(email)
            self.requests += 1
        body = {"name": f"Faults {email.split('@')[0]}", "email": email}
        try:
            response = client.post(f"/api/worlds/{self.slug}/join", json=body)
            data = response.json() if response.status_code == 201 else None
        except httpx.ConnectError:
            with self._lock:
                self.unreachable += 1
            return False  # it never reached a server: not in doubt, send it once one is back
        except (httpx.TransportError, ValueError):
            with self._lock:
                if email in self.in_doubt:
                    return True  # in doubt twice: leave it in doubt
                self.in_doubt.add(email)
            return False
        with self._lock:
            if data is not None:
                self.acked.append(Ack(email, data["person"], data["token"]))
            elif response.status_code == 409:
                self.conflicts.append(email)
            else:
                self.refused[response.status_code] = self.refused.get(response.status_code, 0) + 1
        return True

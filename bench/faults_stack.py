"""The real parts of a night in production, each one a process to start, stop and break.

Two ``soulmark serve`` instances behind one nginx, one notices worker, a local SMTP server
that can stall, all on a private PostgreSQL cluster that can be restarted.  Loopback only;
every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from bench.common import free_port

__all__ = ["Instance", "Nginx", "SmtpSink", "Worker", "nginx_binary"]

HOST = "127.0.0.1"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )


class _Process:
    """A command in its own process group, so SIGKILL takes it down whole."""

    def __init__(self, cmd: list[str], log: Path, env: dict[str, str]) -> None:
        self.cmd, self.log, self.env = cmd, log, env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.env},
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self.proc = None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it is still there after 10 s."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None


class Instance(_Process):
    """One ``soulmark serve`` without notices, believing the proxy's X-Forwarded-For."""

    def __init__(self, db_url: str, folder: Path, env: dict[str, str], name: str) -> None:
        self.port = free_port()
        cmd = [sys.executable, "-m", "soulmark", "serve", "--db", db_url, "--host", HOST]
        cmd += ["--port", str(self.port), "--no-notices", "--trusted-proxy", HOST]
        super().__init__(cmd, folder / f"{name}.log", env)
        self.base = f"http://{HOST}:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"the instance exited: {self.log}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base}/", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"the instance did not answer in {timeout} s: {self.log}")


class Worker(_Process):
    """``soulmark worker``: sends the notices and the join confirmations."""

    def __init__(self, db_url: str, folder: Path, env: dict[str, str], smtp_port: int) -> None:
        cmd = [sys.executable, "-m", "soulmark", "worker", "--db", db_url]
        cmd += ["--smtp", f"smtp://{HOST}:{smtp_port}"]
        super().__init__(cmd, folder / "worker.log", env)


SITE = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 8192; }}
worker_rlimit_nofile 20000;
http {{
  access_log {folder}/nginx-access.log;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream soulmark {{
{servers}
    keepalive 64;
  }}
  server {{
    listen {host}:{port};
    client_max_body_size 64m;
    location / {{
      proxy_pass http://soulmark;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
    }}
  }}
}}
"""


class Nginx(_Process):
    """Debian's nginx in the foreground, spreading requests over the instances."""

    def __init__(self, folder: Path, upstreams: list[int]) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install -y nginx-light)")
        self.port = free_port()
        servers = "\n".join(f"    server {HOST}:{p} max_fails=0;" for p in upstreams)
        conf = folder / "nginx.conf"
        text = SITE.format(folder=folder, servers=servers, host=HOST, port=self.port)
        conf.write_text(("user root;\n" if os.geteuid() == 0 else "") + text)
        cmd = [binary, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"]
        super().__init__(cmd, folder / "nginx.log", {})
        self.base = f"http://{HOST}:{self.port}"


@dataclass
class _Handler:
    delay_s: float = 0.0
    received: Counter[str] = field(default_factory=Counter)
    links: dict[str, list[str]] = field(default_factory=dict)
    ends: dict[str, list[int]] = field(default_factory=dict)
    """Per recipient, when each message's DATA ended (µs): the sender is done, bar the reply."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        ended = time.time_ns() // 1000
        if self.delay_s:
            await asyncio.sleep(self.delay_s)  # a stalling provider: a kill lands mid-batch
        message = message_from_bytes(envelope.original_content)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received[rcpt.lower()] += 1
                self.ends.setdefault(rcpt.lower(), []).append(ended)
                self.links.setdefault(rcpt.lower(), []).append(str(message["Subject"]))
        return "250 OK"


class SmtpSink:
    """aiosmtpd on loopback, counting each message per recipient."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.handler = _Handler(delay_s)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname=HOST, port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def received(self) -> Counter[str]:
        with self.handler.lock:
            return Counter(self.handler.received)

    def ends(self) -> dict[str, list[int]]:
        with self.handler.lock:
            return {a: list(t) for a, t in self.handler.ends.items()}

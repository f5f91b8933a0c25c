"""Audits run away from the server (issue 13, failure 3).

Re-running fate for a big roster is seconds of CPU.  On the event loop it froze every
request; on a thread it would still hold the GIL.  So each audit runs in a child process
(forked from a small fork server, with the audit code preloaded), at most ``MAX_AUDITS`` at
a time, and is killed when it takes longer than its time cap.  Bodies over MAX_TRANSCRIPT
are refused while they stream in (soulmark.web.bodies).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from anyio import to_thread

from soulmark.core import errors
from soulmark.core.errors import SoulmarkError

__all__ = ["MAX_TRANSCRIPT", "Auditor", "Busy"]

MAX_TRANSCRIPT = 64 * 1024 * 1024
AUDIT_SECONDS = 60.0
MAX_AUDITS = 2


class Busy(SoulmarkError):
    """Every audit slot is taken, or the audit ran past its time cap (a 503)."""


def _child(conn: Connection, text: str | bytes, commitment: str | None) -> None:
    from soulmark.services.audit import audit_report

    # Background work: when the CPU is short, the server's own requests go first.
    os.nice(10)
    try:
        conn.send(("ok", audit_report(text, commitment=commitment).to_json()))
    except SoulmarkError as exc:
        conn.send(("error", (type(exc).__name__, str(exc), exc.code)))
    except (RecursionError, MemoryError, ValueError, TypeError):
        conn.send(("error", ("TranscriptError", "that transcript cannot be audited", "")))
    finally:
        conn.close()


def _fork_server() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    # The child unpickles _child from this module: preloading it (and the package it sits
    # in) spares every audit the import of the whole web app.
    ctx.set_forkserver_preload(["soulmark.web.audit_runner", "soulmark.services.audit"])
    return ctx


class Auditor:
    """The app's audits: at most ``most`` at a time, each in a child process of its own fork
    server, made on first use (the app owns one; nothing is kept in the module)."""

    def __init__(self, most: int = MAX_AUDITS) -> None:
        self._slots = threading.BoundedSemaphore(most)
        self._context: Any = None
        self._context_lock = threading.Lock()

    def _ctx(self) -> Any:
        with self._context_lock:
            if self._context is None:
                self._context = _fork_server()
            return self._context

    async def run(
        self, text: str | bytes, *, commitment: str | None = None, seconds: float = AUDIT_SECONDS
    ) -> dict[str, Any]:
        """``audit_report(text).to_json()``, computed in a child process within ``seconds``."""
        return await to_thread.run_sync(self._run, text, commitment, seconds)

    def _run(self, text: str | bytes, commitment: str | None, seconds: float) -> dict[str, Any]:
        if not self._slots.acquire(blocking=False):
            raise Busy("the auditor is busy with other transcripts; try again in a minute")
        try:
            kind, value = _in_child(self._ctx(), text, commitment, seconds)
        finally:
            self._slots.release()
        if kind == "error":
            name, message, code = value  # the code crosses too: the answer's words follow it
            cls = getattr(errors, name, SoulmarkError)
            known = isinstance(cls, type) and issubclass(cls, SoulmarkError)
            raise (cls if known else SoulmarkError)(message, code=code)
        result: dict[str, Any] = value
        return result


def _in_child(ctx: Any, text: str | bytes, commitment: str | None, seconds: float) -> Any:
    ours, theirs = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(theirs, text, commitment), daemon=True)
    child.start()
    theirs.close()
    try:
        if not ours.poll(seconds):
            raise Busy(f"the audit took longer than {seconds:.0f} s and was stopped")
        return ours.recv()
    except EOFError:
        raise Busy("the audit stopped before it finished") from None
    finally:
        ours.close()
        if child.is_alive():
            child.kill()
        child.join()

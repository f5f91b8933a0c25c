"""Log lines an operator can use and nobody's data can leak through (issue 17, item 3).

Two formats, chosen by ``--log-json`` / ``SOULMARK_LOG_JSON``: text for a person at a
terminal, or one JSON object per line (time, level, logger, message, request_id, and the
fields a line adds: an access line's client, method, path, status, duration).  Either way:

- a line said while serving a request carries that request's id (soulmark.web.observer
  sets it; the formatters read it, so every logger's lines get it, uvicorn's too);
- an error names its real cause in fixed words ("disk full (ENOSPC)",
  soulmark.observe.causes) and its frames, never the exception's message: a database
  error quotes the statement and its values, names and addresses included.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from uvicorn.logging import DefaultFormatter

from soulmark.observe.causes import cause_of

__all__ = [
    "FIELDS",
    "JsonFormatter",
    "TextFormatter",
    "configure",
    "logging_config",
    "request_id",
]

request_id: ContextVar[str | None] = ContextVar("soulmark_request_id", default=None)
"""The id of the request being served in this context (None: not serving one)."""

FIELDS = ("client", "method", "path", "route", "status", "duration_ms", "cause", "error")
"""What a line may add through ``extra=``: fixed words and numbers only."""


_ADDRESS = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[^\s@<>\"'(),;:]+")
DEV_OUTBOX = "soulmark.notices.outbox"
"""Development's outbox: its text lines show whom a notice was for, which is their point."""


def mask(text: str, *, addresses: bool = True) -> str:
    """``text`` with every token reduced to its kind and, unless told, every address hidden
    (a mail server's refusal may quote the address it refused)."""
    # Imported late: the web package imports this module while it is being set up.
    from soulmark.web.redact import mask as masked

    text = masked(text)
    return _ADDRESS.sub("<address>", text) if addresses else text


def _frames(tb: TracebackType | None) -> list[str]:
    return [f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)][
        -12:
    ]


def _failure(exc_info: Any) -> dict[str, Any] | None:
    if not exc_info or not isinstance(exc_info, tuple) or exc_info[1] is None:
        return None
    kind, exc, tb = exc_info
    return {"error": kind.__name__, "cause": cause_of(exc).words, "frames": _frames(tb)}


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask(record.getMessage()),
            "request_id": request_id.get(),
        }
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = mask(value) if isinstance(value, str) else value
        failure = _failure(record.exc_info)
        if failure is not None:
            line.update(failure)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)


class TextFormatter(DefaultFormatter):
    """uvicorn's own look, with the request id and, for an error, its cause and frames."""

    def format(self, record: logging.LogRecord) -> str:
        exc_info, record.exc_info, record.exc_text = record.exc_info, None, None
        try:
            text = mask(super().format(record), addresses=record.name != DEV_OUTBOX)
        finally:
            record.exc_info = exc_info
        rid = request_id.get()
        if rid:
            text += f" [request {rid}]"
        failure = _failure(exc_info)
        if failure is not None:
            text += f"\n  {failure['error']}: {failure['cause']}"
            text += "".join(f"\n    at {frame}" for frame in failure["frames"])
        return text


def logging_config(*, as_json: bool) -> dict[str, Any]:
    """The ``logging.config`` dict for ``serve`` (uvicorn's workers apply it themselves):
    uvicorn's loggers and soulmark's, to stderr, one line each.  uvicorn's access log is
    off: the app logs each request itself, with the client behind the proxy and the
    request id (soulmark.web.observer)."""
    formatter = (
        {"()": "soulmark.observe.logs.JsonFormatter"}
        if as_json
        else {"()": "soulmark.observe.logs.TextFormatter", "fmt": "%(levelprefix)s %(message)s"}
    )
    handler = {"formatter": "main", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    quiet = {"handlers": ["main"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {"uvicorn": quiet, "uvicorn.error": {"level": "INFO"}, "soulmark": quiet},
    }


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is at each line (a test's capture, a redirect)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(*, as_json: bool, rich: bool) -> None:
    """``soulmark worker``'s log: rich only at a terminal that asked for text; otherwise one
    plain line per message, never wrapped.  Called again, it replaces its own handler; a
    log another program (a test harness) set up already is left as it is."""
    root = logging.getLogger()
    if any(h.get_name() != _OURS for h in root.handlers):
        return
    handler: logging.Handler
    if rich and not as_json and sys.stderr.isatty():
        from rich.logging import RichHandler

        handler = RichHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = _Stderr()
        handler.setFormatter(
            JsonFormatter()
            if as_json
            else TextFormatter("%(asctime)s %(levelprefix)s %(name)s: %(message)s")
        )
    handler.set_name(_OURS)
    for old in [h for h in root.handlers if h.get_name() == _OURS]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


_OURS = "soulmark.observe"

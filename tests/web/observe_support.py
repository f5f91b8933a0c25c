"""Helpers for the health, metrics and log tests: an app with chosen settings, and log lines
caught as the JSON formatter writes them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from soulmark.observe.logs import JsonFormatter
from soulmark.store import Store
from soulmark.web import Settings, create_app


def app_client(store: Store, clock: Any, **settings: Any) -> TestClient:
    kw = {"client": settings.pop("client")} if "client" in settings else {}
    made = Settings(
        store=store, clock=clock, secret=b"k" * 32, base_url="http://soulmark.test", **settings
    )
    return TestClient(create_app(made), base_url="http://soulmark.test", **kw)


class Lines(logging.Handler):
    """Every line soulmark (and uvicorn) says, as JSON objects."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []
        self.raw: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self.raw.append(text)
        self.lines.append(json.loads(text))


@contextmanager
def json_lines() -> Iterator[Lines]:
    caught = Lines()
    loggers = [logging.getLogger(n) for n in ("soulmark", "uvicorn")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(caught)
        lg.setLevel(logging.INFO)
    try:
        yield caught
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(caught)
            lg.setLevel(level)

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from soulmark.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def cli(db_url: str, capsys, monkeypatch) -> Run:
    """Run ``soulmark ARGS --db URL`` in-process through the real entry point."""

    def run(*args: str, db: bool = True) -> Result:
        argv = ["soulmark", *args, *(["--db", db_url] if db else [])]
        monkeypatch.setattr(sys, "argv", argv)
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run

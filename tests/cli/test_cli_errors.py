"""Bad input: one line on stderr, a non-zero exit, no traceback, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from soulmark.store.models import PersonRow, WorldRow

W = ["--window-start", "2031-01-01", "--window-end", "2031-06-01"]


def _count(db_url: str, model) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return n


def _one_line_error(r, needle: str) -> None:
    assert r.code != 0
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert needle in lines[0]
    assert "Traceback" not in r.err + r.out


@pytest.fixture
def world(cli) -> str:
    return cli("world", "create", "Errors", *W, "--json").json["world"]


def test_window_end_not_after_start(cli, db_url):
    r = cli("world", "create", "X", "--window-start", "2031-02-01", "--window-end", "2031-01-01")
    _one_line_error(r, "end must be after its start")
    assert _count(db_url, WorldRow) == 0


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("   ", "empty"),
        ("x" * 101, "longer than 100"),
        ("Evil\x07Bell", "control character"),
        ("abc\u202edcba", "bidirectional"),
        ("line\nbreak", "control character"),
    ],
)
def test_bad_names_are_refused(cli, db_url, world, name, needle):
    r = cli("join", world, "--name", name, "--email", "a@b.test")
    _one_line_error(r, needle)
    assert _count(db_url, PersonRow) == 0


@pytest.mark.parametrize("email", ["nope", "a@b", "@b.test", "a b@c.test", "a@@b.test"])
def test_malformed_email_is_refused(cli, db_url, world, email):
    _one_line_error(cli("join", world, "--name", "A", "--email", email), "not a valid email")
    assert _count(db_url, PersonRow) == 0


def test_membership_same_email_twice_in_a_world_is_answered_like_a_new_join(cli, world):
    # Issue 22: the CLI's join is the web's; an address that joined is never told apart.
    first = cli("join", world, "--name", "A", "--email", "a@b.test", "--json")
    again = cli("join", world, "--name", "B", "--email", "A@B.TEST", "--json")
    fresh = cli("join", world, "--name", "C", "--email", "c@b.test", "--json")
    assert first.code == again.code == fresh.code == 0
    assert again.json.keys() == fresh.json.keys()
    assert again.json["token"] != first.json["token"]
    assert cli("wrist", first.json["token"]).code == 0, "the first wrist is kept"


def test_unknown_world_and_token(cli):
    _one_line_error(cli("join", "nowhere", "--name", "A", "--email", "a@b.test"), "no world")
    _one_line_error(cli("wrist", "w_nothing"), "no wrist")
    _one_line_error(cli("seal", "nowhere"), "no world")
    _one_line_error(cli("transcript", "nowhere"), "no world")


def test_sealing_an_empty_roster(cli, world):
    _one_line_error(cli("seal", world), "no one in it")
    assert cli("world", "show", world, "--json").json["open_round"] == 1


def test_bad_moment_and_missing_argument(cli, world):
    _one_line_error(cli("wrist", "w_x", "--at", "yesterday-ish"), "not an ISO 8601")
    r = cli("join", world)
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"format": "soulmark-transcript", "version": 99}), "version"),
        (json.dumps({"format": "something-else", "version": 1}), "not a soulmark transcript"),
    ],
)
def test_transcripts_that_cannot_be_audited(cli, tmp_path, content, needle):
    path = tmp_path / "t.json"
    path.write_text(content)
    _one_line_error(cli("audit", str(path), db=False), needle)


def test_no_traceback_from_the_installed_command(tmp_path):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    proc = subprocess.run(
        [sys.executable, "-m", "soulmark", "seal", "ghost", "--db", db],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: no world called 'ghost'"


def _commands() -> list[list[str]]:
    """Every command the real ``soulmark`` app has, groups walked: none can be left out."""
    import typer

    from soulmark.cli import app

    group = typer.main.get_group(app)

    def walk(cmd: Any, path: list[str]) -> list[list[str]]:
        subs = getattr(cmd, "commands", None)
        if not subs:
            return [path]
        return [p for name, sub in sorted(subs.items()) for p in walk(sub, [*path, name])]

    return walk(group, [])


def test_the_command_list_is_the_real_one():
    names = {" ".join(c) for c in _commands()}
    assert {"planet", "world create", "audit", "join", "serve"} <= names


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(cli, command):
    r = cli(*command, "--help", db=False)
    assert r.code == 0 and "Example" in r.out

"""Request ids, JSON log lines and the real cause of an error; never a token, name or
address in a line, and the client behind a trusted proxy (issue 17, item 3)."""

from __future__ import annotations

import errno
import io
import json
import logging
import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from soulmark.observe.causes import cause_of
from soulmark.observe.logs import configure
from soulmark.web.routes import worlds
from tests.web.observe_support import app_client, json_lines

SECRET_NAME = "Zedekiah Secretname"


def _failing_with(monkeypatch, exc: Exception) -> None:
    def boom(*_a, **_k):
        raise exc

    monkeypatch.setattr(worlds.services, "world_info", boom)


def _wrapped(driver_error: Exception) -> OperationalError:
    """What SQLAlchemy raises: the statement and its values, the driver's error in ``orig``."""
    return OperationalError(
        "INSERT INTO people (name, email) VALUES (?, ?)",
        (SECRET_NAME, "zed@secret.example"),
        driver_error,
    )


def test_request_id_is_taken_when_well_formed_and_returned(web):
    r = web.client.get("/healthz", headers={"X-Request-ID": "edge-7f3a.42:1"})
    assert r.headers["x-request-id"] == "edge-7f3a.42:1"


@pytest.mark.parametrize(
    "offered", ["", "has spaces in it", "x" * 200, "w_abcdefghijklmnopqrstuvwx", 'a"b']
)
def test_request_id_is_made_when_missing_or_malformed(web, offered):
    r = web.client.get("/healthz", headers={"X-Request-ID": offered} if offered else {})
    made = r.headers["x-request-id"]
    assert made != offered and len(made) == 32 and int(made, 16) >= 0


def test_every_log_line_of_a_request_carries_its_id(web, monkeypatch):
    _failing_with(monkeypatch, RuntimeError("boom"))
    web.client.raise_server_exceptions = False
    with json_lines() as caught:
        r = web.client.get("/api/worlds/x", headers={"X-Request-ID": "req-1234"})
        web.client.get("/healthz", headers={"X-Request-ID": "req-5678"})
    assert r.status_code == 500 and r.headers["x-request-id"] == "req-1234"
    mine = [line for line in caught.lines if line["request_id"] == "req-1234"]
    assert {line["logger"] for line in mine} == {"soulmark.web", "soulmark.access"}
    access = next(line for line in mine if line["logger"] == "soulmark.access")
    assert access["route"] == "/api/worlds/{slug}" and access["status"] == 500
    for line in caught.lines:
        assert set(line) >= {"time", "level", "logger", "message", "request_id"}


def test_json_log_names_disk_full_cause(web, monkeypatch):
    _failing_with(monkeypatch, _wrapped(sqlite3.OperationalError("database or disk is full")))
    web.client.raise_server_exceptions = False
    with json_lines() as caught:
        assert web.client.get("/api/worlds/x").status_code == 500
    error = next(line for line in caught.lines if line["level"] == "error")
    assert error["cause"] == "disk full (SQLITE_FULL)" and error["error"] == "OperationalError"
    assert "disk full" in error["message"]
    for raw in caught.raw:
        assert SECRET_NAME not in raw and "secret.example" not in raw


def test_json_log_names_too_many_open_files_under_the_wrapper(web, monkeypatch):
    # psycopg failing to connect, for want of descriptors: the OSError is two levels down.
    try:
        try:
            raise OSError(errno.EMFILE, "Too many open files")
        except OSError as low:
            raise psycopg.OperationalError("could not open the connection") from low
    except psycopg.OperationalError as driver:
        wrapped = _wrapped(driver)
    _failing_with(monkeypatch, wrapped)
    web.client.raise_server_exceptions = False
    with json_lines() as caught:
        assert web.client.get("/api/worlds/x").status_code == 503
    said = next(line for line in caught.lines if line["level"] == "warning")
    assert said["cause"] == "cannot connect (too many open files (EMFILE))"
    assert "too many open files (EMFILE)" in said["message"]


def test_a_refused_connection_is_named_from_the_driver_error():
    with pytest.raises(psycopg.OperationalError) as raised:
        psycopg.connect("host=127.0.0.1 port=1 dbname=x connect_timeout=2")
    assert cause_of(_wrapped(raised.value)).words == "connection refused"
    assert cause_of(OSError(errno.ENOSPC, "No space left on device")).words == "disk full (ENOSPC)"
    assert cause_of(ValueError("Zedekiah")).words == "ValueError"


class _ServerSaid(Exception):
    """A driver error as psycopg raises one the server answered with: its SQLSTATE."""

    def __init__(self, state: str) -> None:
        super().__init__(f"ERROR {state}: for Zedekiah Secretname")
        self.sqlstate = state


@pytest.mark.parametrize(
    ("state", "kind", "words"),
    [
        ("53100", "disk_full", "disk full (SQLSTATE 53100)"),
        ("55P03", "lock_timeout", "lock timeout (SQLSTATE 55P03)"),
        ("23505", "other", "OperationalError from _ServerSaid"),
    ],
)
def test_a_server_error_is_named_by_its_sqlstate(state, kind, words):
    said = cause_of(_wrapped(_ServerSaid(state)))
    assert (said.kind, said.words) == (kind, words)


def test_a_logged_exception_keeps_its_frames_and_cause_but_not_its_message():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    from soulmark.observe.logs import JsonFormatter

    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("soulmark.test_logs")
    log.addHandler(handler)
    try:
        try:
            raise _wrapped(sqlite3.OperationalError("database is locked"))
        except OperationalError:
            log.exception("a notice pass failed; the next one will try again")
    finally:
        log.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["cause"] == "lock timeout (SQLITE_BUSY)" and line["frames"]
    assert SECRET_NAME not in stream.getvalue() and "INSERT" not in stream.getvalue()


def test_access_line_names_the_client_behind_a_trusted_proxy(store, clock):
    client = app_client(store, clock, trusted_proxies=("10.0.0.0/8",), client=("10.1.2.3", 4567))
    with client, json_lines() as caught:
        client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.23, 10.0.0.9"})
    access = next(line for line in caught.lines if line["logger"] == "soulmark.access")
    assert access["client"] == "198.51.100.23" and access["path"] == "/healthz"
    assert access["message"].startswith('198.51.100.23 - "GET /healthz HTTP/1.1" 200')


def test_access_lines_hold_no_token_name_or_address(web):
    world = web.world(["Quillon Marrowfeather", "Ysolde Brankovic"])
    person = next(iter(world.people.values()))
    with json_lines() as caught:
        web.client.get(f"/wrist/{person.token}")
        web.client.get(f"/organizer/{world.organizer}?email={person.email}")
        web.api("GET", "/api/wrist", person.token)
        joined = web.api(
            "POST",
            f"/api/worlds/{world.slug}/join",
            json={"name": "Hesper Oakenfold", "email": "hesper@oak.example"},
        )
    assert joined.status_code == 201
    text = "\n".join(caught.raw)
    paths = [line["path"] for line in caught.lines if line["logger"] == "soulmark.access"]
    assert "/wrist/w_…" in paths and "/organizer/o_…" in paths
    for needle in (person.token, person.token[2:], world.organizer, joined.json()["token"]):
        assert needle not in text
    for needle in ("Quillon", "Ysolde", "Hesper", person.email, "oak.example"):
        assert needle not in text


def test_the_worker_logs_whole_lines_when_not_on_a_terminal(capsys):
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    root.handlers[:] = []  # as in a worker process: nothing set up before
    try:
        configure(as_json=False, rich=True)  # pytest's stderr is no terminal
        logging.getLogger("soulmark.notices").info("notices: %s", "x" * 150)
        configure(as_json=True, rich=True)
        logging.getLogger("soulmark.notices").warning("to kat@school.example: refused")
    finally:
        root.handlers[:], root.level = kept
    text_line, json_line = capsys.readouterr().err.strip().split("\n")
    assert text_line.endswith("notices: " + "x" * 150)
    assert json.loads(json_line)["message"] == "to <address>: refused"


_OUT_OF_DESCRIPTORS = """
import resource, sys
from soulmark.observe.causes import cause_of
from soulmark.store import open_store

store = open_store(sys.argv[1])
store.engine.dispose()  # the next connection is a new one
resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
held = []
try:
    while True:
        held.append(open("/dev/null"))
except OSError:
    pass
try:
    with store.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
except Exception as exc:
    print(cause_of(exc).words)
"""


def test_a_real_lack_of_descriptors_is_named(db_url, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", _OUT_OF_DESCRIPTORS, db_url],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.stdout.strip() == "too many open files (EMFILE)", done.stderr[-2000:]

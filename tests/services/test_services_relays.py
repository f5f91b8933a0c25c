"""B1 without copy and paste: at seal the server fetches the awaited drand round from relays,
verifies it as a pasted one, and falls back to the pasted signature when no relay answers.

The relays here are local HTTP servers on loopback serving the recorded round in
tests/vectors: nothing leaves the machine."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soulmark.cli import app
from soulmark.core.audit import load_transcript
from soulmark.core.beacon import CHAINS, BeaconSpec
from soulmark.core.errors import Conflict
from soulmark.core.times import DAY, iso
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.services import create_world, join, seal, transcript_text
from soulmark.services.relays import default_beacon, fetch_signature
from soulmark.services.schedule import plan_seal
from soulmark.store import Store

VECTOR = json.loads((Path(__file__).parents[1] / "vectors" / "drand_quicknet.json").read_text())[
    "rounds"
][0]
SPEC = BeaconSpec("quicknet", VECTOR["round"])
DUE = SPEC.published_at
OPENED = DUE - DAY
PATH = f"/{CHAINS['quicknet'].chain_hash}/public/{SPEC.round}"


def _relay(body: Callable[[], bytes | None]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            data = body() if self.path == PATH else None
            self.send_response(200 if data is not None else 404)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(data or b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def good_relay() -> Iterator[str]:
    yield from _relay(lambda: json.dumps(VECTOR).encode())


@pytest.fixture
def lying_relay() -> Iterator[str]:
    wrong = VECTOR["signature"][:-1] + ("0" if VECTOR["signature"][-1] != "0" else "1")
    yield from _relay(lambda: json.dumps({**VECTOR, "signature": wrong}).encode())


@pytest.fixture
def dead_relay() -> str:
    with socket.socket() as s:  # a port nobody listens on any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _world(store: Store) -> str:
    made = create_world(
        store,
        name="Relayed",
        window_start=DUE + DAY,
        window_end=DUE + 90 * DAY,
        at=OPENED,
        beacon=SPEC,
    )
    for i in range(4):
        join(store, world=made.world, name=f"P{i}", email=f"p{i}@r.example", at=OPENED + i)
    return made.world


def test_b1_seal_fetches_the_awaited_round_from_a_relay(store: Store, good_relay: str) -> None:
    world = _world(store)
    seal(store, world=world, at=DUE + 1, relays=[good_relay])
    doc = load_transcript(transcript_text(store, world=world))
    assert doc["beacon"]["randomness"] == VECTOR["randomness"]


def test_b1_a_relay_that_lies_or_is_down_is_skipped(
    store: Store, lying_relay: str, dead_relay: str, good_relay: str
) -> None:
    assert fetch_signature(SPEC, [lying_relay, dead_relay]) is None
    world = _world(store)
    seal(store, world=world, at=DUE + 1, relays=[dead_relay, lying_relay, good_relay])
    assert load_transcript(transcript_text(store, world=world))["beacon"]["round"] == SPEC.round


def test_b1_with_no_relay_answering_the_pasted_signature_is_used(
    store: Store, dead_relay: str
) -> None:
    world = _world(store)
    with pytest.raises(Conflict):
        seal(store, world=world, at=DUE + 1, relays=[dead_relay])
    seal(store, world=world, at=DUE + 1, relays=[dead_relay], beacon_signature=VECTOR["signature"])
    assert load_transcript(transcript_text(store, world=world))["beacon"]["round"] == SPEC.round


def test_b1_new_worlds_get_a_beacon_by_default_when_relays_are_configured(
    tmp_path: Path, good_relay: str
) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    close = iso(DUE - 2)
    args = ["world", "create", "Relayed", "--window-start", iso(DUE + DAY), "--window-end",
            iso(DUE + 90 * DAY), "--joins-close", close, "--relay", good_relay,
            "--at", iso(OPENED), "--db", db, "--json"]  # fmt: skip
    made = CliRunner().invoke(app, args)
    assert made.exit_code == 0, made.output
    beacon = json.loads(made.stdout)["beacon"]
    assert beacon["round"] == SPEC.round  # the first round published at or after the close
    assert default_beacon(joins_close=OPENED, at=OPENED) is None  # a close in the past: none
    slug = json.loads(made.stdout)["world"]
    for i in range(2):
        person = ["--name", f"P{i}", "--email", f"p{i}@r.example"]
        joined = CliRunner().invoke(app, ["join", slug, *person, "--at", iso(OPENED), "--db", db])
        assert joined.exit_code == 0, joined.output
    sealed = CliRunner().invoke(
        app, ["seal", slug, "--relay", good_relay, "--at", iso(DUE + 1), "--db", db, "--json"]
    )
    assert sealed.exit_code == 0, sealed.output


def test_i9_a_planned_seal_fetches_its_beacon_through_the_workers_relays(
    store: Store, good_relay: str
) -> None:
    world = _world(store)
    plan_seal(store, world=world, seal_at=iso(DUE + 1), at=OPENED + 10)
    settings = NoticeSettings(beacon_relays=(good_relay,))
    assert deliver_due(store, settings, now_us=DUE + 1).sealed == 1
    doc = load_transcript(transcript_text(store, world=world))
    assert doc["beacon"]["randomness"] == VECTOR["randomness"]

"""One way to open a world (issue 21): ``soulmark world create`` and ``POST /api/worlds``
call the same service, so the same request gives the same world, whichever door it came in.
The one difference is who opened it: a world opened from the web mails nobody but its
organizer until they confirm their address (services.senders), as does one whose organizer's
links were mailed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from soulmark.core.times import iso
from soulmark.store import Store
from soulmark.store.models import RoundRow, WorldRow
from soulmark.store.notice_models import NoticeRow
from soulmark.web import create_app
from tests.cli.conftest import Run, cli  # noqa: F401  (the fixture)
from tests.web.conftest import T0, Web, clock, web  # noqa: F401  (the fixtures)

RELAY = "http://relay.invalid"
ASKED = {
    "name": "Class 1-A",
    "window_start": "2030-04-01",
    "window_end": "2031-03-31",
    "time_zone": "Asia/Tokyo",
    "email_domain": "ua.test",
    "organizer_email": "aizawa@ua.test",
    "seal_at": "2030-03-25T09:00",
}
NOT_THE_SAME = {"world", "commitment", "organizer_token", "join_url", "organizer_url"}
"""Drawn afresh for each world: its address, its secret's commitment, its private links."""


def _by_cli(cli: Run, relays: bool = True, **asked: str) -> dict[str, Any]:  # noqa: F811
    args = [f"--{k.replace('_', '-')}={v}" for k, v in asked.items() if k != "name"]
    args += [f"--at={iso(T0)}", "--json", *([f"--relay={RELAY}"] if relays else [])]
    done = cli("world", "create", asked["name"], *args)
    assert done.code == 0, done.err
    return done.json


def _by_web(web: Web, **asked: str) -> dict[str, Any]:  # noqa: F811
    web.settings.beacon_relays = (RELAY,)
    with TestClient(create_app(web.settings), base_url="http://soulmark.test") as client:
        made = client.post("/api/worlds", json=asked)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _world(store: Store, slug: str) -> dict[str, Any]:
    """What a world is, apart from what is drawn afresh for each one."""
    with store.read() as s:
        row = s.scalars(select(WorldRow).where(WorldRow.slug == slug)).one()
        first = s.scalars(select(RoundRow).where(RoundRow.world_id == row.id)).one()
        mails = s.scalars(select(NoticeRow.to_addr).where(NoticeRow.world_id == row.id)).all()
        return {
            "row": {
                key: getattr(row, key)
                for key in ("name", "window_start", "window_end", "params", "email_domain")
                + ("time_zone", "seal_at", "seal_round", "created_at", "open_round")
            },
            "beacon": (first.beacon_chain, first.beacon_round),
            "mailed": sorted(mails),
            "held": not row.sender_confirmed,
        }


def test_i21_the_cli_and_the_web_open_the_same_world_for_the_same_request(
    cli: Run,  # noqa: F811
    web: Web,  # noqa: F811
    store: Store,
) -> None:
    by_cli, by_web = _by_cli(cli, **ASKED), _by_web(web, **ASKED)
    assert {k: v for k, v in by_cli.items() if k not in NOT_THE_SAME} == {
        k: v for k, v in by_web.items() if k not in NOT_THE_SAME
    }
    assert by_cli["seal_at"] and by_cli["mailed_to"] == "aizawa@ua.test"
    assert by_cli["beacon"] is not None, "relays set up: the default beacon, on both paths"
    from_cli, from_web = _world(store, by_cli["world"]), _world(store, by_web["world"])
    assert from_cli == from_web
    assert from_cli["held"], "a mailed organizer confirms their address first, either way"
    assert from_cli["mailed"] == ["aizawa@ua.test"]


def test_i21_without_relays_or_mail_no_beacon_and_only_the_web_holds_its_world(
    cli: Run,  # noqa: F811
    web: Web,  # noqa: F811
    store: Store,
) -> None:
    plain = {k: ASKED[k] for k in ("name", "window_start", "window_end")}
    by_cli = _by_cli(cli, relays=False, **plain)
    made = web.api("POST", "/api/worlds", json=plain)
    assert made.status_code == 201
    assert by_cli["beacon"] is None and made.json()["beacon"] is None
    assert not _world(store, by_cli["world"])["held"], "the operator's own world mails at once"
    assert _world(store, made.json()["world"])["held"], "a stranger's waits for their address"


def test_i21_a_bad_planned_seal_is_one_line_on_the_cli_and_nothing_is_opened(
    cli: Run,  # noqa: F811
    store: Store,
) -> None:
    done = cli(
        "world",
        "create",
        "Late",
        "--window-start=2030-04-01",
        "--window-end=2030-04-02",
        "--seal-at=2020-01-01T00:00",
    )
    assert done.code == 1 and "later than now" in done.err and "Traceback" not in done.err
    with store.read() as s:
        assert s.scalars(select(WorldRow)).all() == []

"""One-click unsubscribe (RFC 8058, issue 17 item 6): the link a notice or an invitation
carries, as the real local SMTP server received it, used with no login and no cookie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from notices_support import SmtpServer, World
from sqlalchemy import select

from soulmark.core.times import HOUR, SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.services import create_world
from soulmark.services.invites import Invitee, invite
from soulmark.store import Store
from soulmark.store.notice_models import NoticeRow, SuppressionRow
from soulmark.web import Settings, create_app
from soulmark.web.redact import mask

BASE = "https://soulmark.test"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    app = create_app(Settings(store=store, base_url=BASE, clock=lambda: 5 * HOUR))
    with TestClient(app, base_url=BASE) as c:
        yield c


def settings_for(server: SmtpServer) -> NoticeSettings:
    return NoticeSettings(smtp_url=server.url, base_url=BASE)


def _links(server: SmtpServer, to: str) -> list[str]:
    """The unsubscribe path of each message ``to`` received, in order."""
    out = []
    for _, rcpts, raw in server.recorder.messages:
        found = re.search(rb"List-Unsubscribe: <([^>]+)>", raw)
        if rcpts == [to] and found:
            out.append(found.group(1).decode().removeprefix(BASE))
    return out


def _kinds(server: SmtpServer, to: str) -> list[str]:
    return [
        "tingles" if "tingles" in str(m["Subject"]) else "stopped"
        for m in server.recorder.parsed()
        if str(m["To"]) == to
    ]


def _first(world: World) -> tuple[str, dict[str, Any]]:
    """The matched person whose itch starts first."""
    return min(
        ((e, p) for e, p in world.people.items() if p["partner"]), key=lambda i: i[1]["itch_start"]
    )


def test_one_click_unsubscribe_stops_notices_without_login(
    store: Store, world: World, smtp_server: SmtpServer, client: TestClient
) -> None:
    email, person = _first(world)
    deliver_due(store, settings_for(smtp_server), now_us=person["itch_start"])
    assert _kinds(smtp_server, email) == ["tingles"]
    [path] = _links(smtp_server, email)
    answer = client.post(path, data=ONE_CLICK)  # no cookie, no CSRF token: a mail provider
    assert answer.status_code == 200 and 'id="unsubscribe-done"' in answer.text
    assert client.post(path, data=ONE_CLICK).status_code == 200  # pressing twice is fine
    report = deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    assert _kinds(smtp_server, email) == ["tingles"]  # no "it stopped"
    others = [e for e in world.matched if e != email]
    assert all(_kinds(smtp_server, e).count("stopped") == 1 for e in others)
    assert report.failed == 0
    with store.read() as s:
        statuses = s.execute(
            select(NoticeRow.kind, NoticeRow.status).where(NoticeRow.to_addr == email)
        ).all()
    assert sorted(tuple(r) for r in statuses) == [("stopped", "suppressed"), ("tingles", "sent")]


def test_get_unsubscribe_changes_nothing(
    store: Store, world: World, smtp_server: SmtpServer, client: TestClient
) -> None:
    email, person = _first(world)
    deliver_due(store, settings_for(smtp_server), now_us=person["itch_start"])
    [path] = _links(smtp_server, email)
    page = client.get(path)
    assert page.status_code == 200
    assert f'action="{path}"' in page.text
    assert 'name="List-Unsubscribe" value="One-Click"' in page.text
    assert 'id="unsubscribe-done"' not in page.text
    read = client.get("/api" + path)
    assert read.json() == {
        "kind": "notices",
        "world": "yuei",
        "world_name": world.name,
        "done": False,
    }
    deliver_due(store, settings_for(smtp_server), now_us=world.end + SECOND)
    assert _kinds(smtp_server, email) == ["tingles", "stopped"]  # the GETs stopped nothing


def test_one_click_unsubscribe_from_an_invitation_stops_invitations_to_that_address(
    store: Store, smtp_server: SmtpServer, client: TestClient
) -> None:
    for slug in ("one", "two"):
        create_world(
            store,
            name=f"World {slug}",
            slug=slug,
            window_start=10 * HOUR,
            window_end=20 * HOUR,
            at=0,
        )
    invite(store, world="one", invitees=[Invitee("a@school.example")], at=0, base_url=BASE)
    deliver_due(store, settings_for(smtp_server), now_us=SECOND)
    [path] = _links(smtp_server, "a@school.example")
    done = client.post("/api" + path)
    assert done.json() == {
        "kind": "invite",
        "world": "one",
        "world_name": "World one",
        "done": True,
    }
    with store.read() as s:
        assert s.scalars(select(SuppressionRow.reason)).all() == ["unsubscribed"]
    again = invite(store, world="two", invitees=[Invitee("A@school.example")], at=HOUR)
    assert (again.sent, again.suppressed) == (0, 1)
    deliver_due(store, settings_for(smtp_server), now_us=2 * HOUR)
    assert len(smtp_server.recorder.messages) == 1
    page = client.get(path)
    assert 'id="unsubscribe-done"' in page.text and "no more invitations" in page.text


def test_an_unsubscribe_needs_its_one_click_body_and_a_real_key(
    store: Store, world: World, smtp_server: SmtpServer, client: TestClient
) -> None:
    email, person = _first(world)
    deliver_due(store, settings_for(smtp_server), now_us=person["itch_start"])
    [path] = _links(smtp_server, email)
    bare = client.post(path, data={"List-Unsubscribe": "yes"})
    assert bare.status_code == 422 and "List-Unsubscribe=One-Click" in bare.text
    assert client.get("/api" + path).json()["done"] is False  # nothing half-done
    unknown = client.post("/api/unsubscribe/u_" + "x" * 24)
    assert unknown.status_code == 404 and unknown.json()["code"] == "unsubscribe-unknown"


def test_the_unsubscribe_page_speaks_japanese(
    store: Store, world: World, smtp_server: SmtpServer, client: TestClient
) -> None:
    email, person = _first(world)
    deliver_due(store, settings_for(smtp_server), now_us=person["itch_start"])
    [path] = _links(smtp_server, email)
    page = client.get(path, headers={"Accept-Language": "ja"})
    assert 'type="submit">配信を停止する</button>' in page.text
    done = client.post(path, data=ONE_CLICK, headers={"Accept-Language": "ja"})
    assert "停止しました" in done.text


def test_access_logs_keep_no_unsubscribe_key() -> None:
    assert mask("POST /unsubscribe/u_abcdefghijklmnopqrstuvwx HTTP/1.1") == (
        "POST /unsubscribe/u_… HTTP/1.1"
    )


def test_the_dashboard_counts_refused_invitations_and_names_no_address(
    store: Store, smtp_server: SmtpServer, client: TestClient
) -> None:
    made = create_world(
        store, name="Counted", slug="c", window_start=10 * HOUR, window_end=20 * HOUR, at=0
    )
    smtp_server.recorder.refuse.add("gone@school.example")
    people = [Invitee("gone@school.example"), Invitee("here@school.example")]
    invite(store, world="c", invitees=people, at=0, base_url=BASE)
    deliver_due(store, settings_for(smtp_server), now_us=SECOND)
    auth = {"Authorization": f"Bearer {made.organizer_token}"}
    board = client.get("/api/organizer", headers=auth)
    assert board.json()["invitations"]["refused"] == 1
    assert board.json()["notices"]["refused"] == 1
    assert "@" not in board.text and "gone" not in board.text
    client.cookies.clear()
    page = client.get(f"/organizer/{made.organizer_token}", follow_redirects=True)
    assert 'id="invitations-refused">1<' in page.text and "gone@" not in page.text

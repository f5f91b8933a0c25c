"""One-time means once (issue 22): a sign-in code, an invitation and a confirmation link are
each spent by exactly one of many concurrent uses; a claim never replaces another wrist's token.

The concurrent uses go to a real server from threads released together, so on PostgreSQL they
are truly concurrent transactions (on SQLite the database serializes the writes)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from soulmark.services.invites import PURPOSE
from soulmark.store.link_models import SigninCodeRow
from soulmark.web import Settings, create_app
from tests.mailbox import confirmations, invitations, signins
from tests.web.live_support import Server

USES = 12


def code_of(link: str) -> str:
    return link.rsplit("#", 1)[1]


@pytest.fixture
def live(web) -> Iterator[Server]:
    settings = Settings(store=web.store, clock=web.clock, secret=web.settings.secret)
    with Server(create_app(settings)) as server:
        yield server


def _at_once(url: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST each body from its own thread, all released at the same moment."""
    start = threading.Barrier(len(bodies))
    answers: list[httpx.Response | None] = [None] * len(bodies)

    def use(i: int) -> None:
        with httpx.Client(timeout=30) as client:
            start.wait()
            answers[i] = client.post(url, json=bodies[i])

    threads = [threading.Thread(target=use, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def _invite(web, world, *emails: str) -> None:
    body = {"invitations": [{"email": e} for e in emails]}
    answer = web.api("POST", "/api/organizer/invitations", world.organizer, json=body)
    assert answer.status_code == 200, answer.text


def test_once_a_sign_in_code_signs_in_once_under_concurrent_uses(web, live):
    world = web.world(["Iida", "Bakugou"])
    web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": "p0@school.test"})
    code = code_of(signins(web.store)[0]["link"])
    answers = _at_once(f"{live.url}/api/signin", [{"code": code}] * USES)
    won = [a for a in answers if a.status_code == 200]
    assert len(won) == 1, [a.status_code for a in answers]
    for lost in answers:
        if lost is not won[0]:
            assert lost.status_code == 404 and lost.json()["code"] == "signin-spent"
    assert web.api("GET", "/api/wrist", won[0].json()["token"]).status_code == 200


def test_once_an_invitation_is_claimed_once_under_concurrent_uses(web, live):
    world = web.world(["Bakugou"], seal=False)
    _invite(web, world, "tenya@school.test")
    code = code_of(invitations(web.store)[0]["link"])
    bodies = [{"code": code, "name": f"Tenya {i}"} for i in range(USES)]
    answers = _at_once(f"{live.url}/api/invite", bodies)
    won = [a for a in answers if a.status_code == 200]
    assert len(won) == 1, [a.status_code for a in answers]
    assert sorted(a.json().get("code", "") for a in answers if a not in won) == [
        "invitation-spent"
    ] * (USES - 1)
    assert web.api("GET", "/api/wrist", won[0].json()["token"]).status_code == 200


def test_once_a_confirmation_link_confirms_once_under_concurrent_uses(web, live):
    world = web.world([], domain="school.test", seal=False)
    joined = web.api(
        "POST", f"/api/worlds/{world.slug}/join", json={"name": "Iida", "email": "i@school.test"}
    )
    token = code_of(confirmations(web.store)[0]["link"])
    answers = _at_once(f"{live.url}/api/confirm", [{"token": token}] * USES)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (USES - 1), statuses
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"confirmation-used"}
    assert web.api("GET", "/api/wrist", joined.json()["token"]).status_code == 200


def test_once_a_second_invitation_cannot_replace_a_claimed_wrist(web):
    world = web.world(["Bakugou"], seal=False)
    _invite(web, world, "tenya@school.test")
    _invite(web, world, "Tenya@School.test")  # the organizer invites again
    codes = [code_of(m["link"]) for m in invitations(web.store)]
    with web.store.read() as s:
        live = s.scalar(
            select(func.count())
            .select_from(SigninCodeRow)
            .where(
                SigninCodeRow.purpose == PURPOSE,
                SigninCodeRow.used_at.is_(None),
                SigninCodeRow.expires_at > web.clock.now,
            )
        )
    assert live == 1, "an address holds at most one live invitation"
    tokens = []
    for code in codes:
        answer = web.api("POST", "/api/invite", json={"code": code, "name": "Tenya"})
        if answer.status_code == 200:
            tokens.append(answer.json()["token"])
        else:
            assert answer.json()["code"] == "invitation-spent"
    assert len(tokens) == 1, "one invitee, one claim"
    _invite(web, world, "tenya@school.test")  # and once more, after the claim
    assert len(invitations(web.store)) == 1, "a claimed address is not invited again"
    assert web.api("GET", "/api/wrist", tokens[0]).status_code == 200


def test_once_an_invitation_never_replaces_a_waiting_joiners_wrist(web):
    world = web.world([], domain="school.test", seal=False)
    joined = web.api(
        "POST", f"/api/worlds/{world.slug}/join", json={"name": "Iida", "email": "i@school.test"}
    ).json()
    _invite(web, world, "i@school.test")
    assert invitations(web.store) == [], "a joiner waiting for their link holds a wrist already"
    assert web.api("GET", "/api/wrist", joined["token"]).status_code == 200


def test_once_a_join_slip_joins_once_under_concurrent_uses(web, live):
    world = web.world(["Bakugou"], seal=False)
    made = web.api("POST", "/api/organizer/slips", world.organizer, json={"count": 1}).json()
    code = made["slips"][0]["code"]
    bodies = [{"code": code, "name": f"Kenji {i}"} for i in range(USES)]
    answers = _at_once(f"{live.url}/api/slip", bodies)
    won = [a for a in answers if a.status_code == 200]
    assert len(won) == 1, [a.status_code for a in answers]
    lost = sorted(a.json().get("code", "") for a in answers if a not in won)
    assert lost == ["slip-spent"] * (USES - 1)
    assert web.api("GET", "/api/wrist", won[0].json()["token"]).status_code == 200

"""Membership is never told (issue 22): joining with an address that already joined answers
as a new join does, and "Lost your link?" takes the same time for members and strangers.

The attacker here holds only the public interfaces: the join API and form, the recovery
API, and the answers (status, body, time)."""

from __future__ import annotations

import statistics
import time

import pytest

from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.notices.queue import delivery_counts, outbox_messages
from soulmark.web.limits import MemoryAttempts
from tests.mailbox import confirmations, signins


def _join(web, slug: str, email: str, name: str = "Ochaco Uraraka"):
    return web.api("POST", f"/api/worlds/{slug}/join", json={"name": name, "email": email})


def _shape(answer, email: str) -> tuple[int, dict[str, object]]:
    """The answer with what differs by nature between any two joins (a fresh id and token,
    and the address the joiner typed) put aside."""
    body = dict(answer.json())
    assert body.pop("person") and body.pop("token").startswith("w_")
    body["note"] = str(body["note"]).replace(email, "<email>")
    return answer.status_code, body


@pytest.mark.parametrize("domain", [None, "school.test"])
def test_membership_joining_again_answers_like_a_new_join_and_mails_a_sign_in(web, domain):
    world = web.world(["Iida", "Bakugou"], domain=domain, seal=False)
    waiting = len(confirmations(web.store))
    again = _join(web, world.slug, "P0@school.test")
    fresh = _join(web, world.slug, "new@school.test")
    assert _shape(again, "P0@school.test") == _shape(fresh, "new@school.test")
    page_again = web.form(f"/w/{world.slug}/join", {"name": "Ochaco", "email": "p1@school.test"})
    page_fresh = web.form(f"/w/{world.slug}/join", {"name": "Ochaco", "email": "n2@school.test"})
    assert page_again.status_code == page_fresh.status_code == 200  # on to the wrist (issue 19)
    assert page_again.text.count("<") == page_fresh.text.count("<"), "the same page"
    assert [m["to"] for m in signins(web.store)] == ["p0@school.test", "p1@school.test"]
    assert len(confirmations(web.store)) == waiting + (2 if domain else 0), (
        "only the new addresses are asked to confirm"
    )
    shown = web.api("GET", "/api/wrist", again.json()["token"])
    new = web.api("GET", "/api/wrist", fresh.json()["token"])
    assert shown.status_code == new.status_code == 200
    assert shown.json().keys() == new.json().keys()
    assert shown.json()["message"] == new.json()["message"]
    for token in (again.json()["token"], fresh.json()["token"]):  # the page and the export
        page = web.client.get(f"/wrist/{token}")
        assert page.status_code == 200
        assert ('id="unconfirmed"' in page.text) is bool(domain)
        mine = web.api("GET", "/api/wrist/export", token).json()["you"]
        assert mine["confirmed"] is not domain and mine["email"].endswith("@school.test")
    owner = web.api("GET", "/api/wrist", world.by_name("Iida").token)
    assert owner.status_code == 200, "the member's own wrist is untouched"


def _ask(web, slug: str, email: str) -> tuple[float, int, str]:
    start = time.perf_counter()
    answer = web.api("POST", f"/api/worlds/{slug}/recover", json={"email": email})
    return time.perf_counter() - start, answer.status_code, answer.text


def test_membership_recovery_takes_the_same_time_for_members_and_strangers(web):
    members = [f"M{i}" for i in range(20)]
    world = web.world(members, seal=False)
    web.app.state.recover_attempts = MemoryAttempts(limit=10_000, window_s=600)
    for i in range(5):  # warm both paths up
        _ask(web, world.slug, f"p{i}@school.test")
        _ask(web, world.slug, f"warm{i}@school.test")
    took: dict[bool, list[float]] = {True: [], False: []}
    answers: set[tuple[int, str]] = set()
    for _ in range(3):
        for i in range(len(members)):
            for member, email in ((True, f"p{i}@school.test"), (False, f"x{i}@school.test")):
                seconds, status, text = _ask(web, world.slug, email)
                took[member].append(seconds)
                answers.add((status, text))
    assert answers == {(202, '{"sent":true}')}, "one answer for everyone"
    member, stranger = statistics.median(took[True]), statistics.median(took[False])
    assert abs(member - stranger) < max(0.0005, 0.2 * stranger), (member, stranger)
    assert {m["to"] for m in signins(web.store)} <= {f"p{i}@school.test" for i in range(20)}


def test_membership_the_worker_answers_the_question_for_a_member_only(web):
    world = web.world(["Iida"], seal=False)
    for email in ("p0@school.test", "stranger@school.test"):
        web.api("POST", f"/api/worlds/{world.slug}/recover", json={"email": email})
    assert delivery_counts(web.store, world.slug)["pending"] == 0, "a question is not a mail"
    report = deliver_due(web.store, NoticeSettings(), now_us=web.clock.now)
    assert (report.asked, report.sent) == (2, 1)
    [mail] = outbox_messages(web.store)
    assert mail["kind"] == "signin" and mail["to"] == "p0@school.test"
    assert "http://soulmark.test/signin/#k_" in mail["body"]
    assert deliver_due(web.store, NoticeSettings(), now_us=web.clock.now).asked == 0

"""Issue 19 item 5: "you both reached out" and the kind word to the one an odd roster left
out, by mail (a real SMTP server) and by push (a real RFC 8030 service), once each; neither
carries the contact or anything of the partner, and the left-out person is promised a next
draw only where one can come."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from notices_support import NAMES, T0, SmtpServer, World, _read_marks, make_world
from tests.push_service import Browser, PushService

from soulmark.core.times import HOUR, SECOND
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings
from soulmark.push.keys import ensure_keys
from soulmark.services import create_world, join, look, push, reach_out, seal, wrist
from soulmark.services.world_admin import set_joins
from soulmark.store import Store


@pytest.fixture
def keys(tmp_path: Path):
    return ensure_keys(tmp_path / "vapid.pem")


@pytest.fixture
def service(keys) -> Iterator[PushService]:
    running = PushService(public_key=keys.public_key)
    yield running
    running.close()


def _settings(server: SmtpServer, keys) -> NoticeSettings:
    return NoticeSettings(
        smtp_url=server.url,  # type: ignore[arg-type]
        base_url="https://soulmark.test",
        push_key=str(keys.path),
        push_contact="mailto:ops@soulmark.test",
    )


def _subscribe(store: Store, token: str, browser: Browser, lang: str, at: int) -> None:
    sub = browser.subscription()
    keys = sub["keys"]
    push.subscribe(
        store,
        token=token,
        endpoint=sub["endpoint"],
        p256dh=keys["p256dh"],
        auth=keys["auth"],
        lang=lang,
        at=at,
        allow_loopback=True,
    )


def _mails(server: SmtpServer, subject: str) -> dict[str, str]:
    out = {}
    for msg in server.recorder.parsed():
        if str(msg["Subject"]).startswith(subject):
            assert str(msg["To"]) not in out, "sent once"
            out[str(msg["To"])] = msg.get_body(("plain",)).get_content()
    return out


def _pushed(service: PushService, browser: Browser, device: str, kind: str) -> list[dict]:
    got = [json.loads(browser.decrypt(p.body)) for p in service.to(device)]
    return [g for g in got if g["kind"] == kind]


def test_item5_both_reached_out_each_is_told_once_by_mail_and_push_without_the_contact(
    store: Store, smtp_server: SmtpServer, service: PushService, keys
) -> None:
    world = make_world(store)
    a = world.matched[0]
    b = world.people[a]["partner"]
    people = world.people
    phone, tablet = service.browser("a-phone"), service.browser("b-tablet")
    _subscribe(store, people[a]["token"], phone, "en", T0 - 1)
    _subscribe(store, people[b]["token"], tablet, "ja", T0 - 1)
    at = world.end + SECOND
    for email in (a, b):
        look(store, token=people[email]["token"], at=at)
    reach_out(store, token=people[a]["token"], at=at, contact="@secret-handle-of-a")
    # Before both: nothing is told.
    deliver_due(store, _settings(smtp_server, keys), now_us=at + SECOND)
    assert _mails(smtp_server, "You both reached out") == {}
    reach_out(store, token=people[b]["token"], at=at + 2 * SECOND, contact="@secret-handle-of-b")
    reach_out(store, token=people[b]["token"], at=at + 3 * SECOND)  # again: nothing more
    deliver_due(store, _settings(smtp_server, keys), now_us=at + 4 * SECOND)
    deliver_due(store, _settings(smtp_server, keys), now_us=at + HOUR)

    mails = _mails(smtp_server, "You both reached out")
    assert set(mails) == {a, b}
    for to, body in mails.items():
        assert "open your wrist" in " ".join(body.split()).lower()
        for needle in ("@secret-handle-of-a", "@secret-handle-of-b", *(set((a, b)) - {to})):
            assert needle not in body
        for e in (a, b):
            assert people[e]["name"] not in body
    for browser, device in ((phone, "a-phone"), (tablet, "b-tablet")):
        reached = _pushed(service, browser, device, "reached")
        assert len(reached) == 1, "pushed once"
        text = json.dumps(reached[0], ensure_ascii=False)
        assert "@secret" not in text and "school" not in text
        for e in (a, b):
            assert people[e]["name"] not in text


def _one_off_world(store: Store) -> World:
    made = create_world(
        store, name="Prom night", slug="prom", window_start=T0, window_end=T0 + HOUR, at=T0 - HOUR
    )
    world = World(made.world, made.name)
    for i, name in enumerate(NAMES):
        email = f"p{i}@prom.example"
        joined = join(store, world=made.world, name=name, email=email, at=T0 - HOUR + i)
        world.people[email] = {"name": name, "pid": joined.person, "token": joined.token}
    set_joins(store, token=made.organizer_token, closed=True, at=T0 - 2)
    seal(store, world=made.world, at=T0 - 1)
    _read_marks(store, world)
    return world


@pytest.mark.parametrize("one_off", [False, True])
def test_item5_the_left_out_person_is_told_what_happens_next_in_words_that_fit_the_world(
    store: Store, smtp_server: SmtpServer, service: PushService, keys, one_off: bool
) -> None:
    world = _one_off_world(store) if one_off else make_world(store)
    assert len(NAMES) % 2 == 1
    (left_out,) = [e for e, p in world.people.items() if p["partner"] is None]
    token = world.people[left_out]["token"]
    phone = service.browser("left-out-phone")
    _subscribe(store, token, phone, "ja", T0)
    deliver_due(store, _settings(smtp_server, keys), now_us=world.end + SECOND)
    deliver_due(store, _settings(smtp_server, keys), now_us=world.end + HOUR)
    mails = _mails(smtp_server, "Your wrist has news")
    assert list(mails) == [left_out], "only the left out, once"
    body = " ".join(mails[left_out].split())
    assert "says nothing about you" in body
    if one_off:
        assert "next draw" not in body and "No further draw is planned" in body
    else:
        assert "You are in the next draw" in body
    for matched in world.matched:
        assert world.people[matched]["name"] not in mails[left_out]
    (pushed,) = _pushed(service, phone, "left-out-phone", "unpaired")
    assert pushed["lang"] == "ja" and pushed["open"] == f"/wrist/me?world={world.slug}"
    # The wrist says the same: no promise of a draw a one-off world never holds.
    said = wrist(store, token=token, at=world.end + HOUR).message
    assert ("next draw" in said) is (not one_off)
    assert (wrist(store, token=token, at=world.end + HOUR).next_draw) is (not one_off)

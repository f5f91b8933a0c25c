"""Pushes end to end (issue 19 item 2): through the notices queue to a real RFC 8030 push
service on loopback, decrypted as a browser would, once each, retried, and forgotten on 410."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from notices_support import World, make_world
from sqlalchemy import func, select
from tests.push_service import Browser, PushService

from soulmark.core.times import HOUR, SECOND
from soulmark.i18n import translations
from soulmark.jobs import deliver_due
from soulmark.push.keys import ensure_keys
from soulmark.push.words import SIZE
from soulmark.services import push
from soulmark.services.lifecycle import leave
from soulmark.settings.mail import NoticeSettings
from soulmark.store import Store
from soulmark.store.notice_models import NoticeRow
from soulmark.store.push_models import PushSubscriptionRow


@pytest.fixture
def keys(tmp_path: Path):
    return ensure_keys(tmp_path / "vapid.pem")


@pytest.fixture
def service(keys) -> Iterator[PushService]:
    running = PushService(public_key=keys.public_key)
    yield running
    running.close()


@pytest.fixture
def settings(keys) -> NoticeSettings:
    return NoticeSettings(push_key=str(keys.path), push_contact="mailto:ops@soulmark.test")


def _subscribe(store: Store, world: World, email: str, browser: Browser, lang: str, at: int) -> int:
    sub = browser.subscription()
    device = push.subscribe(
        store,
        token=world.people[email]["token"],
        endpoint=sub["endpoint"],
        p256dh=sub["keys"]["p256dh"],
        auth=sub["keys"]["auth"],
        lang=lang,
        at=at,
        allow_loopback=True,
    )
    return device.id


def _pair(world: World) -> tuple[str, str]:
    first = world.matched[0]
    return first, world.people[first]["partner"]


def _pushes(store: Store, kind: str) -> list[tuple[str, int]]:
    """The status and attempts of each push row of ``kind`` (mail rows left out)."""
    with store.read() as s:
        rows = s.execute(
            select(NoticeRow.status, NoticeRow.attempts).where(NoticeRow.kind == kind)
        ).all()
    return [(status, attempts) for status, attempts in rows]


def _needles(world: World) -> list[bytes]:
    out = []
    for person in world.people.values():
        name = person["name"]
        out += [name.encode(), json.dumps(name)[1:-1].encode()]
        out += [part.encode() for part in name.split() if len(part) > 3]
    return out


def test_r6_b5_pushes_decrypt_to_fixed_words_in_the_readers_language_one_size_no_name(
    store: Store, service: PushService, settings: NoticeSettings
) -> None:
    world = make_world(store)
    a, b = _pair(world)
    phone, tablet = service.browser("a-phone"), service.browser("b-tablet")
    start = min(world.people[a]["itch_start"], world.people[b]["itch_start"]) - 1
    _subscribe(store, world, a, phone, "en", start)
    _subscribe(store, world, b, tablet, "ja", start)

    report = deliver_due(store, settings, now_us=world.end + SECOND)
    assert report.sent >= 4 and not service.refused

    sizes, needles = set(), _needles(world)
    for browser, device, lang in ((phone, "a-phone", "en"), (tablet, "b-tablet", "ja")):
        got = service.to(device)
        assert len(got) == 2  # tingles and stopped, once each
        say = translations(lang).gettext
        words = []
        for one in got:
            assert one.headers["content-encoding"] == "aes128gcm" and int(one.headers["ttl"]) > 0
            plain = browser.decrypt(one.body)
            assert len(plain) == SIZE
            sizes.add(len(one.body))
            msg = json.loads(plain)
            assert msg["lang"] == lang and msg["open"] == f"/wrist/me?world={world.slug}"
            words.append((msg["kind"], msg["title"]))
            for needle in needles:
                assert needle not in plain and needle not in one.body
        assert sorted(words) == [
            ("stopped", say("It stopped")),
            ("tingles", say("Your wrist tingles")),
        ]
    assert sizes == {len(service.to("a-phone")[0].body)}  # every ciphertext the same size too
    assert translations("ja").gettext("It stopped") != "It stopped"

    # Sent once: later passes push nothing more.
    again = deliver_due(store, settings, now_us=world.end + HOUR)
    assert again.claimed == 0 and len(service.pushes) == 4


def test_a_push_refused_with_500_is_retried_later_and_sent_once(
    store: Store, service: PushService, settings: NoticeSettings
) -> None:
    world = make_world(store)
    a, _ = _pair(world)
    phone = service.browser("a-phone")
    _subscribe(store, world, a, phone, "en", world.people[a]["itch_start"] - 1)
    itch = world.people[a]["itch_start"]
    service.answer("a-phone", 500)

    deliver_due(store, settings, now_us=itch)
    assert service.to("a-phone") == [] and _pushes(store, "push-tingles") == [("pending", 1)]
    deliver_due(store, settings, now_us=itch + SECOND)  # backing off: not tried again yet
    assert _pushes(store, "push-tingles") == [("pending", 1)]
    deliver_due(store, settings, now_us=itch + 61 * SECOND)
    assert len(service.to("a-phone")) == 1
    assert json.loads(phone.decrypt(service.to("a-phone")[0].body))["kind"] == "tingles"
    assert _pushes(store, "push-tingles") == [("sent", 2)]
    deliver_due(store, settings, now_us=world.end + HOUR)
    kinds = [json.loads(phone.decrypt(p.body))["kind"] for p in service.to("a-phone")]
    assert sorted(kinds) == ["stopped", "tingles"]  # each once


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_the_push_service_forgot_is_removed_with_its_waiting_pushes(
    store: Store, service: PushService, settings: NoticeSettings, status: int
) -> None:
    world = make_world(store)
    a, _ = _pair(world)
    gone, kept = service.browser("gone"), service.browser("kept")
    start = world.people[a]["itch_start"] - 1
    gone_id = _subscribe(store, world, a, gone, "en", start)
    _subscribe(store, world, a, kept, "en", start)
    service.answer("gone", status)

    deliver_due(store, settings, now_us=world.people[a]["itch_start"])
    assert sorted(_pushes(store, "push-tingles")) == [("failed", 1), ("sent", 1)]
    assert len(service.to("kept")) == 1
    with store.read() as s:
        assert s.get(PushSubscriptionRow, gone_id) is None
        waiting = s.scalar(
            select(func.count()).where(
                NoticeRow.to_addr == f"push:{gone_id}", NoticeRow.status == "pending"
            )
        )
    assert waiting == 0  # its "stopped" went with it
    deliver_due(store, settings, now_us=world.end + SECOND)
    assert service.to("gone") == [] and len(service.to("kept")) == 2
    assert [d.id for d in push.devices(store, token=world.people[a]["token"])] != [gone_id]


def test_a_device_subscribed_later_gets_only_the_moments_still_to_come(
    store: Store, service: PushService, settings: NoticeSettings
) -> None:
    world = make_world(store)
    a, _ = _pair(world)
    phone = service.browser("late")
    _subscribe(store, world, a, phone, "en", world.people[a]["itch_start"] + 1)
    _subscribe(store, world, a, phone, "en", world.people[a]["itch_start"] + 2)  # same device
    assert len(push.devices(store, token=world.people[a]["token"])) == 1
    deliver_due(store, settings, now_us=world.end + SECOND)
    kinds = [json.loads(phone.decrypt(p.body))["kind"] for p in service.to("late")]
    assert kinds == ["stopped"]


def test_leaving_forgets_the_devices_and_their_pushes(
    store: Store, service: PushService, settings: NoticeSettings
) -> None:
    world = make_world(store)
    a, _ = _pair(world)
    _subscribe(store, world, a, service.browser("x"), "en", world.people[a]["itch_start"] - 1)
    leave(store, token=world.people[a]["token"], at=world.people[a]["itch_start"] - 1)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(PushSubscriptionRow)) == 0
    deliver_due(store, settings, now_us=world.end + SECOND)
    assert service.to("x") == []


def test_a_push_service_checks_the_vapid_signature(keys, tmp_path: Path, store: Store) -> None:
    """The local service can fail: a push signed with another instance's key is refused."""
    running = PushService(public_key=keys.public_key)
    try:
        world = make_world(store)
        a, _ = _pair(world)
        _subscribe(store, world, a, running.browser("x"), "en", world.people[a]["itch_start"] - 1)
        other = ensure_keys(tmp_path / "other.pem")
        deliver_due(store, NoticeSettings(push_key=str(other.path)), now_us=world.end + SECOND)
        assert running.pushes == [] and {why for *_, why in running.refused} == {
            "signed with another key"
        }
    finally:
        running.close()


def test_a_missing_push_key_holds_the_pushes_back_but_never_the_mail(
    store: Store, service: PushService, tmp_path: Path
) -> None:
    world = make_world(store)
    a, _ = _pair(world)
    _subscribe(store, world, a, service.browser("x"), "en", world.people[a]["itch_start"] - 1)
    nowhere = NoticeSettings(push_key=str(tmp_path / "missing.pem"))
    report = deliver_due(store, nowhere, now_us=world.people[a]["itch_start"])
    assert report.sent >= 1  # the mails due went out
    assert _pushes(store, "push-tingles") == [("pending", 1)] and service.pushes == []

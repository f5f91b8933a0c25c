"""A real browser (Debian's Chromium through Playwright) on a live server with a fake clock:
join with the preview, the wrist changing state without a reload, a friend's share link,
the guided breath, looking, reaching out on both sides.  Screenshots: test-artifacts/web/."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from soulmark.core.times import SECOND
from soulmark.services.tokens import token_hash
from soulmark.store.models import PersonRow

from .conftest import Person, fill_marks

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(web):
    """The test app under a real uvicorn on loopback, polling fast."""
    uvicorn = pytest.importorskip("uvicorn")
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    web.settings.poll_ms = 200
    server = uvicorn.Server(uvicorn.Config(web.app, port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield web, f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def shot(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def join(page, base: str, slug: str, name: str, email: str) -> str:
    page.goto(f"{base}/w/{slug}")
    page.fill("#name", name)
    assert page.locator("#preview-name").inner_text() == name  # R11, before submitting
    page.fill("#email", email)
    page.click("#join-button")
    page.wait_for_selector("#wrist-link")
    return page.locator("#wrist-link").get_attribute("href")


def person(web, world, link: str) -> Person:
    """The joiner behind a wrist link, with the moments the public transcript gives."""
    token = link.rsplit("/", 1)[1]
    with web.store.transaction() as s:
        pid = s.scalar(select(PersonRow.pid).where(PersonRow.token_hash == token_hash(token)))
    world.people.setdefault(pid, Person("", "", pid, token))
    fill_marks(web.store, world)
    return world.people[pid]


def wait_state(page, state: str) -> None:
    page.wait_for_selector(f'[data-live][data-state="{state}"]', timeout=10_000)


def test_a_wrist_lives_through_every_state_in_a_browser(served, browser, clock):
    web, base = served
    world = web.world([], seal=False)
    page, other = browser.new_page(viewport=PHONE), browser.new_page(viewport=PHONE)
    page.goto(f"{base}/w/{world.slug}")
    shot(page, "00-world")
    mine = join(page, base, world.slug, "Tenya Iida", "tenya@ua.test")
    shot(page, "01-joined")
    theirs = join(other, base, world.slug, "爆豪勝己", "katsuki@ua.test")
    web.seal(world)
    me, them = person(web, world, mine), person(web, world, theirs)

    clock.now = me.itch_start - SECOND
    page.goto(mine)
    page.evaluate("window.sameDocument = true")
    wait_state(page, "bare")
    shot(page, "02-bare")
    for at, state in [
        (me.itch_start, "itching"),
        ((me.ink_start + me.legible_at) // 2, "inking"),
        (me.legible_at, "covered"),
    ]:
        clock.now = at
        wait_state(page, state)
        shot(page, f"03-{state}")
    assert page.evaluate("window.sameDocument") is True  # live, without a reload
    assert page.locator("#ink .stroke").count() == 12

    page.click("#create-share")
    friend = browser.new_page(viewport=PHONE)
    friend.goto(page.locator("#new-share").input_value())
    wait_state(friend, "covered")
    shot(friend, "04-friend-covered")

    page.click("#breathe")
    page.wait_for_selector('#breath[data-phase="in"]')
    page.wait_for_selector('#breath[data-phase="hold"]', timeout=6_000)
    shot(page, "05-breathe")
    page.click("#look")
    wait_state(page, "revealed")
    assert page.locator("#partner-name").inner_text() == "爆豪勝己"
    shot(page, "06-revealed")
    page.click("#reach-out")
    page.wait_for_selector("#reached-out")

    clock.now = max(clock.now, them.legible_at)
    other.goto(theirs)
    other.click("#look")
    other.click("#reach-out")
    assert "tenya@ua.test" in other.locator("#contact").inner_text()
    page.wait_for_selector("#contact:not([hidden])", timeout=10_000)
    assert "katsuki@ua.test" in page.locator("#contact").inner_text()
    shot(page, "07-reached-out")
    wait_state(friend, "revealed")
    assert "爆豪勝己" not in friend.content()  # not shown there: the bearer did not choose to
    page.goto(f"{base}/organizer/{world.organizer}")
    page.wait_for_selector('#count-revealed[data-count="2"]')
    shot(page, "08-organizer")
    page.goto(f"{base}/audit")
    page.fill("#transcript", web.client.get(f"/w/{world.slug}/transcript").text)
    page.click("#audit-button")
    page.wait_for_selector("#verified")
    shot(page, "09-audit")

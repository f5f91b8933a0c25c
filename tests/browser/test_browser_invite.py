"""The whole organizer path in a real browser at phone width (issue 9): open a world at /new
with a planned draw, see its QR code, invite by CSV, open the invitation from the outbox,
claim it, see the wrist, and watch the worker draw fate at the planned moment.  axe finds
nothing on the new and changed pages, at phone and desktop widths, in English and Japanese."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from soulmark.core.times import parse_iso
from soulmark.jobs import deliver_due
from soulmark.notices import NoticeSettings

from .conftest import DESKTOP, PHONE, Live, fits_phone, shot
from .test_browser_a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLANNED = "2030-03-17T18:00"
"""A few minutes after the fake clock's start (2030-03-17T17:46:40Z)."""
CSV = b"\xef\xbb\xbfEmail;Name;Group\ntenya@club.test;Tenya Iida;1-A\n\nochaco@club.test;;\n"
"""As a European spreadsheet exports it: a BOM, capitalised headers, semicolons, a blank row."""


@pytest.fixture
def live_options() -> dict[str, Any]:
    return {"dev": True}  # /dev/outbox


def _worker_pass(live: Live) -> int:
    """One pass of the notices worker at the fake clock's moment (``soulmark worker --once``),
    in a thread of its own: Playwright's sync API holds this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(deliver_due, live.store, NoticeSettings(), now_us=live.clock.now)
        return done.result(30).sealed


def _axe(page: Any, found: list[str], label: str) -> None:
    found.extend(f"{label}: {v}" for v in axe_violations(page))


def _open_world(live: Live, page: Any, found: list[str], lang: str) -> str:
    page.goto(live.url(f"/new?lang={lang}"))
    _axe(page, found, f"{lang} new")
    page.fill("#world-name", f"Invite Club {lang}")
    page.fill("#new-start", "2030-03-18")
    page.fill("#new-end", "2030-03-31")
    page.select_option("#new-zone", "UTC")
    page.fill("#new-seal-at", PLANNED)
    page.fill("#new-organizer-email", "aizawa@club.test")
    assert fits_phone(page)
    shot(page, f"80-invite-new-{lang}")
    page.click("#new-open")
    page.wait_for_selector("#created-seal-at")
    assert page.locator("#join-qr svg").count() == 1
    _axe(page, found, f"{lang} created")
    shot(page, f"81-invite-created-qr-{lang}")
    page.click("#open-dashboard")
    page.wait_for_selector("#seal-at-note")
    return str(page.url)


def _confirm_sender(live: Live, page: Any, found: list[str], lang: str) -> None:
    """Invitations leave only once the organizer confirms their own address (issue 17)."""
    dashboard = page.url
    assert page.locator("#sender-held").count() == 1
    _axe(page, found, f"{lang} organizer held")
    _worker_pass(live)  # the organizer's own mail goes out at once
    page.goto(live.url("/dev/outbox"))
    body = page.locator("article.mail", has_text="aizawa@club.test").first.inner_text()
    page.goto(next(w for w in body.split() if "/sender/#c_" in w))
    page.wait_for_selector("#sender-button")
    _axe(page, found, f"{lang} sender")
    page.click("#sender-button")
    page.wait_for_selector("#sender-done")
    page.goto(dashboard)
    assert page.locator("#sender-held").count() == 0


def _invite(live: Live, page: Any, found: list[str], lang: str) -> None:
    _confirm_sender(live, page, found, lang)
    page.set_input_files(
        "#invite-csv", files=[{"name": "club.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    page.fill("#invite-inviter", "Aizawa Shota")
    page.click("#invite-check")
    page.wait_for_selector("#invite-preview")
    assert page.inner_text("#preview-to-send") == "2"
    assert "Aizawa Shota" in page.inner_text("#preview-subject")
    _axe(page, found, f"{lang} invite preview")
    assert fits_phone(page)
    page.click("#invite-send")
    page.wait_for_selector("#invited-note")
    assert page.inner_text("#invitations-sent") == "2"
    assert page.inner_text("#invitations-claimed") == "0"
    assert fits_phone(page)
    _axe(page, found, f"{lang} organizer")
    shot(page, f"82-invite-dashboard-{lang}")
    assert _worker_pass(live) == 0  # the invitations go out; nothing is due to be sealed


def _mailed_link(live: Live, page: Any, to: str) -> str:
    page.goto(live.url("/dev/outbox"))
    mail = page.locator("article.mail", has_text=to).first
    body = mail.locator("pre").inner_text()
    return next(w for w in body.split() if "/invite/#k_" in w)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_i9_organizer_path_new_qr_invite_claim_wrist_planned_seal(
    live: Live, open_page: Any, lang: str
) -> None:
    found: list[str] = []
    organizer = open_page(PHONE)
    dashboard = _open_world(live, organizer, found, lang)
    _invite(live, organizer, found, lang)

    invitee = open_page(PHONE)
    invitee.goto(live.url(f"/?lang={lang}"))
    link = _mailed_link(live, invitee, "tenya@club.test")
    for _ in range(2):  # opening the mail's link only asks
        invitee.goto(link)
        invitee.wait_for_selector("#claim-button")
    assert invitee.input_value("#claim-name") == "Tenya Iida"
    assert fits_phone(invitee)
    _axe(invitee, found, f"{lang} invite")
    shot(invitee, f"83-invite-claim-{lang}")
    desktop = open_page(DESKTOP)
    desktop.goto(live.url(f"/?lang={lang}"))
    for path, label in (("/new", "new"), (link, "invite"), (dashboard, "organizer")):
        desktop.goto(path if path.startswith("http") else live.url(path))
        _axe(desktop, found, f"{lang} desktop {label}")
    invitee.click("#claim-button")
    invitee.wait_for_selector("#wrist")
    assert "/wrist/me" in invitee.url
    shot(invitee, f"84-invite-wrist-{lang}")

    other = _mailed_link(live, invitee, "ochaco@club.test")
    invitee.goto(other)
    invitee.fill("#claim-name", "Ochaco Uraraka")
    invitee.click("#claim-button")
    invitee.wait_for_selector("#wrist")

    organizer.goto(dashboard)
    assert organizer.inner_text("#invitations-claimed") == "2"
    live.clock.to(parse_iso(PLANNED + "Z") - 1)
    assert _worker_pass(live) == 0
    live.clock.to(parse_iso(PLANNED + "Z"))
    assert _worker_pass(live) == 1
    organizer.goto(dashboard)
    organizer.wait_for_selector("#seal-at-none")
    assert organizer.locator(".transcript-download").count() == 1
    assert "Tenya" not in organizer.content() and "Ochaco" not in organizer.content()
    shot(organizer, f"85-invite-sealed-{lang}")
    assert not found, "\n".join(found)

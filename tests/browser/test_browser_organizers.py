"""Issue 20 items 4, 5 and 9 in a real browser, at phone and desktop widths, en and ja, axe
at 0: the report path (a bearer reports, the organizer removes, the bearer's wrist says so,
nobody learns a pair), the school-mode path (a class sheet, joining by slip with no email,
the wrist), and a co-organizer link acting, in the log, then revoked and refused."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import DESKTOP, PHONE, Live, shot, wait_state
from .test_browser_a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = [("en", PHONE), ("ja", DESKTOP), ("ja", PHONE), ("en", DESKTOP)]
IDS = ["en-phone", "ja-desktop", "ja-phone", "en-desktop"]


def _in(page: Any, lang: str, path: str) -> None:
    page.goto(page.url_for(f"/?lang={lang}"))
    page.goto(page.url_for(path))


def _page(live: Live, open_page: Any, size: dict[str, int]) -> Any:
    page = open_page(size)
    page.url_for = live.url
    return page


@pytest.mark.parametrize(("lang", "size"), WIDTHS, ids=IDS)
def test_i20_4_a_bearer_reports_the_organizer_removes_the_wrist_says_so(
    live: Live, open_page: Any, lang: str, size: dict[str, int]
) -> None:
    made = live.create_world(name=f"Report Club {lang}")
    ana = live.join(made.world, "Ana Reporter", "ana@club.test")
    bo = live.join(made.world, "Bo Reported", "bo@club.test")
    live.seal(made.world)
    moments = live.moments(made.world)
    live.clock.to(max(m.legible_at or 0 for m in moments.values()) + 1)
    wrist = _page(live, open_page, size)
    _in(wrist, lang, f"/wrist/{ana.token}")
    wait_state(wrist, "covered")
    wrist.click("#look")
    wait_state(wrist, "revealed")
    wrist.click("#report-name")
    wrist.wait_for_selector("#report-sent")
    assert axe_violations(wrist) == []

    board = _page(live, open_page, size)
    _in(board, lang, f"/organizer/{made.organizer_token}")
    board.wait_for_selector("#report-list")
    assert "Bo Reported" in board.inner_text("#reports")
    assert "Ana Reporter" not in board.content()  # never who reported: no pair (B2)
    assert axe_violations(board) == []
    board.click(".report-remove")
    board.wait_for_selector("#reported-note")
    assert axe_violations(board) == []
    shot(board, f"i20-reports-organizer-{lang}-{size['width']}")

    wrist.reload()
    wrist.wait_for_selector("#report-removed")
    assert axe_violations(wrist) == []
    shot(wrist, f"i20-reports-wrist-{lang}-{size['width']}")
    theirs = _page(live, open_page, size)
    _in(theirs, lang, f"/wrist/{bo.token}")
    assert "Ana Reporter" not in theirs.content()  # not looked: the name stays covered (R6)


@pytest.mark.parametrize(("lang", "size"), WIDTHS, ids=IDS)
def test_i20_9_a_class_sheet_and_a_student_joining_by_slip_without_email(
    live: Live, open_page: Any, lang: str, size: dict[str, int]
) -> None:
    made = live.create_world(name=f"Class 2-B {lang}")
    board = _page(live, open_page, size)
    _in(board, lang, f"/organizer/{made.organizer_token}")
    board.click("#slips-link")
    board.wait_for_selector("#slips-form")
    board.fill("#slips-count", "3")
    board.click("#slips-make")
    board.wait_for_selector("#slip-sheet")
    assert board.locator(".slip").count() == 3 and board.locator(".slip svg").count() == 3
    assert not re.search(r"\bw_[A-Za-z0-9_-]{20,}", board.content())  # never a wrist key
    assert axe_violations(board) == []
    board.emulate_media(media="print")
    shot(board, f"i20-slips-print-{lang}-{size['width']}")
    board.emulate_media(media="screen")
    code = board.locator(".slip-code code").first.inner_text()

    student = _page(live, open_page, size)
    _in(student, lang, f"/j/{code}")
    student.wait_for_selector("#slip-form")
    assert axe_violations(student) == []
    student.fill("#slip-name", "Kenji Sato")
    student.click("#slip-button")
    student.wait_for_selector("#wrist")
    assert "me-" in student.url and axe_violations(student) == []
    shot(student, f"i20-slip-wrist-{lang}-{size['width']}")
    board.reload()
    assert board.locator(".slip").count() == 2


@pytest.mark.parametrize(("lang", "size"), WIDTHS, ids=IDS)
def test_i20_5_a_co_organizer_link_acts_shows_in_the_log_then_is_revoked_and_refused(
    live: Live, open_page: Any, lang: str, size: dict[str, int]
) -> None:
    made = live.create_world(name=f"Fandom Night {lang}")
    live.join(made.world, "Tenya Iida", "t@club.test")
    board = _page(live, open_page, size)
    _in(board, lang, f"/organizer/{made.organizer_token}")
    board.fill("#link-name", "Mr Tanaka")
    board.click("#link-make")
    board.wait_for_selector("#co-organizer-url")
    assert axe_violations(board) == []
    url = board.input_value("#co-organizer-url")
    assert "/organizer/#o_" in url
    board.reload()
    board.wait_for_selector("#link-shown-before")  # told once

    co = _page(live, open_page, size)
    co.goto(live.url(f"/?lang={lang}"))
    co.goto(url)
    co.wait_for_selector("#organizer")
    assert co.locator("#link-form").count() == 0  # only the main link manages links
    co.click("#rename-box summary")
    co.fill("#rename-name", f"Fandom Night II {lang}")
    co.click("#rename")
    co.wait_for_selector("#renamed-note")
    assert axe_violations(co) == []

    board.click("#back-to-dashboard")
    board.wait_for_selector("#action-log")
    log = board.inner_text("#action-log")
    assert "Mr Tanaka" in log and "Tenya Iida" not in log
    assert axe_violations(board) == []
    shot(board, f"i20-co-organizers-{lang}-{size['width']}")
    board.click(".link-revoke")
    board.wait_for_selector("#revoked-note")
    refused = co.reload()
    assert refused is not None and refused.status == 404

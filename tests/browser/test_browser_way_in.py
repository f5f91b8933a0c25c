"""The way in, in a real browser (issue 20 item 1): the home page leads to /new, the time
zone is the browser's own, a refused form comes back as typed with the reason next to its
field, and the corrected form opens the world.  Phone width, en and ja, axe at 0."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Live, fits_phone, shot
from .test_browser_a11y import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_teacher_finds_new_from_home_fixes_a_typo_and_opens_the_world(
    live: Live, open_page: Any, lang: str
) -> None:
    page = open_page(timezone_id="Asia/Tokyo")
    page.goto(live.url(f"/?lang={lang}"))
    assert axe_violations(page) == []
    page.click("#home-new")
    page.wait_for_selector("#new-form")
    assert page.input_value("#new-zone") == "Asia/Tokyo"  # the browser's zone, by itself
    page.fill("#world-name", "Class 2-B")
    page.fill("#new-start", "2030-04-01")
    page.fill("#new-end", "2030-03-01")  # the typo: the end before the start
    page.click("#new-open")
    page.wait_for_selector("#error-window_end")
    assert page.input_value("#world-name") == "Class 2-B"  # nothing typed is lost
    assert page.input_value("#new-zone") == "Asia/Tokyo"
    assert page.get_attribute("#new-end", "aria-invalid") == "true"
    assert axe_violations(page) == []
    assert fits_phone(page)
    shot(page, f"90-way-in-typo-{lang}")
    page.fill("#new-end", "2030-07-20")
    page.click("#new-open")
    page.wait_for_selector("#created")
    assert page.input_value("#join-url").startswith(live.base + "/w/class-2-b-")


def test_the_evening_preset_fills_a_few_hours_in_the_browsers_zone(
    live: Live, open_page: Any
) -> None:
    page = open_page(timezone_id="Europe/Paris")
    page.goto(live.url("/new"))
    page.click("#preset-evening")
    page.wait_for_selector("#new-form")
    assert page.input_value("#new-zone") == "Europe/Paris"
    assert page.get_attribute("#new-start", "type") == "datetime-local"
    start, end = page.input_value("#new-start"), page.input_value("#new-end")
    assert start[11:] and end > start

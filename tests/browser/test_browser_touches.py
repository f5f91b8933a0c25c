"""Touches of care (issue #11), each kept on the device: the drawn wrist's skin tone is
remembered and applied; the phone vibrates only if its person opted in, and only as the itch
starts; a new share link has a copy button and the phone's own share sheet.

The phone's vibration motor, share sheet and clipboard are stubs (an init script): each call
is recorded in the tab's sessionStorage, where it survives the page's own reloads.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import PHONE, Live, wait_state

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEVICE_JS = """
(() => {
  const record = (kind, value) => {
    const kept = JSON.parse(sessionStorage.getItem("__device") || "[]");
    kept.push([kind, value]);
    sessionStorage.setItem("__device", JSON.stringify(kept));
  };
  const own = (name, value) =>
    Object.defineProperty(Navigator.prototype, name, { value, configurable: true });
  own("vibrate", (pattern) => { record("vibrate", pattern); return true; });
  own("share", (data) => { record("share", data); return Promise.resolve(); });
  own("clipboard", { writeText: (text) => { record("copy", text); return Promise.resolve(); } });
})();
"""


def device(open_page: Any) -> Any:
    page = open_page(PHONE)
    page.context.add_init_script(DEVICE_JS)
    return page


def calls(page: Any, kind: str) -> list[Any]:
    kept = json.loads(page.evaluate("() => sessionStorage.getItem('__device') || '[]'"))
    return [value for k, value in kept if k == kind]


def _pair(live: Live) -> tuple[Any, Any]:
    made = live.create_world(name="Care Academy")
    a = live.join(made.world, "Tenya Iida", "ci@ua.test")
    live.join(made.world, "Bakugou Katsuki", "cb@ua.test")
    live.seal(made.world)
    return a, live.moments(made.world)[a.person]


def test_i11_vibration_only_when_opted_in_and_only_as_the_itch_starts(
    live: Live, open_page: Any
) -> None:
    a, me = _pair(live)
    opted, other = device(open_page), device(open_page)
    for page in (opted, other):
        page.goto(live.url(f"/wrist/{a.token}"))
        wait_state(page, "bare")
        assert page.locator("#buzz-wrap").is_visible()  # offered where the phone can buzz
    opted.check("#buzz")
    assert calls(opted, "vibrate") == [60]  # a taste of it, on opting in
    opted.reload()
    assert opted.locator("#buzz").is_checked()  # remembered on this device

    live.clock.to(me.itch_start)
    for page in (opted, other):
        wait_state(page, "itching")
    assert calls(opted, "vibrate") == [60, [120, 80, 120]]
    assert calls(other, "vibrate") == []  # never without the person's yes
    live.clock.to(me.ink_start)
    wait_state(opted, "inking")
    assert calls(opted, "vibrate") == [60, [120, 80, 120]]  # the itch's start only


def test_i11_skin_tone_is_remembered_on_the_device_and_draws_the_wrist(
    live: Live, open_page: Any
) -> None:
    a, _ = _pair(live)
    page = device(open_page)
    page.goto(live.url(f"/wrist/{a.token}"))
    # The arm is shaded by a gradient of the tone's colours (issue 18 item 2): its middle stop.
    fill = "getComputedStyle(document.querySelector('#skin-shade .shade-mid')).stopColor"
    neutral = page.evaluate(fill)  # the neutral drawing of a device that chose nothing
    page.check('input[name=skin][value="4"]')
    dark = page.evaluate(fill)
    assert dark == "rgb(138, 86, 54)" and dark != neutral
    page.goto(live.url(f"/wrist/{a.token}"))
    assert page.locator('input[name=skin][value="4"]').is_checked()
    assert page.evaluate(fill) == dark
    elsewhere = device(open_page)  # another device keeps its own choice, and none is assumed
    elsewhere.goto(live.url(f"/wrist/{a.token}"))
    assert elsewhere.evaluate(fill) == neutral
    assert elsewhere.locator("input[name=skin]:checked").count() == 0
    assert elsewhere.locator("#skin-ask").is_visible()


def test_i11_a_new_share_link_copies_and_opens_the_share_sheet(live: Live, open_page: Any) -> None:
    a, _ = _pair(live)
    page = device(open_page)
    page.goto(live.url(f"/wrist/{a.token}"))
    page.click("#create-share")
    page.wait_for_selector("#new-share")
    link = page.locator("#new-share").input_value()
    assert "/share/#s_" in link
    page.click("#copy-share")
    page.wait_for_function("document.getElementById('copy-status').textContent !== ''")
    assert calls(page, "copy") == [link]
    assert page.locator("#copy-status").inner_text() == "Copied."
    assert page.locator("#share-share").is_visible()  # the phone has a share sheet
    page.click("#share-share")
    page.wait_for_function("(sessionStorage.getItem('__device') || '').includes('[\"share\"')")
    [shared] = calls(page, "share")
    assert shared["url"] == link and shared["title"]

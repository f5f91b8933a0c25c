"""Issue 18 in a real browser: the guided breath (item 3), the reveal in place (item 4), the
match card (item 5), dark mode and the skin tone asked for (items 1, 2), and screenshots of
every wrist state, en and ja, light and dark, phone and desktop, in test-artifacts/design/."""

from __future__ import annotations

import time
from typing import Any

import pytest

from soulmark import services

from .conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    Live,
    mark_document,
    same_document,
    shot,
    wait_state,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAIRS = {
    "en": (("Tenya Iida", "tenya@ua.test"), ("Ochaco Uraraka", "ochaco@ua.test")),
    "ja": (("飯田天哉", "tenya@ua.test"), ("麗日お茶子", "ochaco@ua.test")),
}
SIZE_JS = "document.getElementById('breath-circle').getBoundingClientRect().width"
PHASE_JS = "document.getElementById('breath').dataset.phase"


def _covered(live: Live, lang: str = "en") -> tuple[Any, Any, Any]:
    """A paired bearer, the partner, and the bearer's moments (the clock not yet moved)."""
    made = live.create_world(name="Design Academy")
    (a_name, a_mail), (b_name, b_mail) = PAIRS[lang]
    a = live.join(made.world, a_name, a_mail)
    b = live.join(made.world, b_name, b_mail)
    live.seal(made.world)
    return a, b, live.moments(made.world)


def _open(open_page: Any, live: Live, token: str, *, viewport: Any = PHONE, tone: str = "3") -> Any:
    page = open_page(viewport)
    page.goto(live.url("/"))
    page.evaluate(f"localStorage.setItem('sm_skin', '{tone}')")
    page.goto(live.url(f"/wrist/{token}"))
    return page


def _at_covered(live: Live, open_page: Any, **kw: Any) -> tuple[Any, Any, Any]:
    a, b, moments = _covered(live)
    me, them = moments[a.person], moments[b.person]
    live.clock.to(max(live.clock.now, me.legible_at, them.legible_at))
    page = _open(open_page, live, a.token, **kw)
    wait_state(page, "covered")
    return page, a, b


def _breath_samples(page: Any, seconds: int, step_ms: int = 250) -> list[tuple[str, float, str]]:
    out = []
    for _ in range(seconds * 1000 // step_ms):
        page.clock.run_for(step_ms)
        phase = page.evaluate(PHASE_JS)
        out.append((phase, page.evaluate(SIZE_JS), page.locator("#breath-text").inner_text()))
    return out


def _runs(samples: list[tuple[str, float, str]]) -> list[tuple[str, list[float]]]:
    """The samples grouped into consecutive phases: [(phase, [sizes...]), ...]."""
    runs: list[tuple[str, list[float]]] = []
    for phase, size, _ in samples:
        if runs and runs[-1][0] == phase:
            runs[-1][1].append(size)
        else:
            runs.append((phase, [size]))
    return runs


def test_i18_3_the_breath_grows_in_holds_and_shrinks_out_three_times(
    live: Live, open_page: Any
) -> None:
    page, _, _ = _at_covered(live, open_page)
    page.clock.install()
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    page.click("#breathe")
    start = page.evaluate(SIZE_JS)
    assert page.locator("#breath-skip").is_visible() and page.locator("#breathe").is_hidden()
    assert page.locator("#breath-round").inner_text() == "Breath 1 of 3"
    samples = _breath_samples(page, 46)
    runs = _runs(samples)
    assert [p for p, _ in runs] == ["in", "hold", "out"] * 3 + ["done"], [p for p, _ in runs]
    for phase, sizes in runs[:-1]:
        steps = [b - a for a, b in zip(sizes, sizes[1:], strict=False)]
        if phase == "in":
            assert all(d > 0 for d in steps) and sizes[-1] > start * 1.6, sizes
        elif phase == "hold":
            assert max(sizes) - min(sizes) < 0.5, sizes
        else:
            assert all(d < 0 for d in steps) and sizes[-1] < sizes[0] / 1.6, sizes
    assert page.locator("#breath-text").inner_text() == "Whenever you are ready."
    assert page.evaluate("document.activeElement.id") == "look"
    # Repeat runs it again; skip ends it at once.
    page.click("#breath-again")
    assert page.evaluate(PHASE_JS) == "in"
    page.clock.run_for(2000)
    page.click("#breath-skip")
    assert page.evaluate(PHASE_JS) == "done" and page.locator("#breath-again").is_visible()


def test_i18_3_under_reduced_motion_nothing_moves_and_the_phase_is_in_words(
    live: Live, open_page: Any
) -> None:
    page, _, b = _at_covered(live, open_page)
    page.emulate_media(reduced_motion="reduce")
    page.reload()
    wait_state(page, "covered")
    page.clock.install()
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    page.click("#breathe")
    assert page.locator("#breath-bar").is_visible()
    samples = _breath_samples(page, 16, step_ms=500)
    assert {size for _, size, _ in samples} == {samples[0][1]}, "the circle moved"
    words = [w for _, _, w in samples]
    assert {"Breathe in", "Hold", "Breathe out"} <= set(words)
    assert page.evaluate("document.getAnimations().length") == 0
    still = """Array.from(document.querySelectorAll('*'))
        .every(e => getComputedStyle(e).animationName === 'none')"""
    assert page.evaluate(still)
    page.clock.resume()
    page.click("#breath-skip")
    page.click("#look")
    wait_state(page, "revealed")
    assert page.evaluate("document.getAnimations().length") == 0 and page.evaluate(still)
    assert page.locator("#partner-name").inner_text() == PAIRS["en"][1][0]


def test_i18_4_looking_lifts_the_bandage_in_place_and_the_name_shows_once(
    live: Live, open_page: Any
) -> None:
    page, a, _ = _at_covered(live, open_page, viewport=DESKTOP)
    name = PAIRS["en"][1][0]
    mark_document(page)
    top = page.evaluate("window.scrollY")
    page.click("#look")
    page.wait_for_selector("#wrist[data-lifting]", state="attached")
    wait_state(page, "revealed")
    assert same_document(page), "the page was reloaded"
    assert page.evaluate("location.hash") == "" and page.evaluate("window.scrollY") == top
    assert page.evaluate(f"document.body.textContent.split({name!r}).length - 1") == 1
    assert page.evaluate(f"document.body.innerText.split({name!r}).length - 1") == 1
    assert page.locator("#partner-name").inner_text() == name
    assert page.locator("#mark-name").text_content() == name
    font = page.evaluate("getComputedStyle(document.getElementById('partner-name')).fontFamily")
    assert (
        "Script" in font
        and float(
            page.evaluate("getComputedStyle(document.getElementById('partner-name')).fontSize")[:-2]
        )
        >= 32
    )
    # The wrist is still in view, and the name sits on it.
    box = page.locator("#mark").bounding_box()
    on = page.locator("#partner-name").bounding_box()
    assert box and on and box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"]
    assert box["y"] <= on["y"] and on["y"] + on["height"] <= box["y"] + box["height"]
    assert page.locator("#reach-out").is_visible() and page.locator("#look-section").is_hidden()
    assert page.locator("#bandage").is_hidden()
    assert services.wrist(live.store, token=a.token, at=live.clock.now).looked_at is not None


def test_i18_5_both_reached_out_is_a_card_with_the_contact_a_copy_button_and_safety(
    live: Live, open_page: Any
) -> None:
    page, a, b = _at_covered(live, open_page)
    page.click("#look")
    wait_state(page, "revealed")
    assert page.locator("#match").is_hidden() and page.locator("#safety").is_visible()
    page.click("#reach-use-address")  # the join address, offered not filled in
    page.click("#reach-out")
    page.wait_for_selector("#reached-out")
    mark_document(page)
    services.look(live.store, token=b.token, at=live.clock.now)
    services.reach_out(live.store, token=b.token, at=live.clock.now, contact="@ochaco")
    page.wait_for_selector("#match:not([hidden])")
    assert same_document(page)
    card = page.locator("#match")
    assert card.locator("#contact-text").inner_text() == "@ochaco"
    assert card.locator("#safety").is_visible() and card.locator("#copy-contact").is_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy-contact")
    page.wait_for_function("document.getElementById('copy-contact-status').textContent !== ''")
    assert page.evaluate("navigator.clipboard.readText()") == "@ochaco"
    page.reload()  # the server's page has the same card
    assert page.locator("#match #contact-text").inner_text() == "@ochaco"
    assert page.locator("#match #safety").is_visible()


def _background(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def test_i18_1_dark_mode_follows_the_device_and_the_switch_kept_on_it(
    live: Live, open_page: Any
) -> None:
    a, _, _ = _covered(live)
    light = _open(open_page, live, a.token)
    dark = _open(open_page, live, a.token)
    dark.emulate_media(color_scheme="dark")
    light.emulate_media(color_scheme="light")
    assert _background(light) != _background(dark)
    text = "getComputedStyle(document.body).color"
    assert light.evaluate(text) != dark.evaluate(text)
    # The switch: on a light device, dark is chosen, kept, and set before the page draws.
    before = _background(light)
    assert light.locator("#theme").get_attribute("aria-pressed") == "false"
    light.click("#theme")
    assert light.evaluate("document.documentElement.dataset.theme") == "dark"
    assert _background(light) == _background(dark) != before
    assert light.locator("#theme").get_attribute("aria-pressed") == "true"
    light.reload()
    assert light.evaluate("document.documentElement.dataset.theme") == "dark"
    assert _background(light) == _background(dark)
    early = light.evaluate(
        """Array.from(document.head.querySelectorAll('script[src], link[rel=stylesheet]'))
           .map(e => [e.getAttribute('src') || e.getAttribute('href'), e.defer || e.async])"""
    )
    assert early[0] == ["/static/theme.js", False], early
    light.click("#theme")
    assert _background(light) == before


def test_i18_2_the_first_visit_asks_for_a_skin_tone_and_keeps_it(
    live: Live, open_page: Any
) -> None:
    a, _, _ = _covered(live)
    page = open_page(PHONE)
    page.goto(live.url(f"/wrist/{a.token}"))
    ask = page.locator("#skin-ask")
    assert ask.is_visible()
    assert page.locator("input[name=skin]:checked").count() == 0, "no tone assumed"
    ARTIFACTS.joinpath("design").mkdir(parents=True, exist_ok=True)
    shot(page, "design/first-visit-asks-a-tone")
    fill = "getComputedStyle(document.querySelector('#skin-shade .shade-mid')).stopColor"
    neutral = page.evaluate(fill)
    page.click('#skin-ask button[data-tone="5"]')
    assert ask.is_hidden() and page.evaluate(fill) != neutral
    assert page.locator('input[name=skin][value="5"]').is_checked()
    page.reload()
    assert page.locator("#skin-ask").is_hidden()
    assert page.locator('input[name=skin][value="5"]').is_checked()


WRIST_STATES = ("bare", "itching", "inking", "covered", "revealed", "both-reached-out")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_i18_screenshots_of_every_wrist_state(live: Live, open_page: Any, lang: str) -> None:
    a, b, moments = _covered(live, lang)
    me = moments[a.person]
    ARTIFACTS.joinpath("design").mkdir(parents=True, exist_ok=True)
    pages = {}
    for i, (theme, size) in enumerate(
        (t, s) for t in ("light", "dark") for s in ("phone", "desktop")
    ):
        page = open_page(PHONE if size == "phone" else DESKTOP)
        page.emulate_media(color_scheme=theme)
        page.goto(live.url(f"/?lang={lang}"))
        tone = ("2453" if lang == "en" else "3152")[i]
        page.evaluate(f"localStorage.setItem('sm_skin', '{tone}')")
        pages[(theme, size)] = page
    for state in WRIST_STATES:
        at = {"itching": me.itch_start, "inking": me.ink_start, "covered": me.legible_at}
        if state in at:
            live.clock.to(max(live.clock.now, at[state]))
        if state == "inking":  # halfway through the ink
            live.clock.to(max(live.clock.now, (me.ink_start + me.legible_at) // 2))
        if state == "revealed":
            services.look(live.store, token=a.token, at=live.clock.now)
        if state == "both-reached-out":
            live.clock.to(max(live.clock.now, moments[b.person].legible_at))
            services.reach_out(live.store, token=a.token, at=live.clock.now)
            services.look(live.store, token=b.token, at=live.clock.now)
            services.reach_out(live.store, token=b.token, at=live.clock.now, contact="@friend")
        for (theme, size), page in pages.items():
            page.goto(live.url(f"/wrist/{a.token}"))
            wait_state(page, "revealed" if state == "both-reached-out" else state)
            shot(page, f"design/{lang}-{state}-{theme}-{size}", full_page=size == "phone")


ANDROID = (
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36"
)
SHIFTS_JS = """
window.__shift = 0;
window.__moved = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) {
    if (e.hadRecentInput) return;
    window.__shift += e.value;
    (e.sources || []).forEach(function (s) {
      if (s.node) window.__moved.push(s.node.nodeName + "#" + (s.node.id || ""));
    });
  });
}).observe({type: "layout-shift", buffered: true});
"""


def test_i18_7_nothing_moves_after_the_first_paint_on_a_phone(
    live: Live, chromium_browser: Any
) -> None:
    # Lighthouse's phone (its user agent, size and touch): the theme switch, the skin tone
    # asked for and the "vibrate gently" choice, once unhidden by script after the first
    # paint, moved every page.
    a, _, moments = _covered(live)
    live.clock.to(moments[a.person].itch_start + 1)
    context = chromium_browser.new_context(
        user_agent=ANDROID,
        viewport={"width": 412, "height": 823},
        device_scale_factor=1.75,
        is_mobile=True,
        has_touch=True,
    )
    context.add_init_script(SHIFTS_JS)
    page = context.new_page()  # a first visit: no tone kept, so the wrist page asks for one

    # A slow phone: the deferred script (and so DOMContentLoaded) comes after the first
    # paint, as it does under Lighthouse; whatever a script shows must already have its place.
    def late(route: Any) -> None:
        time.sleep(0.8)
        route.continue_()

    page.route("**/static/soulmark.js*", late)
    shifts = {}
    # (Not the world page: its times are said again by the browser's clock, which the app's
    # fake clock here is years away from; Lighthouse measures it on one clock: CLS 0.)
    for label, path in (("home", "/"), ("wrist", f"/wrist/{a.token}")):
        page.goto(live.url(path))
        page.wait_for_load_state("load")
        page.wait_for_timeout(600)
        shifts[label] = (page.evaluate("window.__shift"), page.evaluate("window.__moved"))
    context.close()
    assert all(v <= 0.01 for v, _ in shifts.values()), shifts

"""Real-browser fixtures: Debian's Chromium through Playwright, on a live uvicorn server that
runs in a thread of the test process over a fake clock, so a whole window passes in seconds.

Nothing here downloads a browser: without /usr/bin/chromium (``make browser`` installs it) or
without Playwright every browser test skips with the reason.  Every browser context records
each request it makes; a request to anything but 127.0.0.1 is aborted and fails the test.
Screenshots go to ``test-artifacts/`` at the top of the repository (git-ignored).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from soulmark import services
from soulmark.core.times import SECOND, parse_iso
from soulmark.services.demo import DEMO_PARAMS
from soulmark.store import Store
from soulmark.web import Settings, create_app
from tests.net import free_port

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WAIT_MS = 10_000
"""How long a page may take to follow the fake clock (it polls every POLL_MS)."""
POLL_MS = 150

T0 = 1_900_000_000 * SECOND
"""The fake clock's start: these tests never read the real clock."""
WINDOW = 240 * SECOND
PARAMS = DEMO_PARAMS  # the one demo parameter set (soulmark.services.demo)
"""The demo's marks (itch 20-100 s before the ink, ink for 30-60 s) in a 4-minute window."""

STATES = ("bare", "itching", "inking", "covered", "revealed")


@dataclass
class FakeClock:
    """The app's clock (integer microseconds); the test moves it."""

    now: int = T0

    def __call__(self) -> int:
        return self.now

    def to(self, at: int) -> None:
        assert at >= self.now, "the fake clock only moves forward"
        self.now = at


@dataclass
class Moments:
    """One line of the published transcript (B1): a person's partner and mark moments."""

    person: str
    partner: str | None
    itch_start: int | None = None
    ink_start: int | None = None
    legible_at: int | None = None

    def state_at(self, t: int) -> str:
        """The wrist state before any look (the SPEC's table)."""
        if self.itch_start is None or t < self.itch_start:
            return "bare"
        assert self.ink_start is not None and self.legible_at is not None
        if t < self.ink_start:
            return "itching"
        return "inking" if t < self.legible_at else "covered"


@dataclass
class Live:
    """A running server and the few moves the tests make on it."""

    base: str
    store: Store
    clock: FakeClock
    settings: Settings

    def url(self, path: str) -> str:
        return self.base + path

    def create_world(self, name: str = "Browser Academy", start_in: int = 60 * SECOND) -> Any:
        """An organizer opens a world (as ``soulmark world create`` does)."""
        return services.create_world(
            self.store,
            name=name,
            window_start=self.clock.now + start_in,
            window_end=self.clock.now + start_in + WINDOW,
            at=self.clock.now,
            params=PARAMS,
        )

    def join(self, world: str, name: str, email: str) -> Any:
        return services.join(self.store, world=world, name=name, email=email, at=self.clock.now)

    def seal(self, world: str) -> None:
        self.clock.to(self.clock.now + SECOND)
        services.seal(self.store, world=world, at=self.clock.now)

    def moments(self, world: str) -> dict[str, Moments]:
        """Everyone's moments, read from the public transcript as anyone could."""
        doc = json.loads(services.transcript_text(self.store, world=world))
        out = {}
        for pid, partner, itch, ink, legible in doc["lines"]:
            m = Moments(pid, partner)
            if partner is not None:
                m.itch_start, m.ink_start, m.legible_at = map(parse_iso, (itch, ink, legible))
            out[pid] = m
        return out


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """One headless Debian Chromium per test module (never a downloaded one).  Not per
    session: while it is open Playwright's sync API keeps an event loop running in the main
    thread, and a later test file on the same worker that calls asyncio.run would fail."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extras pin playwright
        pytest.skip("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def live_options() -> dict[str, Any]:
    """More Settings for the live server: a module overrides this (``{"dev": True}``)."""
    return {}


@pytest.fixture
def live(
    store: Store, fake_clock: FakeClock, chromium_browser: Any, live_options: dict[str, Any]
) -> Iterator[Live]:
    """The app under uvicorn in a background thread, on a free loopback port."""
    import uvicorn

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(
        store=store,
        clock=fake_clock,
        secret=b"b" * 32,
        base_url=base,
        poll_ms=POLL_MS,
        live_tick_s=0.05,  # how soon the hub sees the fake clock move
        live_tail_s=0.05,
        **live_options,
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-browser", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield Live(base, store, fake_clock, settings)
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Traffic:
    """Every URL a context asked for, and every uncaught error or CSP refusal in its pages."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname == "127.0.0.1"


RECORD_FRAMES_JS = """
(() => {
  // Test instrumentation: every server-sent message a page receives is kept, in this tab's
  // sessionStorage (it survives the page's own navigations), for ApiWatch to read.
  const Native = window.EventSource;
  if (!Native) return;
  function Recording(url, options) {
    const es = new Native(url, options);
    const add = es.addEventListener.bind(es);
    es.addEventListener = function (type, listener, opts) {
      return add(type, function (event) {
        const kept = JSON.parse(sessionStorage.getItem("__frames") || "[]");
        kept.push({ url: new URL(String(url), location.href).pathname, data: event.data });
        sessionStorage.setItem("__frames", JSON.stringify(kept));
        return listener.call(this, event);
      }, opts);
    };
    return es;
  }
  Recording.prototype = Native.prototype;
  Recording.CONNECTING = Native.CONNECTING;
  Recording.OPEN = Native.OPEN;
  Recording.CLOSED = Native.CLOSED;
  window.EventSource = Recording;
})();
"""


@pytest.fixture
def open_page(chromium_browser: Any) -> Iterator[Callable[..., Any]]:
    """``open_page(viewport=PHONE)``: a page in a fresh context (its own cookies: one person).

    At teardown: every request went to 127.0.0.1, no page threw, no CSP refused anything.
    """
    opened: list[tuple[Any, Traffic]] = []

    def make(viewport: dict[str, int] | None = None) -> Any:
        context = chromium_browser.new_context(
            viewport=viewport or PHONE, locale="en-GB", timezone_id="UTC"
        )
        context.set_default_timeout(WAIT_MS)
        traffic = Traffic()

        def on_request(request: Any) -> None:
            traffic.requests.append(request.url)
            if not _local(request.url):
                traffic.outside.append(request.url)

        def guard(route: Any) -> None:  # belt and braces: nothing leaves even if asked
            if _local(route.request.url):
                route.continue_()
            else:
                route.abort()

        context.on("request", on_request)
        context.route("**/*", guard)
        context.add_init_script(RECORD_FRAMES_JS)
        page = context.new_page()
        page.on("pageerror", lambda exc: traffic.errors.append(f"pageerror: {exc}"))
        page.on(
            "console",
            lambda msg: (
                traffic.errors.append(f"console: {msg.text}")
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        page.traffic = traffic  # type: ignore[attr-defined]
        opened.append((context, traffic))
        return page

    yield make
    problems = []
    for context, traffic in opened:
        context.close()
        assert traffic.requests, "a page made no request at all"
        problems += [f"left localhost: {u}" for u in traffic.outside]
        problems += traffic.errors
    assert not problems, problems


def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save ``test-artifacts/<name>.png`` (fonts loaded, the page settled)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    assert path.stat().st_size > 1000
    return path


def wait_state(page: Any, state: str, root: str = "#wrist") -> None:
    """Wait until the live page (polling its JSON twin) shows ``state``."""
    assert state in STATES
    page.wait_for_selector(f'{root}[data-state="{state}"]', state="attached")


def mark_document(page: Any) -> None:
    """Tag the current document; :func:`same_document` then tells whether it was reloaded."""
    page.evaluate("window.__soulmarkNoReload = true")


def same_document(page: Any) -> bool:
    return bool(page.evaluate("window.__soulmarkNoReload === true"))


_FITS_JS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def fits_phone(page: Any) -> bool:
    """No sideways scrolling on a phone-width screen, once fonts and layout have settled (a
    page measured mid-layout on a loaded machine can overflow for a frame)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate("document.fonts.ready")
    try:
        page.wait_for_function(_FITS_JS, timeout=3000)
    except PlaywrightTimeout:
        return False
    return True


STROKE_SUM_JS = """Array.from(document.querySelectorAll('#ink .stroke'))
    .reduce((sum, p) => sum + 1 - parseFloat(p.getAttribute('stroke-dashoffset')), 0)"""
"""How many of the twelve ink strokes are drawn, in strokes (fractions count)."""


class ApiWatch:
    """The JSON twin's replies as the page's own poller received them, and the messages its
    event stream (``<path>/events``) brought."""

    def __init__(self, page: Any, path: str) -> None:
        self.page, self.path = page, path
        self.responses: list[Any] = []
        self.checked = 0
        self.frames_checked = 0
        page.on("response", self._seen)

    def _seen(self, response: Any) -> None:
        if urlsplit(response.url).path == self.path:
            self.responses.append(response)

    def frames(self) -> list[str]:
        kept = self.page.evaluate("() => sessionStorage.getItem('__frames') || '[]'")
        kind = self.path.rsplit("/", 1)[1]
        return [
            f["data"]
            for f in json.loads(kept)
            if f["url"].endswith("/events") and f"/{kind}/" in f["url"]
        ]

    def assert_clean(self, *secrets: str) -> int:
        """No reply or message received since the last check holds any of ``secrets``;
        returns how many were read (a reply already dropped by the browser is skipped)."""
        read = 0
        bodies = []
        for response in self.responses[self.checked :]:
            try:
                bodies.append(response.body().decode())
            except Exception:  # noqa: BLE001 - evicted from the browser's cache
                continue
        frames = self.frames()
        bodies += frames[self.frames_checked :]
        self.frames_checked = len(frames)
        for body in bodies:
            read += 1
            for secret in secrets:
                assert secret not in body, f"{secret!r} in {self.path}"
        self.checked = len(self.responses)
        return read

"""Every page, not just the main ones (issue #11): each HTML page the app serves, reached as a
person reaches it, passes axe-core with 0 violations at phone and desktop widths in English
and Japanese, and every control on it is reached by Tab with a visible focus ring.

The list of pages is checked against the app itself: a GET route that renders HTML and is
not in ``VISITS`` (or a template no visit renders, such as a form's answer) fails
:func:`test_i11_every_page_route_has_a_visit` or the axe test, so a new page cannot land
without being checked.  Wrist states are covered by test_browser_a11y.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from soulmark import services
from soulmark.core.times import SECOND
from soulmark.notices.suppress import key_hash
from soulmark.services import invites, signin, slips
from soulmark.services.shares import create_share
from soulmark.services.world_opening import WorldAsked, open_world
from soulmark.store import Store
from soulmark.store.models import WorldRow
from soulmark.store.notice_models import UnsubscribeRow
from soulmark.web import Settings, create_app
from soulmark.web import render as render_module
from tests.mailbox import confirmations, invitations, sender_links, signins

from .conftest import DESKTOP, PARAMS, PHONE, WINDOW, Live
from .test_browser_a11y import axe_violations

NOT_PAGES = {
    "/wrist/{token}/events": "an event stream",
    "/share/{token}/events": "an event stream",
    "/organizer/{token}/events": "an event stream",
    "/wrist/{token}/export": "a JSON download",
    "/w/{slug}/transcript": "a JSON download",
    "/organizer/{token}/transcript": "a JSON download",
    "/organizer/{token}/timeline.csv": "a CSV download",
    "/healthz": "a JSON health check",
    "/readyz": "a JSON readiness check",
    "/metrics": "Prometheus text",
    "/organizer/{token}/poster.svg": "an SVG download",
    "/manifest.webmanifest": "the web app manifest (JSON)",
    "/sw.js": "the service worker (a script)",
    "/card.png": "a link preview's image (PNG)",
    "/w/{slug}/card.png": "a link preview's image (PNG)",
}
"""GET routes outside the API that answer with something other than a page."""

NAMES = ("Tenya Iida", "Bakugou Katsuki", "Ochaco Uraraka")


@dataclass
class Scene:
    """One sealed world with a share link, and fresh one-shot things made on demand."""

    live: Live
    world: str = ""
    organizer: str = ""
    wrist: str = ""
    share: str = ""
    domain_world: str = ""
    made: int = 0

    def setup(self) -> Scene:
        made = self.live.create_world(name="Every Page Academy")
        joined = [self.live.join(made.world, n, f"e{i}@ua.test") for i, n in enumerate(NAMES)]
        self.live.seal(made.world)
        self.world, self.organizer, self.wrist = made.world, made.organizer_token, joined[0].token
        _, self.share = create_share(self.live.store, token=self.wrist, at=self.live.clock.now)
        now = self.live.clock.now
        self.domain_world = services.create_world(
            self.live.store,
            name="Mailed Academy",
            window_start=now + 60 * SECOND,
            window_end=now + 60 * SECOND + WINDOW,
            at=now,
            params=PARAMS,
            email_domain="ua.test",
        ).world
        return self

    def fresh_address(self) -> str:
        self.made += 1
        return f"fresh{self.made}@ua.test"

    def fresh_wrist(self) -> str:
        name = f"Shoto Todoroki {self.made + 1}"  # one look per person (issue 22)
        return self.live.join(self.world, name, self.fresh_address()).token

    def fresh_wrist_url(self, tail: str) -> str:
        return self.live.url(f"/wrist/{self.fresh_wrist()}{tail}")

    def fresh_confirmation(self) -> str:
        services.join(
            self.live.store,
            world=self.domain_world,
            email=self.fresh_address(),
            name=f"Eijiro Kirishima {self.made}",
            at=self.live.clock.now,
        )
        link = str(confirmations(self.live.store)[-1]["link"])
        return self.live.url(_on_this_host(link))  # mailed with the default base address

    def fresh_invitation(self) -> str:
        invitee = [invites.Invitee(self.fresh_address(), f"Momo Yaoyorozu {self.made + 1}")]
        invites.invite(self.live.store, world=self.world, invitees=invitee, at=self.live.clock.now)
        return self.live.url(_on_this_host(str(invitations(self.live.store)[-1]["link"])))

    def fresh_sender(self) -> str:
        """The link that confirms an organizer's address, for a world opened from the web."""
        asked = WorldAsked(
            name=f"Held Academy {self.made}",
            window_start="2031-01-01",
            window_end="2031-01-08",
            organizer_email=self.fresh_address(),
        )
        opened = open_world(self.live.store, asked, at=self.live.clock.now, held=True)
        assert opened.mailed_to
        return self.live.url(_on_this_host(str(sender_links(self.live.store)[-1]["link"])))

    def fresh_unsubscribe(self) -> str:
        """A notice's one-click unsubscribe link (only its key's hash is kept, so the key is
        written here the way the worker writes one when it claims a notice)."""
        self.made += 1
        key = f"u_every_page_{self.made:012d}"
        with self.live.store.transaction() as s:
            world_id = s.scalar(select(WorldRow.id).where(WorldRow.slug == self.world))
            row = UnsubscribeRow(
                key_hash=key_hash(key), kind="notices", world_id=world_id, created_at=0
            )
            s.add(row)
        return self.live.url(f"/unsubscribe/{key}")

    def fresh_signin(self) -> str:
        signin.request_signin(
            self.live.store,
            world=self.world,
            email="e1@ua.test",
            at=self.live.clock.now,
            base_url=self.live.base,
        )
        return self.live.url(_on_this_host(str(signins(self.live.store)[-1]["link"])))


def _on_this_host(link: str) -> str:
    """A mailed link's path and fragment: the token travels after "#"."""
    parts = urlsplit(link)
    return f"{parts.path}#{parts.fragment}"


def _old_shape(url: str) -> str:
    """The same link as it was spelled before issue 22: the token in the path."""
    return url.replace("/#", "/", 1)


def _follow(selector: str, make: Callable[[Scene], str]) -> Callable[[Scene, Any], None]:
    """Open a link of the new shape: its page hands the fragment over by itself."""

    def visit(s: Scene, page: Any) -> None:
        page.goto(make(s))
        page.wait_for_selector(selector)

    return visit


def _go(path: str) -> Callable[[Scene, Any], None]:
    return lambda s, page: page.goto(s.live.url(path.format(s=s)))


def _chooser(s: Scene, page: Any) -> None:
    other = s.live.create_world(name="Second Academy")
    mine = s.live.join(other.world, "Tenya Iida", "e0@ua.test")
    page.goto(s.live.url(f"/wrist/{s.wrist}"))
    page.goto(s.live.url(f"/wrist/{mine.token}"))
    page.goto(s.live.url("/wrists"))
    page.wait_for_selector("main")


def _slip_code(s: Scene) -> str:
    made = slips.make_slips(s.live.store, token=s.organizer, count=2, at=s.live.clock.now)
    return made.slips[-1]["code"]


def _link_made(s: Scene, page: Any) -> None:
    page.goto(s.live.url(f"/organizer/{s.organizer}"))
    page.fill("#link-name", f"Mr Aizawa {s.made}")
    page.click("#link-make")
    page.wait_for_selector("#co-organizer-url")


VISITS: dict[str, Callable[[Scene, Any], None]] = {
    "/": _go("/"),
    "/docs": _go("/docs"),
    "/audit": _go("/audit"),
    "/new": _go("/new"),
    "/w/{slug}": _go("/w/{s.world}"),
    "/wrist/{token}": _go("/wrist/{s.wrist}"),
    "/share/{token}": _go("/share/{s.share}"),
    "/organizer/{token}": _go("/organizer/{s.organizer}"),
    "/organizer/{token}/poster": _go("/organizer/{s.organizer}/poster"),
    "/organizer/{token}/screen": _go("/organizer/{s.organizer}/screen"),
    "/wrist/{token}/leave": lambda s, page: page.goto(s.fresh_wrist_url("/leave")),
    "/confirm/{token}": lambda s, page: page.goto(_old_shape(s.fresh_confirmation())),
    "/signin/{code}": lambda s, page: page.goto(_old_shape(s.fresh_signin())),
    "/invite/{code}": lambda s, page: page.goto(_old_shape(s.fresh_invitation())),
    "/wrist/": _go("/wrist/"),
    "/share/": _go("/share/"),
    "/organizer/": _go("/organizer/"),
    "/confirm/": _follow("#confirm-button", lambda s: s.fresh_confirmation()),
    "/signin/": _follow("#signin-button", lambda s: s.fresh_signin()),
    "/invite/": _follow("#claim-button", lambda s: s.fresh_invitation()),
    "/sender/": _follow("#sender-button", lambda s: s.fresh_sender()),
    "/unsubscribe/{key}": _follow("#unsubscribe-button", lambda s: s.fresh_unsubscribe()),
    "/wrist/{token}/name": lambda s, page: page.goto(s.fresh_wrist_url("/name")),
    "/wrists": _chooser,
    "/dev/outbox": _go("/dev/outbox"),
    # Issue 20: the class sheet, joining by slip, a co-organizer link shown once.
    "/organizer/{token}/slips": lambda s, page: (
        _slip_code(s),
        page.goto(s.live.url(f"/organizer/{s.organizer}/slips")),
    ),
    "/slip": _go("/slip"),
    "/j/{code}": lambda s, page: page.goto(s.live.url(f"/j/{_slip_code(s)}")),
    "/organizer/{token}/links/made": _link_made,
    # The service worker's offline page, in the language this person chose.
    "/organizer/{token}/replaced": lambda s, page: _replaced(s, page),
    "/organizer/{token}/opened": lambda s, page: _opened(s, page),
    "/organizer/{token}/retention": lambda s, page: _retention(s, page),
    "/confirm/done": _follow("#confirm-button", lambda s: s.fresh_confirmation()),
    "/sender/done": _follow("#sender-button", lambda s: s.fresh_sender()),
    "/wrist/{token}/replaced": lambda s, page: _wrist_replaced(s, page),
    "/w/{slug}/recover/sent": lambda s, page: _recovery(s, page),
    "/signin/again/sent": _go("/signin/again/sent"),
    "/offline/{lang}": lambda s, page: page.goto(
        s.live.url("/offline/" + page.evaluate("document.documentElement.lang"))
    ),
}
"""Every page route, and how a person reaches it."""


def _opened(s: Scene, page: Any) -> None:
    page.goto(s.live.url("/new"))
    page.fill("#world-name", "Opened Academy")
    page.fill("#new-start", "2031-01-01")
    page.fill("#new-end", "2031-01-08")
    page.click("#new-open")
    page.wait_for_selector("main")


def _joined(s: Scene, page: Any) -> None:
    fresh = s.live.create_world(name="Joining Academy")
    page.goto(s.live.url(f"/w/{fresh.world}"))
    page.fill("#name", "Izuku Midoriya")
    page.fill("#email", s.fresh_address())
    page.click("#join-button")
    page.wait_for_selector("main")


def _recovery(s: Scene, page: Any) -> None:
    page.goto(s.live.url(f"/w/{s.world}"))
    page.fill("#recover-email", "e2@ua.test")
    page.click("#recover-button")
    page.wait_for_selector("#recover-sent")


def _confirmed(s: Scene, page: Any) -> None:
    page.goto(s.fresh_confirmation())
    page.click("#confirm-button")
    page.wait_for_selector("main")


def _left(s: Scene, page: Any) -> None:
    page.goto(s.fresh_wrist_url("/leave"))
    page.click("#leave-confirm-button")
    page.wait_for_selector("main")


def _retention(s: Scene, page: Any) -> None:
    page.goto(s.live.url(f"/organizer/{s.organizer}"))
    page.fill("#until", "2031-06-01")
    page.click("#set-retention")
    page.wait_for_selector("main")


def _previewed(s: Scene, page: Any) -> None:
    page.goto(s.live.url(f"/organizer/{s.organizer}"))
    csv = b"Email;Name\nnew1@ua.test;New One\n"
    page.set_input_files(
        "#invite-csv", files=[{"name": "c.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.click("#invite-check")
    page.wait_for_selector("#invite-preview")


def _replaced(s: Scene, page: Any) -> None:
    fresh = s.live.create_world(name="Leaky Academy")
    page.goto(s.live.url(f"/organizer/{fresh.organizer_token}"))
    page.click("#replace-box summary")
    page.click("#replace-link")
    page.wait_for_selector("#organizer-replaced")


def _wrist_replaced(s: Scene, page: Any) -> None:
    page.goto(s.fresh_wrist_url(""))
    page.click("#replace-link")
    page.wait_for_selector("#replaced")


def _share_card(s: Scene, page: Any) -> None:
    # A share link's session named by a browser that holds no cookie for it (a chat app's
    # preview robot): the link's card, never a dead end (issue 19 item 6).
    page.goto(s.live.url("/share/me-0123456789abcdef"))
    page.wait_for_selector("#share-card")


def _audited(s: Scene, page: Any) -> None:
    page.goto(s.live.url("/audit"))
    page.locator("#transcript").fill(services.transcript_text(s.live.store, world=s.world))
    page.click("#audit-button")
    page.wait_for_selector("#result")


def _unsubscribed(s: Scene, page: Any) -> None:
    page.goto(s.fresh_unsubscribe())
    page.click("#unsubscribe-button")
    page.wait_for_selector("#unsubscribe-done")


def _refused(s: Scene, page: Any) -> None:
    page.goto(s.live.url("/wrist/w_" + "x" * 40))


ANSWERS: dict[str, Callable[[Scene, Any], None]] = {
    "world opened": _opened,
    "joined": _joined,
    "lost your link: sent": _recovery,
    "confirmed": _confirmed,
    "left": _left,
    "erasure date set": _retention,
    "audit result": _audited,
    "unsubscribed": _unsubscribed,
    "invitations previewed": _previewed,
    "organizer link replaced": _replaced,
    "a share link's card": _share_card,
    "error": _refused,
}
"""Pages that answer a form (or refuse), reached by filling it in."""


def _routes(routes: list[Any]) -> list[APIRoute]:
    """The app's routes, through each router it included."""
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):
            out += _routes(r.original_router.routes)
    return out


def _page_routes(store: Store) -> set[str]:
    app = create_app(Settings(store=store, secret=b"r" * 32, dev=True))
    return {
        r.path
        for r in _routes(app.routes)
        if "GET" in r.methods and not r.include_in_schema and not r.path.startswith("/api")
    }


def test_i11_every_page_route_has_a_visit(store: Store) -> None:
    routes = _page_routes(store)
    missing = routes - VISITS.keys() - NOT_PAGES.keys()
    assert not missing, f"pages without an axe visit (add them to VISITS): {sorted(missing)}"
    assert not (VISITS.keys() - routes), "a visit names a route the app no longer has"


KEYBOARD_JS = """() => {
  const all = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]');
  const keys = [];
  all.forEach((el, i) => {
    // Not inside a closed <details> or anything else hidden (Tab skips those, rightly).
    const shown = el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
    if (!shown || el.disabled || el.tabIndex < 0 || el.closest('[inert]')) return;
    const own = 'kb' + i + ':' + el.outerHTML.slice(0, 60);
    const key = el.type === 'radio' ? 'radio:' + el.name : own;
    el.dataset.kb = key;
    keys.push(key);
  });
  document.activeElement && document.activeElement.blur();
  return [...new Set(keys)];
}"""
FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || !el.dataset || !el.dataset.kb) return null;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    || style.boxShadow !== 'none';
  return [el.dataset.kb, ring];
}"""


def keyboard_gaps(page: Any) -> list[str]:
    """Controls Tab never reaches, and those it reaches without a visible focus ring."""
    expected = page.evaluate(KEYBOARD_JS)
    reached: dict[str, bool] = {}
    # A date box takes three stops (day, month, year): room for that, and stop once Tab
    # has come round to the first control again.
    for _ in range(3 * len(expected) + 3):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUSED_JS)
        if found and len(reached) > 1 and found[0] == next(iter(reached)):
            break
        if found:
            reached[found[0]] = reached.get(found[0], True) and found[1]
    gaps = [f"not reached by Tab: {k}" for k in expected if k not in reached]
    return gaps + [f"no visible focus: {k}" for k, ring in reached.items() if not ring]


@pytest.fixture
def live_options() -> dict[str, Any]:
    return {"dev": True}  # /dev/outbox is a page too


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_i11_axe_and_keyboard_on_every_page(
    live: Live, open_page: Any, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: set[str] = set()
    respond = render_module.templates.TemplateResponse

    def recording(request: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        rendered.add(name)
        return respond(request, name, *args, **kwargs)

    monkeypatch.setattr(render_module.templates, "TemplateResponse", recording)
    # A page rendered once for many viewers (render.shared_page, the world page) is read
    # from the templates directly.
    template = render_module.templates.get_template

    def reading(name: str) -> Any:
        rendered.add(name)
        return template(name)

    monkeypatch.setattr(render_module.templates, "get_template", reading)
    scene = Scene(live).setup()
    found: list[str] = []
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        for label, visit in {**VISITS, **ANSWERS}.items():
            page = open_page(viewport)  # a fresh person: cookies of one visit do not leak
            page.goto(live.url(f"/?lang={lang}"))
            visit(scene, page)
            assert page.evaluate("document.documentElement.lang") == lang, label
            where = f"{lang} {size} {label}"
            found += [f"{where}: {v}" for v in axe_violations(page)]
            found += [f"{where}: {g}" for g in keyboard_gaps(page)]
            page.context.close()
    assert not found, "\n".join(found)
    pages = {
        t.name
        for t in (files("soulmark.web") / "templates").iterdir()
        if t.name.endswith(".html") and not t.name.startswith("_") and t.name != "base.html"
    }
    assert not pages - rendered, f"templates no visit shows: {sorted(pages - rendered)}"

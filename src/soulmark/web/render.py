"""Rendering pages: templates get the CSRF token, private pages are never cached."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse, Response

from soulmark import i18n
from soulmark.core import links
from soulmark.core.times import iso
from soulmark.core.validate import BLANK_RANGES, HIDDEN_RANGES, MAX_CONTACT, MAX_NAME
from soulmark.web.deps import CSRF_COOKIE, csrf_nonce, form_token, get_settings
from soulmark.web.lang import LANG_COOKIE, Speech, install, speech_of

__all__ = ["answer_page", "link", "origin", "render", "shared_page", "templates"]

templates = Jinja2Templates(directory=str(files("soulmark.web") / "templates"))
templates.env.filters["iso"] = lambda us: iso(us) if us is not None else ""
templates.env.filters["hm"] = lambda text: (text or "")[11:19]
# The join form checks names by the server's own rules (see soulmark.js).
templates.env.globals["max_name"] = MAX_NAME
templates.env.globals["max_contact"] = MAX_CONTACT
templates.env.globals["blank_ranges"] = json.dumps([list(r) for r in BLANK_RANGES])
templates.env.globals["hidden_ranges"] = json.dumps([list(r) for r in HIDDEN_RANGES])
# Templates spell links as the Python does: {{ url.world_url(slug) }} (soulmark.core.links).
templates.env.globals["url"] = links
install(templates.env)  # gettext, and the "when" filter in the viewer's language and zone


_YEAR = 365 * 24 * 3600


def languages(request: Request, speech: Speech) -> list[dict[str, Any]]:
    """The language switch: every catalog, each linking to this page in that language."""
    # Relative on a GET: the browser's own address (a link session's "/wrist/me", never the
    # token behind it).  A form's answer has no address to come back to: home, then.
    here = "" if request.method == "GET" else "/"
    return [
        {
            "code": code,
            "name": i18n.display_name(code),
            "href": f"{here}?lang={code}",
            "current": code == speech.code,
        }
        for code in i18n.available()
    ]


def remember(response: Response, speech: Speech, secure: bool) -> None:
    """The switch was used: keep that language on this device."""
    if speech.chosen:
        response.set_cookie(LANG_COOKIE, speech.code, max_age=_YEAR, samesite="lax", secure=secure)


def origin(request: Request) -> str:
    """The scheme and host the browser used.  Behind a proxy that ends TLS the app is
    reached over http; a site declared https (``base_url``, ``--secure-cookies``) says so."""
    base = str(request.base_url).rstrip("/")
    if get_settings(request).cookies_secure and base.startswith("http://"):
        return "https://" + base[len("http://") :]
    return base


def link(request: Request, path: str) -> str:
    """An absolute link on the host the browser used (pages show it to copy)."""
    return origin(request) + path


def _context(request: Request, context: dict[str, Any] | None) -> dict[str, Any]:
    """What every template is given beside its own context (the CSRF token is added later)."""
    settings = get_settings(request)
    ctx = dict(context or {})
    if getattr(request.state, "link_token", None) and "token" in ctx:
        # Opened through a session: the page links to /<kind>/me-<handle>, never to the token.
        ctx["token"] = request.state.link_handle
    ctx["poll_ms"] = settings.poll_ms
    speech = speech_of(request)
    ctx["lang"] = speech.code
    ctx["tz"] = speech.tz.key
    ctx["languages"] = languages(request, speech)
    ctx["speech"] = speech  # the templates' gettext and moments read it (soulmark.web.lang)
    return ctx


def _finish(request: Request, response: Response, nonce: str, new: bool) -> Response:
    settings = get_settings(request)
    remember(response, speech_of(request), settings.cookies_secure)
    if new:
        response.set_cookie(
            CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=settings.cookies_secure
        )
    return response


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    nonce, new = csrf_nonce(request)
    ctx = _context(request, context)
    ctx["csrf"] = form_token(get_settings(request).secret, nonce)
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    return _finish(request, response, nonce, new)


CSRF_SLOT = "csrf-slot-5e1f0c7a"
"""Where a shared page's CSRF token goes: filled in for each viewer by :func:`answer_page`."""


def shared_page(request: Request, name: str, context: dict[str, Any]) -> str:
    """A page as every viewer with this address, language and zone sees it: its form's CSRF
    token is a slot, so one rendering serves them all (soulmark.web.world_pages)."""
    ctx = _context(request, context) | {"csrf": CSRF_SLOT, "request": request}
    return templates.get_template(name).render(ctx)


def answer_page(request: Request, page: str) -> Response:
    """A shared page (:func:`shared_page`) answered to this viewer, with their CSRF token."""
    nonce, new = csrf_nonce(request)
    token = form_token(get_settings(request).secret, nonce)
    return _finish(request, HTMLResponse(page.replace(CSRF_SLOT, token)), nonce, new)

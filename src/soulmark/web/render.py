"""Rendering pages: templates get the CSRF token, private pages are never cached."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from soulmark.core.times import iso
from soulmark.core.validate import BLANK_RANGES, MAX_NAME
from soulmark.web.deps import CSRF_COOKIE, csrf_nonce, form_token, get_settings
from soulmark.web.session import ME

__all__ = ["templates", "render", "link"]

templates = Jinja2Templates(directory=str(files("soulmark.web") / "templates"))
templates.env.filters["iso"] = lambda us: iso(us) if us is not None else ""
templates.env.filters["hm"] = lambda text: (text or "")[11:19]
templates.env.filters["when"] = lambda text: when(text)
# The join form checks names by the server's own rules (see soulmark.js).
templates.env.globals["max_name"] = MAX_NAME
templates.env.globals["blank_ranges"] = json.dumps([list(r) for r in BLANK_RANGES])


def when(text: str | None) -> str:
    """``2030-03-17T17:48:47.169269Z`` -> ``2030-03-17 17:48:47 UTC`` (soulmark.js agrees)."""
    return f"{text[:10]} {text[11:19]} UTC" if text else ""


def link(request: Request, path: str) -> str:
    """An absolute link on the host the browser used (pages show it to copy)."""
    return str(request.base_url).rstrip("/") + path


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    settings = get_settings(request)
    nonce, new = csrf_nonce(request)
    ctx = dict(context or {})
    if getattr(request.state, "link_token", None) and "token" in ctx:
        # Opened through a session: the page links to /<kind>/me, never to the token.
        ctx["token"] = ME
    ctx["csrf"] = form_token(settings.secret, nonce)
    ctx["poll_ms"] = settings.poll_ms
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    if new:
        response.set_cookie(
            CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=settings.secure_cookies
        )
    return response

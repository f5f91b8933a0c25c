"""Dependencies shared by the routers: the store, the clock, tokens, CSRF-checked forms."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from soulmark.core.errors import SoulmarkError
from soulmark.store import Store
from soulmark.web.audit_runner import Auditor
from soulmark.web.lang import Speech, speech_of
from soulmark.web.settings import Settings

__all__ = [
    "CSRF_COOKIE",
    "Unauthorized",
    "Forbidden",
    "TooMany",
    "StoreDep",
    "SettingsDep",
    "NowDep",
    "TokenDep",
    "CsrfDep",
    "csrf_nonce",
    "form_token",
]

CSRF_COOKIE = "sm_csrf"


class Unauthorized(SoulmarkError):
    """No token, or one that opens nothing here (401)."""


class Forbidden(SoulmarkError):
    """A token that may not do this (403)."""


class TooMany(SoulmarkError):
    """Asked too often from one place (429)."""


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# The dependencies are coroutines: plain functions would each cost a trip through the
# thread pool on every request, the wrist poll included.
async def _settings(request: Request) -> Settings:
    return get_settings(request)


async def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def _auditor(request: Request) -> Auditor:
    auditor: Auditor = request.app.state.auditor
    return auditor


async def _speech(request: Request) -> Speech:
    return speech_of(request)


async def _now(request: Request) -> int:
    now: int = get_settings(request).clock()
    return now


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[Store, Depends(_store)]
NowDep = Annotated[int, Depends(_now)]
AuditorDep = Annotated[Auditor, Depends(_auditor)]
SpeechDep = Annotated[Speech, Depends(_speech)]
"""The reader's language and time zone, handed to what answers (never a hidden global)."""

_bearer = HTTPBearer(
    auto_error=False, description="a wrist (w_…), share (s_…) or organizer (o_…) token"
)


async def bearer_token(
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The API takes tokens in ``Authorization: Bearer``: a cross-site form cannot send it,
    and it stays out of URLs and access logs."""
    if creds is None or not creds.credentials:
        raise Unauthorized("this needs a token: Authorization: Bearer <token>")
    return creds.credentials


TokenDep = Annotated[str, Depends(bearer_token)]


def csrf_nonce(request: Request) -> tuple[str, bool]:
    """The browser's CSRF nonce (from its cookie) and whether it is new."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if len(nonce) >= 32 and nonce.isascii():
        return nonce, False
    return secrets.token_urlsafe(24), True


def form_token(secret: bytes, nonce: str) -> str:
    """Signed double submit: the form carries HMAC(secret, cookie nonce).  Another site can
    neither read the cookie nor compute the MAC, so it cannot forge a matching form."""
    return hmac.new(secret, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, settings: SettingsDep, csrf: Annotated[str, Form()] = "") -> None:
    nonce = request.cookies.get(CSRF_COOKIE, "")
    expected = form_token(settings.secret, nonce)
    if not nonce or not hmac.compare_digest(csrf.encode(), expected.encode()):
        raise Forbidden(
            "this form has expired or did not come from this site; reload and retry",
            code="form-expired",
        )


CsrfDep = Depends(check_csrf)

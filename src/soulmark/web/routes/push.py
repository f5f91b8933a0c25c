"""The installed app and Web Push: the manifest, the service worker, the offline page, and a
wrist's devices (docs/push.md)."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from soulmark import i18n
from soulmark.core.errors import NotFound
from soulmark.core.links import wrist_url
from soulmark.services import push
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep
from soulmark.web.lang import Speech, speech_of
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, Out, mirror

__all__ = ["router", "STATIC", "public_key"]

router = APIRouter()

THEME = "#3b1f5e"
BACKGROUND = "#fffaf6"
STATIC = (
    "/static/soulmark.css",
    "/static/soulmark.js",
    "/static/theme.js",
    "/static/push.js",
    "/static/favicon.svg",
    "/static/icon-192.png",
    "/static/icon-512.png",
    "/static/icon-maskable-512.png",
)
"""What the service worker keeps: files the same for everyone, and nothing else."""
_DESCRIPTION = i18n.N_("Your wrist, as it tingles, inks in and stops.")

DeviceOut = mirror("DeviceOut", push.Device, "A device this wrist's notices are pushed to.")


class DevicesOut(Out):
    """This wrist's devices, and the key a browser subscribes with."""

    public_key: str | None
    """The instance's VAPID public key (``applicationServerKey``); null: no push here."""
    devices: list[DeviceOut]  # type: ignore[valid-type]


class PushKeyOut(Out):
    public_key: str | None
    """The instance's VAPID public key (base64url, an uncompressed P-256 point)."""


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class SubscriptionBody(BaseModel):
    """What ``PushSubscription.toJSON()`` gives, and the language to push in."""

    endpoint: str = Field(max_length=push.MAX_ENDPOINT)
    expirationTime: float | None = None  # noqa: N815 (the browser's own spelling)
    keys: SubscriptionKeys
    lang: str | None = Field(default=None, max_length=16)
    """The reader's language (default: the asker's Accept-Language)."""


def public_key(request: Request) -> str | None:
    key: str | None = getattr(request.app.state, "push_key", None)
    return key


@lru_cache(maxsize=1)
def _worker_script() -> tuple[str, str]:
    """sw.js with its version (a digest of every file it keeps) and the languages filled in."""
    static = files("soulmark.web") / "static"
    digest = hashlib.sha256()
    for path in STATIC:
        digest.update((static / path.removeprefix("/static/")).read_bytes())
    for code in i18n.available():
        digest.update(code.encode())
    version = digest.hexdigest()[:16]
    text = (static / "sw.js").read_text("utf-8")
    text = text.replace('"__VERSION__"', json.dumps(version))
    text = text.replace('["__LANGS__"]', json.dumps(list(i18n.available())))
    return text.replace('["__STATIC__"]', json.dumps(list(STATIC))), version


@router.get("/sw.js", include_in_schema=False)
def service_worker() -> Response:
    text, _ = _worker_script()
    headers = {"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"}
    return Response(text, media_type="text/javascript", headers=headers)


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest(request: Request) -> Response:
    speech = speech_of(request)
    body = {
        "id": "/",
        "name": "soulmark",
        "short_name": "soulmark",
        "description": speech.gettext(_DESCRIPTION),
        "lang": speech.code,
        "start_url": "/wrist/me",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": "/static/icon-maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JSONResponse(body, media_type="application/manifest+json")


@router.get("/offline/{lang}", include_in_schema=False)
def offline(request: Request, lang: str) -> Response:
    """What the service worker shows when the phone is offline: the same page for everyone."""
    code = i18n.pick(lang)
    if code is None or code != lang:
        raise NotFound("no such language")
    request.state.speech = Speech(code, i18n.zone(None))
    return render(request, "offline.html", {})


@router.get("/api/push/key", tags=["push"], response_model=PushKeyOut)
def key_api(request: Request) -> dict[str, Any]:
    """The key a browser subscribes with; null when this site sends no pushes."""
    return {"public_key": public_key(request)}


def _devices(request: Request, store: Any, token: str, now: int) -> dict[str, Any]:
    listed = [d.to_json() for d in push.devices(store, token=token, at=now)]
    return {"public_key": public_key(request), "devices": listed}


@router.get("/api/wrist/devices", tags=["push"], response_model=DevicesOut)
def devices_api(request: Request, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """The devices your wrist's notices are pushed to."""
    return _devices(request, store, token, now)


@router.post(
    "/api/wrist/devices", tags=["push"], status_code=201, response_model=DeviceOut, **AS_IS
)
def subscribe_api(
    request: Request,
    body: SubscriptionBody,
    token: TokenDep,
    store: StoreDep,
    now: NowDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Push your wrist's notices ("your wrist tingles", "it stopped") to this device: the
    browser's ``PushSubscription`` as JSON.  A push never holds the name."""
    if public_key(request) is None:
        raise NotFound("this site sends no pushes", code="push-off")
    device = push.subscribe(
        store,
        token=token,
        endpoint=body.endpoint,
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
        lang=body.lang or speech_of(request).code,
        at=now,
        allow_loopback=settings.push_loopback,
    )
    return device.to_json()


@router.delete("/api/wrist/devices/{device_id}", tags=["push"], response_model=DevicesOut)
def unsubscribe_api(
    request: Request, device_id: int, token: TokenDep, store: StoreDep, now: NowDep
) -> dict[str, Any]:
    """Stop pushing to one device; the devices left."""
    push.unsubscribe(store, token=token, device_id=device_id, at=now)
    return _devices(request, store, token, now)


@router.post(
    "/wrist/{token}/devices/{device_id}/remove", include_in_schema=False, dependencies=[CsrfDep]
)
def unsubscribe_form(token: str, device_id: int, store: StoreDep, now: NowDep) -> Response:
    push.unsubscribe(store, token=token, device_id=device_id, at=now)
    return RedirectResponse(wrist_url(token, at="push"), status_code=303)

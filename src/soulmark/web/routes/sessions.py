"""Signed-in devices (issue 19 item 3): "keep me signed in on this device", the wrist's list
of its devices, and signing any of them out.  The services are soulmark.services.device_sessions.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from soulmark.core.errors import NotFound
from soulmark.core.links import wrist_url
from soulmark.core.times import iso
from soulmark.services import device_sessions as devices
from soulmark.web.deps import CsrfDep, NowDep, SettingsDep, StoreDep, TokenDep
from soulmark.web.opening import device_cookie
from soulmark.web.schemas import AS_IS, Out
from soulmark.web.session import ME, cookie_name, handle_of, in_session

router = APIRouter()


class SessionOut(Out):
    id: int
    label: str
    """A short name from the browser's User-Agent ("Chrome on Android")."""
    signed_in_at: str
    last_used_at: str
    current: bool
    """The device that asked."""


class SessionsOut(Out):
    sessions: list[SessionOut]


class KeptOut(Out):
    world: str
    token: str
    """The device's own secret (``d_…``): it opens this wrist until signed out, and is
    replaced by a new one on its first use each day."""
    kept: bool


class SignedOutOut(Out):
    signed_out: bool


def spelled(found: list[devices.Device]) -> dict[str, Any]:
    return {
        "sessions": [
            {
                **d.to_json(),
                "signed_in_at": iso(d.signed_in_at),
                "last_used_at": iso(d.last_used_at),
            }
            for d in found
        ]
    }


def _agent(request: Request) -> str:
    return request.headers.get("user-agent", "")


def _forget_link_cookie(
    request: Request, secure: bool, *, device: bool = False
) -> tuple[bytes, bytes] | None:
    """This browser's cookie for the wrist it acts on goes: a link's, when the browser keeps
    a device session instead; a device's (``device``), when it signed itself out."""
    handle = (getattr(request.state, "link_handle", "") or "")[len(ME) + 1 :]
    if not handle or devices.is_device(getattr(request.state, "link_token", "")) != device:
        return None
    name = cookie_name("wrist", handle, secure)
    flags = "; HttpOnly; SameSite=Lax; Path=/; Max-Age=0" + ("; Secure" if secure else "")
    return b"set-cookie", f"{name}={flags}".encode("latin-1")


@router.post("/wrist/{token}/sessions/keep", include_in_schema=False, dependencies=[CsrfDep])
def keep_form(
    request: Request, token: str, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    done = devices.keep(store, token=token, at=now, user_agent=_agent(request))
    secure = settings.cookies_secure
    response = RedirectResponse(
        wrist_url(f"{ME}-{handle_of(done.token)}", at="sessions"), status_code=303
    )
    response.raw_headers.append(device_cookie(secure, done.token, kept=True))
    forget = _forget_link_cookie(request, secure) if in_session(request.scope) else None
    if forget:
        response.raw_headers.append(forget)
    return response


@router.post(
    "/wrist/{token}/sessions/{device}/signout", include_in_schema=False, dependencies=[CsrfDep]
)
def sign_out_form(
    request: Request,
    token: str,
    device: int,
    store: StoreDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    devices.sign_out(store, token=token, device=device, at=now)
    if _still_open(store, token, now):
        return RedirectResponse(wrist_url(token, at="sessions"), status_code=303)
    # This very device signed itself out: nothing left to open, and its cookie goes.
    response = RedirectResponse("/", status_code=303)
    forget = _forget_link_cookie(request, settings.cookies_secure, device=True)
    if forget:
        response.raw_headers.append(forget)
    return response


def _still_open(store: Any, token: str, now: int) -> bool:
    try:
        devices.list_devices(store, token=token, at=now)
    except NotFound:
        return False
    return True


@router.get("/api/wrist/sessions", tags=["wrist"], response_model=SessionsOut, **AS_IS)
def sessions_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """The devices kept signed in to this wrist (a label from each browser, when it signed
    in, when it was last used); ``current`` is the one asking."""
    return spelled(devices.list_devices(store, token=token, at=now))


@router.post("/api/wrist/sessions", tags=["wrist"], response_model=KeptOut, **AS_IS)
def keep_api(request: Request, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Keep a device signed in for 180 days: the answer holds its own secret, which a client
    uses as its bearer token instead of the private link."""
    return devices.keep(store, token=token, at=now, user_agent=_agent(request)).to_json()


@router.delete("/api/wrist/sessions/{device}", tags=["wrist"], response_model=SignedOutOut, **AS_IS)
def sign_out_api(device: int, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Sign one of this wrist's devices out: its secret stops opening anything at once."""
    return {"signed_out": devices.sign_out(store, token=token, device=device, at=now)}

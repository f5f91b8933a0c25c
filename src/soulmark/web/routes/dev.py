"""/dev/outbox: the notices that would have been mailed (only with Settings.dev)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from soulmark.core.errors import NotFound
from soulmark.web import notices_link
from soulmark.web.deps import SettingsDep, StoreDep
from soulmark.web.render import render

router = APIRouter()


def _messages(store: Any, dev: bool) -> list[dict[str, Any]] | None:
    # Off by default: the outbox lists every address and confirmation link.
    if not dev:
        raise NotFound("the outbox is only served in development (Settings.dev)")
    return notices_link.outbox_messages(store)


@router.get("/dev/outbox", include_in_schema=False)
def outbox_page(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return render(request, "outbox.html", {"messages": _messages(store, settings.dev)})


@router.get("/api/dev/outbox", tags=["dev"])
def outbox_api(store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Messages in the local outbox (development only)."""
    messages = _messages(store, settings.dev)
    return {"available": messages is not None, "messages": messages or []}

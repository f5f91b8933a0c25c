"""/dev/outbox: the notices that would have been mailed (mounted only with Settings.dev)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from soulmark.notices import outbox_messages
from soulmark.web.deps import StoreDep
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, OutboxOut

router = APIRouter()


@router.get("/dev/outbox", include_in_schema=False)
def outbox_page(request: Request, store: StoreDep) -> Response:
    return render(request, "outbox.html", {"messages": outbox_messages(store)})


@router.get("/api/dev/outbox", tags=["dev"], response_model=OutboxOut, **AS_IS)
def outbox_api(store: StoreDep) -> dict[str, Any]:
    """Messages in the local outbox (development only)."""
    messages = outbox_messages(store)
    return {"available": messages is not None, "messages": messages or []}

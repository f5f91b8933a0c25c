"""The audit page (B1): paste or upload a transcript, see "verified" or each mismatch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response

from soulmark.core.errors import InvalidInput
from soulmark.services.audit import audit_report
from soulmark.web.deps import CsrfDep
from soulmark.web.render import render

router = APIRouter()

MAX_TRANSCRIPT = 64 * 1024 * 1024


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request) -> Response:
    return render(request, "audit.html", {})


@router.post("/audit", include_in_schema=False, dependencies=[CsrfDep])
async def audit_form(
    request: Request,
    transcript: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    data: str | bytes = transcript
    if file is not None and file.filename:
        data = await file.read(MAX_TRANSCRIPT + 1)
    if not data or (isinstance(data, str) and not data.strip()):
        raise InvalidInput("paste a transcript or choose its file")
    if len(data) > MAX_TRANSCRIPT:
        raise InvalidInput("that transcript is too large")
    return render(request, "audit.html", {"result": audit_report(data).to_json()})


@router.post("/api/audit", tags=["audit"])
async def audit_api(request: Request) -> dict[str, Any]:
    """Send a transcript (a round's or a planet's) as the request body; get ``ok`` or each
    mismatch: the same report as ``soulmark audit --json``."""
    body = await request.body()
    if len(body) > MAX_TRANSCRIPT:
        raise InvalidInput("that transcript is too large")
    return audit_report(body).to_json()

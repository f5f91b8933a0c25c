"""The audit page (B1): paste or upload a transcript, see "verified" or each mismatch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.responses import Response

from soulmark.core.errors import InvalidInput
from soulmark.web.audit_runner import MAX_TRANSCRIPT
from soulmark.web.deps import AuditorDep, CsrfDep
from soulmark.web.render import render
from soulmark.web.schemas import AS_IS, AuditOut

router = APIRouter()

CommitmentQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description="The commitment published when the round opened (on the world page, in "
        "every join answer): without it a consistent re-draw would also verify.",
    ),
]


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request) -> Response:
    return render(request, "audit.html", {})


@router.post("/audit", include_in_schema=False, dependencies=[CsrfDep])
async def audit_form(
    request: Request,
    auditor: AuditorDep,
    transcript: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    commitment: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    data: str | bytes = transcript
    if file is not None and file.filename:
        data = await file.read(MAX_TRANSCRIPT + 1)
    if not data or (isinstance(data, str) and not data.strip()):
        raise InvalidInput("paste a transcript or choose its file", code="transcript-missing")
    if len(data) > MAX_TRANSCRIPT:
        raise InvalidInput("that transcript is too large", code="transcript-too-large")
    result = await auditor.run(data, commitment=commitment.strip() or None)
    return render(request, "audit.html", {"result": result, "commitment": commitment.strip()})


@router.post("/api/audit", tags=["audit"], response_model=AuditOut, **AS_IS)
async def audit_api(
    request: Request, auditor: AuditorDep, commitment: CommitmentQuery = None
) -> dict[str, Any]:
    """Send a transcript (a round's or a planet's) as the request body; get ``ok`` or each
    mismatch: the same report as ``soulmark audit --json``.  ``commitment_checked`` says
    whether the published commitment was compared."""
    body = await request.body()  # capped while it streams in (soulmark.web.bodies)
    if len(body) > MAX_TRANSCRIPT:
        raise InvalidInput("that transcript is too large", code="transcript-too-large")
    return await auditor.run(body, commitment=commitment or None)

"""Reporting the name on a wrist after the seal, and the organizer removing it (issue 20
item 4): the wrist's form, the dashboard's, and their JSON twins.  The organizer sees a
reported name and a random report id, never who reported (B2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from soulmark.core.links import organizer_url, wrist_url
from soulmark.services import reports
from soulmark.web.deps import CsrfDep, NowDep, StoreDep, TokenDep
from soulmark.web.schemas import AS_IS, mirror

router = APIRouter()

WristReportOut = mirror(
    "WristReportOut",
    reports.WristReport,
    "What became of this wrist's report: none, reported, or removed by the organizer.",
)
ReportsOut = mirror(
    "ReportsOut", reports.Reports, "Reported names with random report ids; never a reporter."
)
ReportRemovedOut = mirror(
    "ReportRemovedOut", reports.ReportRemoved, "The reported person removed: contact withheld."
)


@router.post("/wrist/{token}/report", include_in_schema=False, dependencies=[CsrfDep])
def report_form(token: str, store: StoreDep, now: NowDep) -> Response:
    reports.report_name(store, token=token, at=now)
    return RedirectResponse(wrist_url(token, at="report"), status_code=303)


@router.post("/api/wrist/report", tags=["wrist"], response_model=WristReportOut, **AS_IS)
def report_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Report the name on your wrist to the organizer (once you have looked).  They see the
    name, never who reported it.  Reporting again changes nothing."""
    return reports.report_name(store, token=token, at=now).to_json()


@router.get("/api/wrist/report", tags=["wrist"], response_model=WristReportOut, **AS_IS)
def my_report_api(token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """What became of your report: ``none``, ``reported`` or ``removed``."""
    return reports.wrist_report(store, token=token, at=now).to_json()


@router.get("/api/organizer/reports", tags=["organizer"], response_model=ReportsOut, **AS_IS)
def reports_api(token: TokenDep, store: StoreDep) -> dict[str, Any]:
    """The names bearers reported, by name, each with a random report id; never who
    reported, never a transcript id."""
    return reports.reports(store, token=token).to_json()


@router.post(
    "/api/organizer/reports/{report}/remove",
    tags=["organizer"],
    response_model=ReportRemovedOut,
    **AS_IS,
)
def remove_api(report: str, token: TokenDep, store: StoreDep, now: NowDep) -> dict[str, Any]:
    """Remove the reported person: their contact is never passed to anyone, the marks stay
    as sealed, and the reporter's wrist says so.  Again: no change."""
    return reports.remove_reported(store, token=token, report=report, at=now).to_json()


@router.post(
    "/organizer/{token}/reports/{report}/remove", include_in_schema=False, dependencies=[CsrfDep]
)
def remove_form(token: str, report: str, store: StoreDep, now: NowDep) -> Response:
    reports.remove_reported(store, token=token, report=report, at=now)
    return RedirectResponse(
        organizer_url(token, query={"reported": 1}, at="reports"), status_code=303
    )

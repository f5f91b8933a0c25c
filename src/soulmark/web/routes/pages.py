"""The home page and /docs (the OpenAPI description, rendered without any CDN)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from starlette.responses import Response

from soulmark.web.render import render

router = APIRouter()

_METHODS = ("get", "post", "put", "delete")
_LITERAL = re.compile(r"``(.+?)``|`([^`]+)`")


def prose(text: str) -> Markup:
    """A docstring's reST literals (````name````) as ``<code>``, everything else escaped."""
    out, last = [], 0
    for found in _LITERAL.finditer(text):
        out.append(escape(text[last : found.start()]))
        out.append(Markup("<code>%s</code>") % (found.group(1) or found.group(2)))
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    ops = []
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in _METHODS:
            if method in item:
                op = item[method]
                ops.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": prose(op.get("summary", "")),
                        "description": prose(op.get("description", "")),
                        "tag": (op.get("tags") or ["api"])[0],
                        "token": bool(op.get("security")),
                    }
                )
    return ops


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    return render(request, "home.html", {})


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    schema = request.app.openapi()
    return render(request, "docs.html", {"ops": _operations(schema), "info": schema["info"]})

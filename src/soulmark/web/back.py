"""Where an error page sends a person back to: the page they were on, not the home page.

The site sends no Referer (its links are private), so the way back is read from the path
the browser asked for: a form posts to a path under the page that holds it
(``/organizer/<token>/seal`` sits under ``/organizer/<token>``).  The page's script goes
back in the browser's history instead when it can, which keeps what was typed in the form.
"""

from __future__ import annotations

from fastapi import Request

from soulmark.core.links import KINDS

__all__ = ["back_of"]


def back_of(request: Request) -> str:
    """The page a failed request came from, as a path on this site."""
    parts = [p for p in request.url.path.split("/") if p]
    if not parts:
        return "/"
    if parts[0] == "open" and len(parts) == 2 and parts[1] in KINDS:
        return f"/{parts[1]}/"  # a pasted link's form
    if len(parts) >= 3:
        return "/" + "/".join(parts[:2])
    if request.method == "GET":
        return "/"  # nothing to go back to but the start (the script goes back instead)
    if len(parts) == 1 and parts[0] in KINDS:
        return f"/{parts[0]}/"
    return "/" + "/".join(parts)

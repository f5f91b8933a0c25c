"""Issue 22 item 11 through the web: an organizer's list of 5,000 posted on the dashboard does
not keep a stranger's join to another world waiting until the whole list is in (the list is
written in slices, and the form's route runs it off the server's event loop)."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from sqlalchemy import func, select

from soulmark.services.invites import MAX_INVITEES
from soulmark.store import Store
from soulmark.store.models import PersonRow, WorldRow
from soulmark.web.deps import CSRF_COOKIE, form_token

from .live_support import Server


def _people(store: Store, slug: str) -> int:
    with store.read() as s:
        query = (
            select(func.count())
            .select_from(PersonRow)
            .join(WorldRow, WorldRow.id == PersonRow.world_id)
            .where(WorldRow.slug == slug)
        )
        return s.scalar(query) or 0


def _wait(what: Any, bound_s: float = 120.0) -> bool:
    """Poll until true (a bound on a wait, not a timed assertion)."""
    for _ in range(int(bound_s / 0.01)):
        if what():
            return True
        time.sleep(0.01)
    return bool(what())


def test_issue22_a_list_posted_on_the_dashboard_lets_a_strangers_join_in(web: Any) -> None:
    big = web.world([], seal=False)
    other = web.world([], seal=False)
    csv = "email\n" + "".join(f"i{i}@big.example\n" for i in range(MAX_INVITEES))
    with Server(web.app) as server, httpx.Client(base_url=server.url, timeout=120) as organizer:
        organizer.get("/")
        csrf = form_token(web.settings.secret, organizer.cookies[CSRF_COOKIE])
        answers: list[int] = []

        def post() -> None:
            sent = organizer.post(
                f"/organizer/{big.organizer}/invitations",
                data={"csrf": csrf},
                files={"csv": ("list.csv", csv.encode(), "text/csv")},
            )
            answers.append(sent.status_code)

        posting = threading.Thread(target=post)
        posting.start()
        try:
            assert _wait(lambda: _people(web.store, big.slug) > 0)
            joined = httpx.post(
                f"{server.url}/api/worlds/{other.slug}/join",
                json={"name": "A Stranger", "email": "stranger@else.example"},
                timeout=120,
            )
            assert joined.status_code == 201
            # Answered while the list was still being written, not after it.
            assert _people(web.store, big.slug) < MAX_INVITEES
        finally:
            posting.join()
    assert answers == [303] and _people(web.store, big.slug) == MAX_INVITEES
